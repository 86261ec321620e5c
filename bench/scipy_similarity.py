"""Reference for bench/similarity.bench.ts: item-item cosine top-k with scipy.sparse.

Reads a users x items CSR matrix written by the benchmark (indptr/indices/data as raw int32/int32/float64),
then (timed, data already in memory): column-normalises it, computes S = X^T X (items x items, sparse), drops the diagonal and
takes each row's top-k by (similarity desc, index asc). Prints one JSON line with the median time,
peak RSS and writes the neighbour indices for an agreement check.
"""
import json
import resource
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp


def top_k_rows(s, k):
    n = s.shape[0]
    out = np.full((n, k), -1, dtype=np.int32)
    for r in range(n):
        start, end = s.indptr[r], s.indptr[r + 1]
        if start == end:
            continue
        cols = s.indices[start:end]
        vals = s.data[start:end]
        if end - start > k:
            part = np.argpartition(-vals, k - 1)[:k]
            # include every entry tied with the k-th value, then order by (-value, index)
            kth = vals[part].min()
            part = np.nonzero(vals >= kth)[0]
            cols, vals = cols[part], vals[part]
        order = np.lexsort((cols, -vals))[:k]
        out[r, : len(order)] = cols[order]
    return out


def run(x, k):
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    norms[norms == 0] = 1.0
    xn = (x @ sp.diags(1.0 / norms)).tocsc().tocsr()
    s = (xn.T @ xn).tocsr()
    s.setdiag(0)
    s.eliminate_zeros()
    return top_k_rows(s, k), s.nnz


def main():
    prefix, n_rows, n_cols, k, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    indptr = np.fromfile(prefix + ".indptr", dtype=np.int32)
    indices = np.fromfile(prefix + ".indices", dtype=np.int32)
    data = np.fromfile(prefix + ".data", dtype=np.float64)
    x = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    times = []
    result, nnz = None, 0
    for _ in range(runs):
        t0 = time.perf_counter()
        result, nnz = run(x, k)
        times.append((time.perf_counter() - t0) * 1000)
    result.tofile(prefix + ".scipy-neighbors")
    print(json.dumps({
        "ms": float(np.median(times)),
        "all": times,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "productNnz": int(nnz),
        "scipy": scipy.__version__,
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
