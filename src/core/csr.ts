import { Matrix } from "ml-matrix";
import { assertInteger, RecokitError } from "./errors.js";

/** Storage type of a matrix's values. */
export type Float = Float64Array | Float32Array;

/**
 * A compressed sparse row (CSR) matrix on typed arrays.
 *
 * Row `r` holds the entries `indptr[r] … indptr[r+1]-1`: column `indices[j]`, value `data[j]`,
 * with columns strictly increasing inside a row. Treat it as immutable: every function in recokit
 * returns a new matrix and never writes to its inputs.
 */
export interface Csr {
  readonly nRows: number;
  readonly nCols: number;
  /** Row pointers, length `nRows + 1`, `indptr[0] = 0`, `indptr[nRows] = nnz`. */
  readonly indptr: Int32Array;
  /** Column of each stored entry, sorted strictly increasing within a row. */
  readonly indices: Int32Array;
  /** Value of each stored entry. */
  readonly data: Float;
}

/** How entries that share a (row, column) cell combine when a matrix is built. */
export type DuplicateRule = "sum" | "max" | "last" | "count";

/** COO triplets: parallel arrays of row, column and (optional, default 1) value. */
export interface Triplets {
  readonly rows: ArrayLike<number>;
  readonly cols: ArrayLike<number>;
  /** Values; when absent every entry is 1. */
  readonly values?: ArrayLike<number>;
}

/** Options of {@link csrFromTriplets}. */
export interface CsrFromTripletsOptions {
  /** Number of rows; default `max(row) + 1` (0 for no entries). */
  readonly nRows?: number;
  /** Number of columns; default `max(col) + 1` (0 for no entries). */
  readonly nCols?: number;
  /**
   * How duplicate cells combine (default `"sum"`): `sum` adds values, `max` keeps the largest,
   * `last` keeps the value that came last in input order, `count` stores how many entries fell
   * in the cell (values are ignored).
   */
  readonly duplicates?: DuplicateRule;
  /** Value storage (default `"float64"`); `"float32"` halves the memory of `data`. */
  readonly dtype?: "float64" | "float32";
}

const WHERE = "csrFromTriplets";

/** Number of stored entries. */
export function nnz(m: Csr): number {
  return m.indptr[m.nRows]!;
}

/** Allocates a value array of the same kind as `like`. @internal */
export function allocLike(like: Float, n: number, allocate?: BufferAllocator): Float {
  if (like instanceof Float32Array) return allocate ? new Float32Array(allocate(4 * n)) : new Float32Array(n);
  return float64s(n, allocate);
}

/**
 * Where a function puts the memory of the arrays it returns: given a byte length, a fresh
 * zero-filled buffer. `(bytes) => new SharedArrayBuffer(bytes)` makes results that worker threads
 * can read without a copy.
 */
export type BufferAllocator = (byteLength: number) => ArrayBuffer | SharedArrayBuffer;

/** A zero-filled Float32Array of length n, in memory from `allocate` when given. @internal */
export function float32s(n: number, allocate?: BufferAllocator): Float32Array {
  return allocate ? new Float32Array(allocate(4 * n)) : new Float32Array(n);
}

/**
 * Whether every value is exactly representable as a 32-bit float (small integers such as ratings
 * and counts are): stored as Float32 they read back unchanged, so arithmetic on them gives the
 * same results to the last bit with half the memory traffic. @internal
 */
export function isFloat32Exact(values: Float): boolean {
  if (values instanceof Float32Array) return true;
  for (let j = 0; j < values.length; j++) if (Math.fround(values[j]!) !== values[j]) return false;
  return true;
}

/** A zero-filled Int32Array of length n, in memory from `allocate` when given. @internal */
export function int32s(n: number, allocate?: BufferAllocator): Int32Array {
  return allocate ? new Int32Array(allocate(4 * n)) : new Int32Array(n);
}

/** A zero-filled Float64Array of length n, in memory from `allocate` when given. @internal */
export function float64s(n: number, allocate?: BufferAllocator): Float64Array {
  return allocate ? new Float64Array(allocate(8 * n)) : new Float64Array(n);
}

