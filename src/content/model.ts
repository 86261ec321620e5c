import { type Csr, csrFromTriplets } from "../core/csr.js";
import { RecokitError, throwIfAborted } from "../core/errors.js";
import { describeValue, type Id, IdIndex, IdIndexBuilder } from "../core/id-index.js";
import {
  type IndexedInteractions,
  type IndexInteractionsOptions,
  type Interaction,
  indexInteractions,
} from "../core/interactions.js";
import type { NeighborLists } from "../similarity/index.js";
import {
  type ContentFeatureOptions,
  type ContentFeatures,
  fitContentFeatures,
  type TransformContentOptions,
  transformContentItems,
} from "./features.js";
import { type ContentNeighborOptions, contentNeighborLists, resolveNeighborOptions } from "./neighbors.js";
import {
  buildProfiles,
  type ContentProfileConfig,
  interactionWeights,
  resolveProfileConfig,
} from "./profiles.js";

/**
 * A fitted content-based recommender: item features (vocabulary, IDF, items × features matrix),
 * user profiles in the same feature space, the interactions they came from, and optional
 * precomputed item-item content neighbours. A plain, serialisable object
 * ({@link serializeContentModel}).
 */
export interface ContentModel extends ContentFeatures {
  readonly kind: "content";
  readonly version: 1;
  /** Users with interactions (rows of `interactions` and `userProfiles`). */
  readonly users: IdIndex;
  /** users × items interaction values (after type weights), catalogue-aligned columns. */
  readonly interactions: Csr;
  /** Latest timestamp of each stored interaction (epoch ms; NaN when none), when the data had them. */
  readonly timestamps?: Float64Array;
  /** users × features profiles, each row L2-normalised (empty for users with nothing to go on). */
  readonly userProfiles: Csr;
  readonly profile: ContentProfileConfig;
  /**
   * Top-k content neighbours of the items present at fit time (cosine over item vectors, from the
   * similarity core); absent when `neighbors: 0`.
   */
  readonly neighbors?: NeighborLists;
  /** Interaction rows left out (`onInvalid: "skip"`), by reason; input = used + skipped. */
  readonly skippedInteractions: number;
}

/** Interaction data: rows (read with {@link FitContentOptions.read}) or `indexInteractions` output. */
export type ContentInteractions<I> = readonly I[] | IndexedInteractions;

/** Options of {@link fitContent}. */
export interface FitContentOptions<R, I = Interaction> extends ContentFeatureOptions<R> {
  /** Who interacted with which item (defines user profiles). Default: none (items only). */
  readonly interactions?: ContentInteractions<I>;
  /**
   * How interaction rows are read (accessors, `typeWeights`, `onInvalid`). An interaction with an
   * item not in the catalogue is invalid: a typed error, or skipped and counted with `onInvalid: "skip"`.
   */
  readonly read?: Omit<IndexInteractionsOptions<I>, "items" | "users" | "duplicates" | "dtype">;
  /** How repeated (user, item) rows combine (default `"sum"`; `"last"` for explicit ratings). */
  readonly duplicates?: "sum" | "max" | "last" | "count";
  /** See {@link ContentProfileConfig.center} (default `"none"`). */
  readonly center?: "none" | "user" | number;
  /** See {@link ContentProfileConfig.negativeWeight} (default 1). */
  readonly negativeWeight?: number;
  /** Time-decay half-life in days (default: no decay). */
  readonly halfLifeDays?: number;
  /** Reference time of the decay (default: the latest interaction). */
  readonly now?: number | Date;
  /**
   * Content neighbours precomputed per item for {@link similarItemsContent}: a count (default 20;
   * 0 = none) or {@link ContentNeighborOptions}. The lists are exact (see
   * {@link contentNeighborLists} for how they are bounded and what that costs); on a large catalogue
   * pass 0 and call {@link rebuildContentNeighbors} off the request path.
   */
  readonly neighbors?: number | Omit<ContentNeighborOptions, "signal" | "onProgress">;
}

const FIT = "fitContent";

/**
 * Fits a content-based recommender. Item vectors come from {@link fitContentFeatures}; each user's
 * profile is the behaviour-weighted, optionally centred and time-decayed sum of the vectors of the
 * items they interacted with,
 * `p_u = Σ_i (v_ui − c_u) · 2^(−age_ui / halfLife) · x_i` (negative terms × `negativeWeight`),
 * L2-normalised. A user's score for item i is then `p_u · x_i`, the cosine when item vectors are
 * normalised (the default). Item-item content neighbours (cosine, exact) are computed once with
 * {@link contentNeighborLists}.
 *
 * Time: features O(tokens + nnz log nnz); profiles O(Σ_u Σ_{i∈u} nnz(x_i)); neighbours as
 * {@link contentNeighborLists} (at most the all-pairs kernel's O(Σ_f df_f²), usually far less).
 *
 * @param items - the catalogue rows (never modified)
 * @param options - fields (see {@link ContentFeatureOptions}), interactions, profile weighting, neighbours
 * @returns a {@link ContentModel}
 * @throws RecokitError `INVALID_INPUT` for bad items, fields, options or interaction rows (naming the
 *   row); `EMPTY_DATA` for an empty catalogue; `ABORTED` when `signal` fires.
 * @example
 * ```ts
 * import { fitContent, recommendContent } from "recokit";
 * const model = fitContent(
 *   [
 *     { id: "s1", title: "Nike 运动鞋 running shoes", brand: "Nike" },
 *     { id: "s2", title: "Nike trail running shoes", brand: "Nike" },
 *     { id: "t1", title: "ceramic teapot", brand: "Hearth" },
 *   ],
 *   {
 *     fields: [{ kind: "text", name: "title" }, { kind: "tags", name: "brand" }],
 *     interactions: [{ user: "ann", item: "s1" }],
 *   },
 * );
 * recommendContent(model, "ann", { k: 1 })[0]?.item; // "s2"
 * ```
 */
