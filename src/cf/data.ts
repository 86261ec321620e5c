import type { Csr, DuplicateRule } from "../core/csr.js";
import { RecokitError } from "../core/errors.js";
import type { IdIndex } from "../core/id-index.js";
import {
  type IndexedInteractions,
  type IndexInteractionsOptions,
  type Interaction,
  indexInteractions,
} from "../core/interactions.js";

/** Training data of every `fit…` function: interaction rows, or interactions already indexed. */
export type TrainingData<R = Interaction> = readonly R[] | IndexedInteractions;

/** How rows are read when a fit receives rows (accessors, type weights, invalid-row policy). */
export type ReadOptions<R> = Omit<IndexInteractionsOptions<R>, "duplicates" | "dtype">;

/** Indexed training data with what every model keeps. @internal */
export interface TrainingSet {
  readonly users: IdIndex;
  readonly items: IdIndex;
  /** users × items. */
  readonly matrix: Csr;
  /** Latest timestamp per stored entry (epoch ms), when the data had timestamps. */
  readonly timestamps?: Float64Array;
}

/** Indexes rows (or passes indexed data through) for a fit. @internal */
export function resolveTraining<R>(
  where: string,
  data: TrainingData<R>,
  read: ReadOptions<R> | undefined,
  duplicates: DuplicateRule,
): TrainingSet {
  if (data === null || typeof data !== "object") {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "data must be an array of interactions or the result of indexInteractions",
    );
  }
  const indexed: IndexedInteractions = Array.isArray(data)
    ? indexInteractions(data as readonly R[], { ...(read ?? {}), duplicates })
    : (data as IndexedInteractions);
  if (!("matrix" in indexed) || !("users" in indexed) || !("items" in indexed)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "data must be an array of interactions or the result of indexInteractions",
    );
  }
  if (indexed.matrix.indices.length === 0)
    throw new RecokitError("EMPTY_DATA", where, "no interactions to fit on");
  const out: TrainingSet = { users: indexed.users, items: indexed.items, matrix: indexed.matrix };
  return indexed.timestamps !== undefined ? { ...out, timestamps: indexed.timestamps } : out;
}

/** Smallest and largest stored value. @internal */
export function valueRange(m: Csr): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < m.data.length; j++) {
    const v = m.data[j]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