/**
 * Builds a CSR matrix from COO triplets. Entries are ordered by row, then column; entries that fall
 * in the same cell combine by the `duplicates` rule. Runs in O(nnz + nRows + nCols) with two stable
 * counting sorts; the result takes 4·(nRows+1) + 12·nnz bytes (8·nnz with `float32`).
 *
 * @param triplets - parallel row / column / value arrays (not modified)
 * @param options - shape, duplicate rule and value type
 * @returns a new {@link Csr}
 * @throws RecokitError `INVALID_INPUT` when arrays differ in length, an index is not an integer in
 *   range, or a value is not finite.
 *
 * @example
 * ```ts
 * import { csrFromTriplets } from "recokit";
 * const m = csrFromTriplets({ rows: [0, 1, 0, 0], cols: [2, 0, 2, 1], values: [1, 5, 2, 3] });
 * // row 0: col 1 → 3, col 2 → 1 + 2 = 3; row 1: col 0 → 5
 * Array.from(m.indptr);  // [0, 2, 3]
 * Array.from(m.indices); // [1, 2, 0]
 * Array.from(m.data);    // [3, 3, 5]
 * ```
 */
export function csrFromTriplets(triplets: Triplets, options: CsrFromTripletsOptions = {}): Csr {
  const { rows, cols, values } = triplets;
  const n = rows.length;
  if (cols.length !== n || (values !== undefined && values.length !== n)) {
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `rows, cols and values must have the same length (got ${n}, ${cols.length}, ${values?.length ?? "none"})`,
    );
  }
  const rule = options.duplicates ?? "sum";
  if (rule !== "sum" && rule !== "max" && rule !== "last" && rule !== "count") {
    throw new RecokitError("INVALID_INPUT", WHERE, `unknown duplicates rule ${JSON.stringify(rule)}`);
  }
  const nRows = options.nRows ?? maxPlusOne(rows);
  const nCols = options.nCols ?? maxPlusOne(cols);
  assertInteger(WHERE, "nRows", nRows, 0, 2 ** 31 - 2);
  assertInteger(WHERE, "nCols", nCols, 0, 2 ** 31 - 2);
  validateTriplets(rows, cols, values, nRows, nCols);

  const order = sortByRowThenCol(rows, cols, nRows, nCols);
  return combineSorted(rows, cols, values, order, nRows, nCols, rule, options.dtype ?? "float64");
}

/**
 * Builds several matrices over one sparsity pattern from the same (already validated) triplets
 * with a single sort: one value layer per entry of `layers`, each with its own duplicate rule.
 * The matrices share `indptr` and `indices`. @internal
 */
export function csrLayersFromTriplets(
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  nRows: number,
  nCols: number,
  layers: readonly {
    readonly values: ArrayLike<number>;
    readonly duplicates: DuplicateRule;
    readonly dtype?: "float64" | "float32";
  }[],
): Csr[] {
  const order = sortByRowThenCol(rows, cols, nRows, nCols);
  let first: Csr | undefined;
  return layers.map((layer) => {
    const m = combineSorted(
      rows,
      cols,
      layer.values,
      order,
      nRows,
      nCols,
      layer.duplicates,
      layer.dtype ?? "float64",
    );
    first ??= m;
    return { ...m, indptr: first.indptr, indices: first.indices };
  });
}

function maxPlusOne(a: ArrayLike<number>): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m + 1;
}

function validateTriplets(
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values: ArrayLike<number> | undefined,
  nRows: number,
  nCols: number,
): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const c = cols[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= nRows) {
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `entry ${i}: row ${r} is not an integer in [0, ${nRows})`,
      );
    }
    if (!Number.isInteger(c) || c < 0 || c >= nCols) {
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `entry ${i}: column ${c} is not an integer in [0, ${nCols})`,
      );
    }
    if (values !== undefined && !Number.isFinite(values[i])) {
      throw new RecokitError("INVALID_INPUT", WHERE, `entry ${i}: value ${values[i]} is not a finite number`);
    }
  }
}

/** Stable counting sort by column, then by row: entries end up ordered by (row, col, input order). */
function sortByRowThenCol(
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  nRows: number,
  nCols: number,
): Int32Array {
  const n = rows.length;
  const byCol = new Int32Array(n);
  const colStart = new Int32Array(nCols + 1);
  for (let i = 0; i < n; i++) colStart[cols[i]! + 1]!++;
  for (let c = 0; c < nCols; c++) colStart[c + 1]! += colStart[c]!;
  for (let i = 0; i < n; i++) byCol[colStart[cols[i]!]!++] = i;

  const order = new Int32Array(n);
  const rowStart = new Int32Array(nRows + 1);
  for (let i = 0; i < n; i++) rowStart[rows[i]! + 1]!++;
  for (let r = 0; r < nRows; r++) rowStart[r + 1]! += rowStart[r]!;
  for (let j = 0; j < n; j++) {
    const i = byCol[j]!;
    order[rowStart[rows[i]!]!++] = i;
  }
  return order;
}