export function fitContent<R, I = Interaction>(
  items: readonly R[],
  options: FitContentOptions<R, I>,
): ContentModel {
  const features = fitContentFeatures(items, options);
  const neighbors = resolveNeighborOptions(FIT, options.neighbors ?? 20);
  const training = indexForContent(FIT, features.items, options);
  const profile = resolveProfileConfig(FIT, options, training.timestamps);
  throwIfAborted(FIT, options.signal);
  const weights = interactionWeights(training.matrix, training.timestamps, profile);
  const userProfiles = buildProfiles(training.matrix, weights, features.itemFeatures, (u) => {
    if ((u & 1023) === 0) throwIfAborted(FIT, options.signal);
  });
  const model: ContentModel = {
    kind: "content",
    version: 1,
    ...features,
    users: training.users,
    interactions: training.matrix,
    ...(training.timestamps !== undefined ? { timestamps: training.timestamps } : {}),
    userProfiles,
    profile,
    skippedInteractions: training.skipped,
  };
  if (neighbors.k === 0) return model;
  const lists = contentNeighborLists(features.itemFeatures, {
    ...neighbors,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  return { ...model, neighbors: lists };
}

interface ContentTraining {
  readonly users: IdIndex;
  readonly matrix: Csr;
  readonly timestamps?: Float64Array;
  readonly skipped: number;
}

/** Indexes interactions against the catalogue's item index. */
function indexForContent<R, I>(
  where: string,
  items: IdIndex,
  options: FitContentOptions<R, I>,
): ContentTraining {
  const data = options.interactions;
  const duplicates = options.duplicates ?? "sum";
  if (data === undefined) {
    const matrix: Csr = {
      nRows: 0,
      nCols: items.size,
      indptr: new Int32Array(1),
      indices: new Int32Array(0),
      data: new Float64Array(0),
    };
    return { users: IdIndex.from([]), matrix, skipped: 0 };
  }
  if (Array.isArray(data)) {
    const read = (options.read ?? {}) as IndexInteractionsOptions<I>;
    const out = indexInteractions(data as readonly I[], { ...read, items, duplicates });
    return {
      users: out.users,
      matrix: out.matrix,
      ...(out.timestamps !== undefined ? { timestamps: out.timestamps } : {}),
      skipped: out.skipped.count,
    };
  }
  const indexed = data as IndexedInteractions;
  if (
    indexed === null ||
    typeof indexed !== "object" ||
    !(indexed.items instanceof IdIndex) ||
    !indexed.matrix
  )
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "interactions must be an array of rows or the result of indexInteractions",
    );
  return remapIndexed(where, indexed, items, options.read?.onInvalid === "skip");
}

/** Maps an indexed matrix's item columns onto the catalogue's item index. */
function remapIndexed(
  where: string,
  indexed: IndexedInteractions,
  items: IdIndex,
  skip: boolean,
): ContentTraining {
  const colMap = new Int32Array(indexed.items.size);
  for (let c = 0; c < indexed.items.size; c++) {
    const id = indexed.items.idAt(c);
    colMap[c] = items.indexOf(id, "minus-one");
  }
  const m = indexed.matrix;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const times: number[] = [];
  let skipped = 0;
  for (let u = 0; u < m.nRows; u++) {
    for (let j = m.indptr[u]!; j < m.indptr[u + 1]!; j++) {
      const c = colMap[m.indices[j]!]!;
      if (c < 0) {
        if (!skip)
          throw new RecokitError(
            "INVALID_INPUT",
            where,
            `interactions: item ${describeValue(indexed.items.idAt(m.indices[j]!))} (user ${describeValue(indexed.users.idAt(u))}) is not in the catalogue`,
          );
        skipped++;
        continue;
      }
      rows.push(u);
      cols.push(c);
      vals.push(m.data[j]!);
      if (indexed.timestamps !== undefined) times.push(indexed.timestamps[j]!);
    }
  }
  const shape = { nRows: indexed.users.size, nCols: items.size };
  const matrix = csrFromTriplets({ rows, cols, values: vals }, shape);
  const out: ContentTraining = { users: indexed.users, matrix, skipped };
  if (indexed.timestamps === undefined) return out;
  // the columns were permuted: carry timestamps through the same ordering
  const NO_TIME = -Number.MAX_VALUE;
  const t = csrFromTriplets(
    { rows, cols, values: times.map((x) => (Number.isNaN(x) ? NO_TIME : x)) },
    { ...shape, duplicates: "max" },
  );
  return { ...out, timestamps: Float64Array.from(t.data, (x) => (x === NO_TIME ? Number.NaN : x)) };
}

const ADD = "addContentItems";

/**
 * A new model with more items, vectorised with the fitted vocabulary, IDF and bands, without
 * refitting: existing item vectors, profiles and neighbour lists are unchanged (a new item's own
 * similar items are computed on demand by {@link similarItemsContent}; call {@link fitContent} again,
 * or {@link rebuildContentNeighbors}, to let existing items list new ones). Values never seen in
 * training have no feature. O(new items' tokens + nnz).
 *
 * @param model - a fitted model (not modified)
 * @param items - new item rows shaped like the training rows
 * @param options - id accessor, field readers, segmenter override
 * @returns the extended model
 * @throws RecokitError `INVALID_INPUT` for an id already in the model, a duplicate or invalid id,
 *   or a field value of the wrong type.
 * @example
 * ```ts
 * import { addContentItems, fitContent, recommendContent } from "recokit";
 * const model = fitContent([{ id: "a", title: "red shoes" }, { id: "b", title: "blue mug" }], {
 *   fields: [{ kind: "text", name: "title" }],
 *   interactions: [{ user: "u", item: "a" }],
 * });
 * const more = addContentItems(model, [{ id: "c", title: "red running shoes" }]);
 * recommendContent(more, "u", { k: 1 })[0]?.item; // "c"
 * ```
 */
export function addContentItems<R>(
  model: ContentModel,
  items: readonly R[],
  options: TransformContentOptions<R> & { readonly id?: (row: R, index: number) => Id } = {},
): ContentModel {
  if (!Array.isArray(items)) throw new RecokitError("INVALID_INPUT", ADD, "items must be an array");
  const getId = options.id ?? ((row: R) => (row as { id?: Id } | null)?.id as Id);
  const builder = new IdIndexBuilder();
  for (const id of model.items.ids()) builder.add(id);
  for (let i = 0; i < items.length; i++) {
    const row = items[i]!;
    if (row === null || typeof row !== "object")
      throw new RecokitError(
        "INVALID_INPUT",
        ADD,
        `row ${i}: an item must be an object, got ${describeValue(row)}`,
      );
    const id = getId(row, i);
    const before = builder.size;
    let index: number;
    try {
      index = builder.add(id);
    } catch {
      throw new RecokitError(
        "INVALID_INPUT",
        ADD,
        `row ${i}: item id ${describeValue(id)} is not a string or finite number`,
      );
    }
    if (index < before)
      throw new RecokitError(
        "INVALID_INPUT",
        ADD,
        `row ${i}: item id ${describeValue(id)} is already in the model`,
      );
  }
  const transformed = transformContentItems(model, items, options);
  const old = model.itemFeatures;
  const add = transformed.matrix;
  const oldNnz = old.indptr[old.nRows]!;
  const indptr = new Int32Array(old.nRows + add.nRows + 1);
  indptr.set(old.indptr);
  for (let r = 1; r <= add.nRows; r++) indptr[old.nRows + r] = oldNnz + add.indptr[r]!;
  const indices = new Int32Array(oldNnz + add.indices.length);
  indices.set(old.indices);
  indices.set(add.indices, oldNnz);
  const data = new Float64Array(oldNnz + add.data.length);
  data.set(old.data);
  data.set(add.data, oldNnz);
  const newItems = builder.build();
  const interactions: Csr = { ...model.interactions, nCols: newItems.size };
  return {
    ...model,
    items: newItems,
    itemFeatures: { nRows: newItems.size, nCols: old.nCols, indptr, indices, data },
    interactions,
  };
}

/**
 * A model whose neighbour lists are recomputed over all its items (e.g. after
 * {@link addContentItems}) with {@link contentNeighborLists}.
 * @param neighbors - a count or {@link ContentNeighborOptions} (default: the model's current k, else 20;
 *   0 drops the lists)
 * @throws RecokitError `INVALID_INPUT` for bad options.
 * @example
 * ```ts
 * import { addContentItems, fitContent, rebuildContentNeighbors } from "recokit";
 * const m = fitContent([{ id: "a", title: "red shoes" }], { fields: [{ kind: "text", name: "title" }] });
 * rebuildContentNeighbors(addContentItems(m, [{ id: "b", title: "red boots" }])).neighbors?.nRows; // 2
 * ```
 */
export function rebuildContentNeighbors(
  model: ContentModel,
  neighbors: number | ContentNeighborOptions = model.neighbors?.k ?? 20,
): ContentModel {
  const resolved = resolveNeighborOptions("rebuildContentNeighbors", neighbors);
  if (resolved.k === 0) {
    const { neighbors: _drop, ...rest } = model;
    return rest;
  }
  const extra =
    typeof neighbors === "object" && neighbors.signal !== undefined ? { signal: neighbors.signal } : {};
  return { ...model, neighbors: contentNeighborLists(model.itemFeatures, { ...resolved, ...extra }) };
}
