import type { Csr } from "../core/csr.js";
import { assertFinite, RecokitError } from "../core/errors.js";

/** How interaction values become profile weights (stored with the model). */
export interface ContentProfileConfig {
  /**
   * Value subtracted before weighting: `"none"` (default, implicit feedback), `"user"` (each user's
   * mean value: explicit ratings, so that below-average ratings count against their items' features)
   * or a constant such as 3 on a 1–5 scale.
   */
  readonly center: "none" | "user" | number;
  /** Multiplier of negative weights (after centring): 1 (default) keeps negative feedback, 0 ignores it. */
  readonly negativeWeight: number;
  /** Half-life of the time decay in days; `null` (default): no decay. */
  readonly halfLifeDays: number | null;
  /** The decay's reference time (epoch ms); default the latest training timestamp. */
  readonly now: number | null;
}

const DAY_MS = 86_400_000;

/** Validates and completes profile options. @internal */
export function resolveProfileConfig(
  where: string,
  options: {
    readonly center?: "none" | "user" | number;
    readonly negativeWeight?: number;
    readonly halfLifeDays?: number;
    readonly now?: number | Date;
  },
  timestamps: ArrayLike<number> | undefined,
): ContentProfileConfig {
  const center = options.center ?? "none";
  if (center !== "none" && center !== "user") assertFinite(where, "center", center);
  const negativeWeight = options.negativeWeight ?? 1;
  assertFinite(where, "negativeWeight", negativeWeight, 0);
  let halfLifeDays: number | null = null;
  if (options.halfLifeDays !== undefined) {
    assertFinite(where, "halfLifeDays", options.halfLifeDays, Number.MIN_VALUE);
    halfLifeDays = options.halfLifeDays;
  }
  let now: number | null = null;
  if (options.now !== undefined) {
    const t = options.now instanceof Date ? options.now.getTime() : options.now;
    assertFinite(where, "now", t);
    now = t;
  } else if (halfLifeDays !== null && timestamps !== undefined) {
    let latest = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < timestamps.length; j++) if (timestamps[j]! > latest) latest = timestamps[j]!;
    if (Number.isFinite(latest)) now = latest;
  }
  return { center, negativeWeight, halfLifeDays, now };
}

/**
 * Profile weight of each stored interaction: `(v − c_u) · (negativeWeight if negative) ·
 * 2^(−(now − t)/halfLife)`. Interactions without a timestamp (NaN) are not decayed; interactions
 * after `now` are not boosted (age clamped at 0). @internal
 */
export function interactionWeights(
  interactions: Csr,
  timestamps: ArrayLike<number> | undefined,
  config: ContentProfileConfig,
): Float64Array {
  const out = new Float64Array(interactions.data.length);
  const decay = config.halfLifeDays !== null && config.now !== null && timestamps !== undefined;
  const halfLifeMs = (config.halfLifeDays ?? 1) * DAY_MS;
  for (let u = 0; u < interactions.nRows; u++) {
    const start = interactions.indptr[u]!;
    const end = interactions.indptr[u + 1]!;
    let c = 0;
    if (config.center === "user") {
      let s = 0;
      for (let j = start; j < end; j++) s += interactions.data[j]!;
      c = end > start ? s / (end - start) : 0;
    } else if (config.center !== "none") c = config.center;
    for (let j = start; j < end; j++) {
      let w = interactions.data[j]! - c;
      if (w < 0) w *= config.negativeWeight;
      if (decay) {
        const t = timestamps[j]!;
        if (!Number.isNaN(t)) w *= 2 ** (-Math.max(0, config.now! - t) / halfLifeMs);
      }
      out[j] = w;
    }
  }
  return out;
}

/**
 * Sparse product `(users × items weights) · (items × features)`, row by row (Gustavson's
 * algorithm with a dense accumulator), each output row L2-normalised; rows that sum to nothing stay
 * empty. O(Σ_u Σ_{i ∈ u} nnz(x_i)) time. @internal
 */
export function buildProfiles(
  interactions: Csr,
  weights: Float64Array,
  itemFeatures: Csr,
  onRow?: (u: number) => void,
): Csr {
  const nFeatures = itemFeatures.nCols;
  const acc = new Float64Array(nFeatures);
  const mark = new Int32Array(nFeatures).fill(-1);
  const touched = new Int32Array(nFeatures);
  const indptr = new Int32Array(interactions.nRows + 1);
  let indices = new Int32Array(1024);
  let data = new Float64Array(1024);
  let nnz = 0;
  for (let u = 0; u < interactions.nRows; u++) {
    onRow?.(u);
    let nt = 0;
    for (let j = interactions.indptr[u]!; j < interactions.indptr[u + 1]!; j++) {
      const w = weights[j]!;
      if (w === 0) continue;
      const i = interactions.indices[j]!;
      for (let q = itemFeatures.indptr[i]!; q < itemFeatures.indptr[i + 1]!; q++) {
        const f = itemFeatures.indices[q]!;
        if (mark[f] !== u) {
          mark[f] = u;
          acc[f] = 0;
          touched[nt++] = f;
        }
        acc[f]! += w * itemFeatures.data[q]!;
      }
    }
    const cols = touched.subarray(0, nt).sort();
    let norm = 0;
    for (let t = 0; t < nt; t++) norm += acc[cols[t]!]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) {
      if (nnz + nt > indices.length) {
        const size = Math.max(indices.length * 2, nnz + nt);
        const ni = new Int32Array(size);
        ni.set(indices.subarray(0, nnz));
        const nd = new Float64Array(size);
        nd.set(data.subarray(0, nnz));
        indices = ni;
        data = nd;
      }
      for (let t = 0; t < nt; t++) {
        const f = cols[t]!;
        const v = acc[f]! / norm;
        if (v === 0) continue;
        indices[nnz] = f;
        data[nnz] = v;
        nnz++;
      }
    }
    indptr[u + 1] = nnz;
  }
  return {
    nRows: interactions.nRows,
    nCols: nFeatures,
    indptr,
    indices: indices.slice(0, nnz),
    data: data.slice(0, nnz),
  };
}

/** Checks a profile config read from a payload. @internal */
export function assertProfileConfig(where: string, c: unknown): void {
  const bad = (d: string): never => {
    throw new RecokitError("BAD_MODEL", where, `profile config: ${d}`);
  };
  if (c === null || typeof c !== "object") bad("missing");
  const p = c as ContentProfileConfig;
  if (p.center !== "none" && p.center !== "user" && !Number.isFinite(p.center)) bad("bad center");
  if (!(p.negativeWeight >= 0)) bad("bad negativeWeight");
  if (p.halfLifeDays !== null && !(p.halfLifeDays > 0)) bad("bad halfLifeDays");
  if (p.now !== null && !Number.isFinite(p.now)) bad("bad now");
}