function combineSorted(
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values: ArrayLike<number> | undefined,
  order: Int32Array,
  nRows: number,
  nCols: number,
  rule: DuplicateRule,
  dtype: "float64" | "float32",
): Csr {
  const n = order.length;
  let unique = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    if (j === 0) unique++;
    else {
      const p = order[j - 1]!;
      if (rows[i] !== rows[p] || cols[i] !== cols[p]) unique++;
    }
  }
  const indptr = new Int32Array(nRows + 1);
  const indices = new Int32Array(unique);
  const data = dtype === "float32" ? new Float32Array(unique) : new Float64Array(unique);
  let out = -1;
  let prevRow = -1;
  let prevCol = -1;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    const r = rows[i]!;
    const c = cols[i]!;
    const v = rule === "count" ? 1 : values === undefined ? 1 : values[i]!;
    if (r !== prevRow || c !== prevCol) {
      out++;
      indices[out] = c;
      data[out] = v;
      indptr[r + 1]!++;
      prevRow = r;
      prevCol = c;
    } else if (rule === "sum" || rule === "count") data[out]! += v;
    else if (rule === "max") data[out] = Math.max(data[out]!, v);
    else data[out] = v; // last: input order is preserved within a cell
  }
  for (let r = 0; r < nRows; r++) indptr[r + 1]! += indptr[r]!;
  return { nRows, nCols, indptr, indices, data };
}

/**
 * Checks that `m` is a well-formed CSR matrix (lengths, pointer monotonicity, sorted in-range
 * columns, finite values). Used at public boundaries that accept a caller's matrix.
 *
 * @throws RecokitError `INVALID_INPUT` naming the first defect found.
 * @example
 * ```ts
 * import { assertCsr, csrFromTriplets } from "recokit";
 * assertCsr("myFunction", csrFromTriplets({ rows: [0], cols: [0] })); // passes
 * ```
 */
export function assertCsr(where: string, m: Csr): void {
  const bad = (detail: string): never => {
    throw new RecokitError("INVALID_INPUT", where, `matrix: ${detail}`);
  };
  if (m === null || typeof m !== "object") bad("not a Csr object");
  if (!Number.isInteger(m.nRows) || m.nRows < 0 || !Number.isInteger(m.nCols) || m.nCols < 0)
    bad("bad shape");
  if (!(m.indptr instanceof Int32Array) || m.indptr.length !== m.nRows + 1)
    bad("indptr must be Int32Array(nRows+1)");
  if (!(m.indices instanceof Int32Array)) bad("indices must be an Int32Array");
  if (!(m.data instanceof Float64Array || m.data instanceof Float32Array))
    bad("data must be a Float64Array or Float32Array");
  const total = m.indptr[m.nRows]!;
  if (m.indptr[0] !== 0 || m.indices.length !== total || m.data.length !== total)
    bad("indptr does not match indices/data");
  for (let r = 0; r < m.nRows; r++) {
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    if (end < start) bad(`row ${r}: decreasing indptr`);
    for (let j = start; j < end; j++) {
      const c = m.indices[j]!;
      if (c < 0 || c >= m.nCols) bad(`row ${r}: column ${c} out of range`);
      if (j > start && c <= m.indices[j - 1]!) bad(`row ${r}: columns not strictly increasing`);
      if (!Number.isFinite(m.data[j]!)) bad(`row ${r}: value ${m.data[j]} is not finite`);
    }
  }
}

/**
 * The transpose of `m`, in O(nnz + nCols). Transposing twice gives back an equal matrix.
 * Within each row of the result, entries are in increasing column order.
 *
 * @param m - the matrix
 * @param positions - optional, of length nnz(m): receives, for each stored entry of `m`, its index
 *   in the result's `indices`/`data`
 * @param allocate - optional: where the result's arrays live (e.g. shared memory for workers)
 * @throws RecokitError `INVALID_INPUT` when `positions` has the wrong length.
 * @example
 * ```ts
 * import { csrFromTriplets, transpose } from "recokit";
 * const t = transpose(csrFromTriplets({ rows: [0, 0, 1], cols: [0, 2, 1], values: [1, 2, 3] }));
 * [t.nRows, t.nCols]; // [3, 2]
 * ```
 */
export function transpose(m: Csr, positions?: Int32Array, allocate?: BufferAllocator): Csr {
  const total = nnz(m);
  if (positions !== undefined && positions.length !== total) {
    throw new RecokitError(
      "INVALID_INPUT",
      "transpose",
      `positions must have one slot per stored entry (${total}), got ${positions.length}`,
    );
  }
  const t = emptyTranspose(m, m.data, allocate);
  fillTransposeColumns(m, t, positions, 0, m.nCols);
  return t;
}

