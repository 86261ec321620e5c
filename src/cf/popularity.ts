import type { Csr } from "../core/csr.js";
import { assertFinite, RecokitError } from "../core/errors.js";
import type { IdIndex } from "../core/id-index.js";
import type { Interaction } from "../core/interactions.js";
import { type ReadOptions, resolveTraining, type TrainingData } from "./data.js";

/** What popularity counts. */
export type PopularityMeasure = "users" | "value";

/** Options of {@link fitPopularity}. */
export interface PopularityOptions<R = Interaction> {
  /**
   * `"users"` (default): how many users interacted with the item; `"value"`: the sum of
   * interaction values (e.g. behaviour-weighted events).
   */
  readonly by?: PopularityMeasure;
  /**
   * Half-life in milliseconds: each user–item entry counts 2^(−age/halfLife), age measured from
   * `now`, using the entry's latest timestamp. Needs timestamps. Default: no decay.
   */
  readonly halfLife?: number;
  /** Reference time for decay (default: the latest timestamp in the data). */
  readonly now?: number;
  readonly read?: ReadOptions<R>;
}

/** A fitted popularity ranking: one score per item. */
export interface PopularityModel {
  readonly kind: "popularity";
  readonly version: 1;
  readonly users: IdIndex;
  readonly items: IdIndex;
  /** users × items training interactions (for seen-item exclusion). */
  readonly ratings: Csr;
  readonly itemScores: Float64Array;
  readonly config: {
    readonly by: PopularityMeasure;
    readonly halfLife: number | null;
    readonly now: number | null;
  };
}

/** Time-decay weight 2^(−(now − t)/halfLife); future timestamps count as now. @internal */
export function decayWeight(now: number, t: number, halfLife: number): number {
  const age = now - t;
  return age <= 0 ? 1 : 2 ** (-age / halfLife);
}

/** Latest finite timestamp. @internal */
export function latestTimestamp(timestamps: Float64Array): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < timestamps.length; j++) if (timestamps[j]! > latest) latest = timestamps[j]!;
  return latest;
}

/**
 * Fits the popularity baseline: items ranked by how many users interacted with them (or by summed
 * value), optionally recency-decayed with a half-life. Every recommender evaluation needs it as
 * the reference point. O(nnz).
 *
 * @throws RecokitError `EMPTY_DATA` without interactions; `INVALID_INPUT` for a bad half-life or a
 *   half-life without timestamps.
 * @example
 * ```ts
 * import { fitPopularity, recommend } from "recokit";
 * const model = fitPopularity([
 *   { user: "a", item: "tea" }, { user: "b", item: "tea" }, { user: "b", item: "mug" },
 * ]);
 * recommend(model, "a", { k: 1 }); // [{ item: "mug", score: 1 }]  (tea already seen)
 * ```
 */
export function fitPopularity<R = Interaction>(
  data: TrainingData<R>,
  options: PopularityOptions<R> = {},
): PopularityModel {
  const where = "fitPopularity";
  const by = options.by ?? "users";
  if (by !== "users" && by !== "value")
    throw new RecokitError("INVALID_INPUT", where, `by must be "users" or "value"`);
  const train = resolveTraining(where, data, options.read, "sum");
  const halfLife = options.halfLife;
  let now: number | null = null;
  if (halfLife !== undefined) {
    assertFinite(where, "halfLife", halfLife, Number.MIN_VALUE);
    if (train.timestamps === undefined)
      throw new RecokitError("INVALID_INPUT", where, "halfLife needs timestamps in the data");
    now = options.now ?? latestTimestamp(train.timestamps);
    assertFinite(where, "now", now);
  }
  const m = train.matrix;
  const scores = new Float64Array(m.nCols);
  for (let j = 0; j < m.data.length; j++) {
    let w = by === "users" ? 1 : m.data[j]!;
    if (halfLife !== undefined && now !== null) {
      const t = train.timestamps![j]!;
      w *= Number.isNaN(t) ? 1 : decayWeight(now, t, halfLife);
    }
    scores[m.indices[j]!]! += w;
  }
  return {
    kind: "popularity",
    version: 1,
    users: train.users,
    items: train.items,
    ratings: m,
    itemScores: scores,
    config: { by, halfLife: halfLife ?? null, now },
  };
}
