import type { Csr } from "../../src/core/index.js";
import type { SimilarityMetric } from "../../src/similarity/index.js";
import { denseOf } from "../helpers.js";

/** Options of the brute-force reference, mirroring topKSimilarity's. */
export interface ReferenceOptions {
  k: number;
  metric: SimilarityMetric;
  shrinkage?: number;
  minSupport?: number;
  minSimilarity?: number;
  includeSelf?: boolean;
  exclude?: Set<string>;
}

/**
 * Dense, pair-by-pair, two-pass reference implementation of every metric, written straight from
 * the definitions (no shared code with the kernel). Returns each row's [neighbour, similarity] list.
 */
export function bruteForceNeighbors(m: Csr, o: ReferenceOptions): [number, number][][] {
  const dense = denseOf(m);
  const stored = Array.from({ length: m.nRows }, () => new Array<boolean>(m.nCols).fill(false));
  for (let r = 0; r < m.nRows; r++)
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) stored[r]![m.indices[j]!] = true;
  let rows = dense;
  if (o.metric === "adjustedCosine") {
    const means = Array.from({ length: m.nCols }, (_, c) => {
      const vals = dense
        .map((row, r) => [row[c]!, stored[r]![c]] as const)
        .filter(([, s]) => s)
        .map(([v]) => v);
      return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
    });
    rows = dense.map((row, r) => row.map((v, c) => (stored[r]![c] ? v - means[c]! : 0)));
  }
  const out: [number, number][][] = [];
  for (let r = 0; r < m.nRows; r++) {
    const cands: [number, number][] = [];
    for (let s = 0; s < m.nRows; s++) {
      if (s === r && !o.includeSelf) continue;
      if (o.exclude?.has(`${r},${s}`)) continue;
      const common: number[] = [];
      for (let c = 0; c < m.nCols; c++) if (stored[r]![c] && stored[s]![c]) common.push(c);
      const n = common.length;
      if (n === 0 || n < (o.minSupport ?? 1)) continue;
      const x = rows[r]!;
      const y = rows[s]!;
      const cx = stored[r]!.filter(Boolean).length;
      const cy = stored[s]!.filter(Boolean).length;
      let sim: number;
      switch (o.metric) {
        case "cosine":
        case "adjustedCosine": {
          const dot = common.reduce((a, c) => a + x[c]! * y[c]!, 0);
          const nx = Math.sqrt(x.reduce((a, v) => a + v * v, 0));
          const ny = Math.sqrt(y.reduce((a, v) => a + v * v, 0));
          sim = nx * ny > 0 ? dot / (nx * ny) : 0;
          break;
        }
        case "dot":
          sim = common.reduce((a, c) => a + x[c]! * y[c]!, 0);
          break;
        case "pearson": {
          const mx = common.reduce((a, c) => a + x[c]!, 0) / n;
          const my = common.reduce((a, c) => a + y[c]!, 0) / n;
          const num = common.reduce((a, c) => a + (x[c]! - mx) * (y[c]! - my), 0);
          const vx = common.reduce((a, c) => a + (x[c]! - mx) ** 2, 0);
          const vy = common.reduce((a, c) => a + (y[c]! - my) ** 2, 0);
          sim = vx > 1e-12 && vy > 1e-12 ? num / Math.sqrt(vx * vy) : 0;
          break;
        }
        case "msd":
          sim = 1 / (common.reduce((a, c) => a + (x[c]! - y[c]!) ** 2, 0) / n + 1);
          break;
        case "jaccard":
          sim = n / (cx + cy - n);
          break;
        case "lift":
          sim = n / (cx * cy);
          break;
        case "inclusion":
          sim = n / Math.min(cx, cy);
          break;
        case "conditional":
          sim = n / cx;
          break;
      }
      if ((o.shrinkage ?? 0) > 0) sim *= n / (n + o.shrinkage!);
      if (!(sim > (o.minSimilarity ?? Number.NEGATIVE_INFINITY))) continue;
      cands.push([s, sim]);
    }
    cands.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    out.push(cands.slice(0, o.k));
  }
  return out;
}