/**
 * The transpose of `m` with its row pointers set and its entries still to be filled by
 * {@link fillTransposeColumns}; values stored as those of `like`. @internal
 */
export function emptyTranspose(m: Csr, like: Float, allocate?: BufferAllocator): Csr {
  const total = nnz(m);
  return {
    nRows: m.nCols,
    nCols: m.nRows,
    indptr: transposeIndptr(m, allocate),
    indices: int32s(total, allocate),
    data: allocLike(like, total, allocate),
  };
}

/** Row pointers of the transpose of `m`: each column's stored entries, accumulated. @internal */
export function transposeIndptr(m: Csr, allocate?: BufferAllocator): Int32Array {
  const total = nnz(m);
  const indptr = int32s(m.nCols + 1, allocate);
  for (let j = 0; j < total; j++) indptr[m.indices[j]! + 1]!++;
  for (let c = 0; c < m.nCols; c++) indptr[c + 1]! += indptr[c]!;
  return indptr;
}

/**
 * Writes columns [from, to) of `m` as rows of `t`, whose `indptr` is `transposeIndptr(m)`; with
 * `positions`, records where each of those entries of `m` went. Rows are read in order, so each
 * row of `t` lists them in increasing index. Disjoint column ranges touch disjoint memory, so
 * workers sharing `t` can fill one range each. @internal
 */
export function fillTransposeColumns(
  m: Csr,
  t: Csr,
  positions: Int32Array | undefined,
  from: number,
  to: number,
): void {
  // next[c - from]: where column c's next entry goes
  const next = t.indptr.slice(from, to);
  const { indices, data } = t;
  const whole = from === 0 && to === m.nCols;
  for (let r = 0; r < m.nRows; r++) {
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
      const c = m.indices[j]!;
      if (!whole && (c < from || c >= to)) continue;
      const dst = next[c - from]!++;
      indices[dst] = r;
      data[dst] = m.data[j]!;
      if (positions !== undefined) positions[j] = dst;
    }
  }
}

/**
 * The range [from, to) of part `part` of `parts` when the items 0..n−1, item i weighing
 * `cumulative[i + 1] − cumulative[i]` (row pointers, say), are cut into consecutive runs of about
 * equal weight. The parts cover 0..n−1 in order, without overlap. @internal
 */
export function balancedRange(
  cumulative: Int32Array,
  n: number,
  part: number,
  parts: number,
): [number, number] {
  const total = cumulative[n]! - cumulative[0]!;
  // first item whose run starts at or after the part's share of the weight
  const cut = (p: number): number => {
    if (p <= 0) return 0;
    if (p >= parts) return n;
    const target = cumulative[0]! + (total * p) / parts;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [cut(part), cut(part + 1)];
}

/** A view of one row: its columns and values (subarrays sharing the matrix's memory; do not write). */
export interface SparseRow {
  readonly indices: Int32Array;
  readonly values: Float;
}

/**
 * Row `r` of `m` as column indices and values, without copying.
 * @throws RecokitError `INVALID_INPUT` when `r` is out of range.
 * @example
 * ```ts
 * import { csrFromTriplets, getRow } from "recokit";
 * const row = getRow(csrFromTriplets({ rows: [0, 0], cols: [1, 3], values: [2, 4] }), 0);
 * Array.from(row.indices); // [1, 3]
 * ```
 */
export function getRow(m: Csr, r: number): SparseRow {
  assertInteger("getRow", "row", r, 0, m.nRows - 1);
  const start = m.indptr[r]!;
  const end = m.indptr[r + 1]!;
  return { indices: m.indices.subarray(start, end), values: m.data.subarray(start, end) };
}

/**
 * Column `c` of `m` as row indices and values (a copy), in O(nnz). For many columns, transpose once.
 * @example
 * ```ts
 * import { csrFromTriplets, getColumn } from "recokit";
 * const col = getColumn(csrFromTriplets({ rows: [0, 2], cols: [1, 1], values: [2, 4] }), 1);
 * Array.from(col.indices); // [0, 2]
 * ```
 */
export function getColumn(m: Csr, c: number): SparseRow {
  assertInteger("getColumn", "column", c, 0, m.nCols - 1);
  const rowsOut: number[] = [];
  const valsOut: number[] = [];
  for (let r = 0; r < m.nRows; r++) {
    const j = findInRow(m, r, c);
    if (j >= 0) {
      rowsOut.push(r);
      valsOut.push(m.data[j]!);
    }
  }
  const values = allocLike(m.data, valsOut.length);
  values.set(valsOut);
  return { indices: Int32Array.from(rowsOut), values };
}

/** Position of column `c` in row `r` (binary search), or -1. @internal */
export function findInRow(m: Csr, r: number, c: number): number {
  let lo = m.indptr[r]!;
  let hi = m.indptr[r + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = m.indices[mid]!;
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The value at (r, c), 0 when the cell is not stored. O(log row length).
 * @example
 * ```ts
 * import { csrFromTriplets, getValue } from "recokit";
 * getValue(csrFromTriplets({ rows: [0], cols: [1], values: [7] }), 0, 1); // 7
 * ```
 */
export function getValue(m: Csr, r: number, c: number): number {
  assertInteger("getValue", "row", r, 0, m.nRows - 1);
  assertInteger("getValue", "column", c, 0, m.nCols - 1);
  const j = findInRow(m, r, c);
  return j < 0 ? 0 : m.data[j]!;
}

/**
 * Sum of each row's stored values.
 * @example
 * ```ts
 * import { csrFromTriplets, rowSums } from "recokit";
 * Array.from(rowSums(csrFromTriplets({ rows: [0, 0, 1], cols: [0, 1, 0], values: [1, 2, 3] }))); // [3, 3]
 * ```
 */
export function rowSums(m: Csr): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) {
    let s = 0;
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) s += m.data[j]!;
    out[r] = s;
  }
  return out;
}

/**
 * Sum of each column's stored values.
 * @example
 * ```ts
 * import { csrFromTriplets, colSums } from "recokit";
 * Array.from(colSums(csrFromTriplets({ rows: [0, 1], cols: [1, 1], values: [1, 2] }))); // [0, 3]
 * ```
 */
export function colSums(m: Csr): Float64Array {
  const out = new Float64Array(m.nCols);
  const total = nnz(m);
  for (let j = 0; j < total; j++) out[m.indices[j]!]! += m.data[j]!;
  return out;
}

/**
 * Number of stored entries of each row.
 * @param m - the matrix
 * @param allocate - optional: where the result lives (e.g. shared memory for workers)
 * @example
 * ```ts
 * import { csrFromTriplets, rowCounts } from "recokit";
 * Array.from(rowCounts(csrFromTriplets({ rows: [0, 0, 2], cols: [0, 1, 0] }))); // [2, 0, 1]
 * ```
 */
export function rowCounts(m: Csr, allocate?: BufferAllocator): Int32Array {
  const out = int32s(m.nRows, allocate);
  for (let r = 0; r < m.nRows; r++) out[r] = m.indptr[r + 1]! - m.indptr[r]!;
  return out;
}

/**
 * Number of stored entries of each column (document frequency, item popularity).
 * @example
 * ```ts
 * import { csrFromTriplets, colCounts } from "recokit";
 * Array.from(colCounts(csrFromTriplets({ rows: [0, 1, 1], cols: [1, 1, 0] }))); // [1, 2]
 * ```
 */
export function colCounts(m: Csr): Int32Array {
  const out = new Int32Array(m.nCols);
  const total = nnz(m);
  for (let j = 0; j < total; j++) out[m.indices[j]!]!++;
  return out;
}

/**
 * Euclidean (L2) norm of each row: the squares of its stored values summed in stored order, then the
 * square root (every norm in recokit is computed this way, so similarities agree to the last bit).
 * @param m - the matrix
 * @param allocate - optional: where the result lives (e.g. shared memory for workers)
 * @example
 * ```ts
 * import { csrFromTriplets, rowNorms } from "recokit";
 * Array.from(rowNorms(csrFromTriplets({ rows: [0, 0], cols: [0, 1], values: [3, 4] }))); // [5]
 * ```
 */
export function rowNorms(m: Csr, allocate?: BufferAllocator): Float64Array {
  const out = float64s(m.nRows, allocate);
  fillRowNorms(m, out, 0, m.nRows);
  return out;
}

/** Writes the norms of rows [from, to) of `m` (as {@link rowNorms}) into `out`. @internal */
export function fillRowNorms(m: Csr, out: Float64Array, from: number, to: number): void {
  for (let r = from; r < to; r++) {
    let s = 0;
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) s += m.data[j]! * m.data[j]!;
    out[r] = Math.sqrt(s);
  }
}

/**
 * Row i of the result is row order[i] of m, with values stored as `dtype` (Float64 by default;
 * `"float32"` only for values that {@link isFloat32Exact} accepts, or they are rounded). Shares m
 * when the order is the identity, m already stores that type and no allocator asks for fresh
 * memory. @internal
 */
export function permuteRows(
  m: Csr,
  order: Int32Array,
  allocate?: BufferAllocator,
  dtype: "float64" | "float32" = "float64",
): Csr {
  const wide = dtype === "float64";
  let identity =
    (wide ? m.data instanceof Float64Array : m.data instanceof Float32Array) && allocate === undefined;
  for (let i = 0; i < order.length && identity; i++) identity = order[i] === i;
  if (identity) return m;
  const out = emptyPermutedRows(m, order, dtype, allocate);
  fillPermutedRows(m, order, out, 0, order.length);
  return out;
}

/**
 * `permuteRows(m, order, allocate, dtype)` with its row pointers set and its entries still to be
 * filled by {@link fillPermutedRows}. @internal
 */
export function emptyPermutedRows(
  m: Csr,
  order: Int32Array,
  dtype: "float64" | "float32",
  allocate?: BufferAllocator,
): Csr {
  const total = m.indices.length;
  return {
    nRows: m.nRows,
    nCols: m.nCols,
    indptr: permutedIndptr(m, order, allocate),
    indices: int32s(total, allocate),
    data: dtype === "float64" ? float64s(total, allocate) : float32s(total, allocate),
  };
}

/** Row pointers of `permuteRows(m, order)`. @internal */
export function permutedIndptr(m: Csr, order: Int32Array, allocate?: BufferAllocator): Int32Array {
  const indptr = int32s(m.nRows + 1, allocate);
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    indptr[i + 1] = indptr[i]! + m.indptr[r + 1]! - m.indptr[r]!;
  }
  return indptr;
}

/**
 * Copies rows order[i] of `m`, for i in [from, to), to row i of `out`, whose `indptr` is
 * `permutedIndptr(m, order)`. Disjoint ranges touch disjoint memory. @internal
 */
export function fillPermutedRows(m: Csr, order: Int32Array, out: Csr, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const r = order[i]!;
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    out.indices.set(m.indices.subarray(start, end), out.indptr[i]!);
    out.data.set(m.data.subarray(start, end), out.indptr[i]!);
  }
}

/** A copy of `m` whose values are `f(value, row, col)`; the sparsity pattern is kept. @internal */
export function mapValues(m: Csr, f: (v: number, r: number, c: number) => number): Csr {
  const data = allocLike(m.data, m.data.length);
  for (let r = 0; r < m.nRows; r++) {
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) data[j] = f(m.data[j]!, r, m.indices[j]!);
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}

/**
 * Scales each row (or column) to unit L2 norm; all-zero rows (columns) stay zero.
 * `x'[r,c] = x[r,c] / ‖x[r,·]‖₂` (by rows) or `x[r,c] / ‖x[·,c]‖₂` (by columns).
 *
 * @param axis - `"rows"` (default) or `"cols"`
 * @example
 * ```ts
 * import { csrFromTriplets, l2Normalize } from "recokit";
 * const m = l2Normalize(csrFromTriplets({ rows: [0, 0], cols: [0, 1], values: [3, 4] }));
 * Array.from(m.data); // [0.6, 0.8]
 * ```
 */
export function l2Normalize(m: Csr, axis: "rows" | "cols" = "rows"): Csr {
  if (axis === "rows") {
    const norms = rowNorms(m);
    return mapValues(m, (v, r) => (norms[r]! > 0 ? v / norms[r]! : 0));
  }
  if (axis === "cols") {
    const sq = new Float64Array(m.nCols);
    for (let j = 0; j < m.data.length; j++) sq[m.indices[j]!]! += m.data[j]! * m.data[j]!;
    return mapValues(m, (v, _r, c) => (sq[c]! > 0 ? v / Math.sqrt(sq[c]!) : 0));
  }
  throw new RecokitError(
    "INVALID_INPUT",
    "l2Normalize",
    `axis must be "rows" or "cols", got ${String(axis)}`,
  );
}

/**
 * Every stored non-zero becomes 1; stored zeros are removed.
 * @example
 * ```ts
 * import { binarize, csrFromTriplets } from "recokit";
 * Array.from(binarize(csrFromTriplets({ rows: [0, 0], cols: [0, 1], values: [5, 0] })).data); // [1]
 * ```
 */
export function binarize(m: Csr): Csr {
  return filterEntries(
    m,
    (v) => v !== 0,
    () => 1,
  );
}

/** Keeps the entries for which `keep(v)` holds, with values `value(v)`. @internal */
export function filterEntries(m: Csr, keep: (v: number) => boolean, value: (v: number) => number): Csr {
  const indptr = new Int32Array(m.nRows + 1);
  let count = 0;
  for (let j = 0; j < m.data.length; j++) if (keep(m.data[j]!)) count++;
  const indices = new Int32Array(count);
  const data = allocLike(m.data, count);
  let out = 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
      const v = m.data[j]!;
      if (!keep(v)) continue;
      indices[out] = m.indices[j]!;
      data[out] = value(v);
      out++;
    }
    indptr[r + 1] = out;
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr, indices, data };
}

/**
 * The mean of each row's stored values (0 for an empty row).
 * @example
 * ```ts
 * import { csrFromTriplets, rowMeans } from "recokit";
 * Array.from(rowMeans(csrFromTriplets({ rows: [0, 0], cols: [0, 1], values: [2, 4] }))); // [3]
 * ```
 */
export function rowMeans(m: Csr): Float64Array {
  const sums = rowSums(m);
  for (let r = 0; r < m.nRows; r++) {
    const count = m.indptr[r + 1]! - m.indptr[r]!;
    sums[r] = count > 0 ? sums[r]! / count : 0;
  }
  return sums;
}

/**
 * Subtracts from each stored value its row's mean over the stored entries
 * (`x'[r,c] = x[r,c] − mean_r`). The sparsity pattern is kept: a value equal to its row mean is
 * stored as an explicit 0, so "co-rated" support is preserved for Pearson-style similarities.
 *
 * @example
 * ```ts
 * import { centerRows, csrFromTriplets } from "recokit";
 * Array.from(centerRows(csrFromTriplets({ rows: [0, 0], cols: [0, 1], values: [2, 4] })).data); // [-1, 1]
 * ```
 */
export function centerRows(m: Csr): Csr {
  const means = rowMeans(m);
  return mapValues(m, (v, r) => v - means[r]!);
}

/** Options of {@link tfidf}. */
export interface TfidfOptions {
  /** Term-frequency transform: `raw` (default), `log` (1 + ln tf), `binary` (1). */
  readonly tf?: "raw" | "log" | "binary";
  /** IDF: `smooth` (default) ln((1+N)/(1+df)) + 1, or `plain` ln(N/df). */
  readonly idf?: "smooth" | "plain";
  /** L2-normalise each row afterwards (default false). */
  readonly normalize?: boolean;
}

/**
 * TF-IDF weighting with rows as documents and columns as terms: `w = tf(x) · idf(col)`, with
 * N = number of rows and df = number of rows in which the column is stored. The smooth IDF is the
 * one scikit-learn uses by default.
 *
 * @example
 * ```ts
 * import { csrFromTriplets, tfidf } from "recokit";
 * // term 0 in both documents, term 1 only in document 0
 * const w = tfidf(csrFromTriplets({ rows: [0, 0, 1], cols: [0, 1, 0] }), { idf: "plain" });
 * Array.from(w.data); // [0, Math.log(2), 0]
 * ```
 */
export function tfidf(m: Csr, options: TfidfOptions = {}): Csr {
  const tfMode = options.tf ?? "raw";
  const idfMode = options.idf ?? "smooth";
  const df = colCounts(m);
  const n = m.nRows;
  const idf = new Float64Array(m.nCols);
  for (let c = 0; c < m.nCols; c++) {
    switch (idfMode) {
      case "smooth":
        idf[c] = Math.log((1 + n) / (1 + df[c]!)) + 1;
        break;
      case "plain":
        idf[c] = df[c]! > 0 ? Math.log(n / df[c]!) : 0;
        break;
      default:
        throw new RecokitError("INVALID_INPUT", "tfidf", `unknown idf mode ${JSON.stringify(idfMode)}`);
    }
  }
  const tf = (v: number): number => {
    switch (tfMode) {
      case "raw":
        return v;
      case "log":
        return v > 0 ? 1 + Math.log(v) : 0;
      case "binary":
        return v !== 0 ? 1 : 0;
      default:
        throw new RecokitError("INVALID_INPUT", "tfidf", `unknown tf mode ${JSON.stringify(tfMode)}`);
    }
  };
  const out = mapValues(m, (v, _r, c) => tf(v) * idf[c]!);
  return options.normalize ? l2Normalize(out) : out;
}

/** Options of {@link bm25}. */
export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  readonly k1?: number;
  /** Length normalisation strength in [0, 1] (default 0.75). */
  readonly b?: number;
}

/**
 * Okapi BM25 weighting with rows as documents and columns as terms:
 * `w = x·(k1+1) / (x + k1·(1 − b + b·len_r/avgLen)) · idf(col)`, where `len_r` is the row's value
 * sum and `idf = ln(1 + (N − df + 0.5)/(df + 0.5))` (the always-positive Lucene form).
 * Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond" (2009).
 *
 * @example
 * ```ts
 * import { bm25, csrFromTriplets } from "recokit";
 * const w = bm25(csrFromTriplets({ rows: [0, 1], cols: [0, 1] }), { k1: 1.2, b: 0 });
 * w.data[0]; // Math.log(1 + 1.5 / 1.5) ≈ 0.693
 * ```
 */
export function bm25(m: Csr, options: Bm25Options = {}): Csr {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  if (!(k1 >= 0) || !(b >= 0 && b <= 1)) {
    throw new RecokitError("INVALID_INPUT", "bm25", `need k1 >= 0 and b in [0, 1], got k1=${k1}, b=${b}`);
  }
  const df = colCounts(m);
  const n = m.nRows;
  const lengths = rowSums(m);
  let avg = 0;
  for (let r = 0; r < n; r++) avg += lengths[r]!;
  avg = n > 0 ? avg / n : 0;
  return mapValues(m, (v, r, c) => {
    const norm = avg > 0 ? 1 - b + (b * lengths[r]!) / avg : 1;
    const idf = Math.log(1 + (n - df[c]! + 0.5) / (df[c]! + 0.5));
    const denom = v + k1 * norm;
    return denom !== 0 ? ((v * (k1 + 1)) / denom) * idf : 0;
  });
}

/** Largest dense matrix (cells) that {@link toDense} will allocate. */
export const MAX_DENSE_CELLS = 50_000_000;

/**
 * A dense ml-matrix copy of `m`, for small matrices, tests and dense linear algebra.
 * @throws RecokitError `TOO_LARGE` when nRows × nCols exceeds {@link MAX_DENSE_CELLS}, before allocating.
 * @example
 * ```ts
 * import { csrFromTriplets, toDense } from "recokit";
 * toDense(csrFromTriplets({ rows: [1], cols: [0], values: [2] })).to2DArray(); // [[0], [2]]
 * ```
 */
export function toDense(m: Csr): Matrix {
  if (m.nRows * m.nCols > MAX_DENSE_CELLS) {
    throw new RecokitError(
      "TOO_LARGE",
      "toDense",
      `${m.nRows} × ${m.nCols} = ${m.nRows * m.nCols} cells exceeds the dense limit of ${MAX_DENSE_CELLS}`,
    );
  }
  const out = new Matrix(m.nRows, m.nCols);
  for (let r = 0; r < m.nRows; r++) {
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) out.set(r, m.indices[j]!, m.data[j]!);
  }
  return out;
}

/**
 * A CSR copy of a dense matrix (an ml-matrix `Matrix` or an array of equal-length rows);
 * exact zeros are not stored.
 * @throws RecokitError `INVALID_INPUT` for ragged rows or non-finite values.
 * @example
 * ```ts
 * import { csrFromDense } from "recokit";
 * csrFromDense([[0, 1], [2, 0]]).data; // Float64Array [1, 2]
 * ```
 */
export function csrFromDense(dense: Matrix | readonly (readonly number[])[]): Csr {
  const rowsArr = dense instanceof Matrix ? dense.to2DArray() : dense;
  const nRows = rowsArr.length;
  const nCols = nRows > 0 ? rowsArr[0]!.length : 0;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < nRows; i++) {
    const row = rowsArr[i]!;
    if (row.length !== nCols)
      throw new RecokitError(
        "INVALID_INPUT",
        "csrFromDense",
        `row ${i} has ${row.length} columns, expected ${nCols}`,
      );
    for (let j = 0; j < nCols; j++) {
      const x = row[j]!;
      if (!Number.isFinite(x))
        throw new RecokitError("INVALID_INPUT", "csrFromDense", `cell (${i}, ${j}) is not finite`);
      if (x !== 0) {
        r.push(i);
        c.push(j);
        v.push(x);
      }
    }
  }
  return csrFromTriplets({ rows: r, cols: c, values: v }, { nRows, nCols });
}

/**
 * Bytes held by the matrix's typed arrays.
 * @example
 * ```ts
 * import { csrBytes, csrFromTriplets } from "recokit";
 * csrBytes(csrFromTriplets({ rows: [0], cols: [0] })); // 4·2 + 4 + 8 = 20
 * ```
 */
export function csrBytes(m: Csr): number {
  return m.indptr.byteLength + m.indices.byteLength + m.data.byteLength;
}
