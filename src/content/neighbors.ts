import {
  assertCsr,
  type BufferAllocator,
  type Csr,
  colCounts,
  float64s,
  int32s,
  permuteRows,
  rowNorms,
  transpose,
} from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import { heapDrain, heapPush, TopKHeap } from "../core/topk.js";
import { type NeighborLists, topKSimilarity } from "../similarity/index.js";

/**
 * How item-item content neighbours are computed. The lists are always exact: those of
 * `topKSimilarity` with metric `"cosine"`. `maxDf` only changes how fast they are found (see
 * {@link contentNeighborLists}).
 */
export interface ContentNeighborOptions {
  /** Neighbours kept per item (a non-negative integer). */
  readonly k: number;
  /**
   * Features found in at most this share of the items are *selective*: the pairs of items sharing
   * one are scored. The others are *common*: they enter through a bound, and an item reads their
   * posting lists only when the bound cannot rule out the items it shares no selective feature
   * with. A number in (0, 1]; default 0.03; 1 runs the all-pairs kernel instead.
   */
  readonly maxDf?: number;
  /** Receives how the lists were computed: method, rows certified, extended or scanned, work done. */
  readonly onStats?: (stats: ContentNeighborStats) => void;
  /** Aborts the run with an `ABORTED` error. */
  readonly signal?: AbortSignal;
  /** Called with (items done, total items) during the run. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** How {@link contentNeighborLists} computed a set of lists. */
export interface ContentNeighborStats {
  /**
   * `"bounded"`: pairs sharing a selective feature, with a per-item certificate for the others;
   * `"kernel"`: one all-pairs `topKSimilarity` run.
   */
  readonly method: "bounded" | "kernel";
  /**
   * Why the all-pairs kernel ran: `"small"` (k = 0, fewer than two items, or, with the default
   * `maxDf`, at most 2·10⁶ multiply-adds), `"no-common"` (no feature is common at this `maxDf`),
   * `"values"` (a stored value outside [1e-50, 1e50]: the bounds need positive weights).
   */
  readonly reason?: "small" | "no-common" | "values";
  /** Items (rows). */
  readonly rows: number;
  /** Rows whose certificate held once the pairs sharing a selective feature were scored. */
  readonly certified: number;
  /** Rows that also read the posting lists of some, not all, of their common features. */
  readonly extended: number;
  /** Rows that read the posting lists of all their common features (an exact scan). */
  readonly scanned: number;
  /** Selective features are those found in at most this many items (L = ⌊maxDf · rows⌋). */
  readonly selectiveDf: number;
  /** Exact similarities computed, those that seed the thresholds included (up to 32 per item). */
  readonly candidates: number;
  /** Multiply-adds of the all-pairs kernel, Σ_f df_f²/2. */
  readonly kernelWork: number;
  /** Posting-list entries read by the bounded method. */
  readonly scanWork: number;
}

/** Validated neighbour options. @internal */
export interface ResolvedNeighborOptions {
  readonly k: number;
  readonly maxDf?: number;
  readonly onStats?: (stats: ContentNeighborStats) => void;
}

const WHERE = "contentNeighborLists";

/** Default share of items above which a feature is common (measured, see docs/content.md). */
const DEFAULT_MAX_DF = 0.03;
/**
 * Safety margin of every bound comparison: bounds and similarities are sums of products of values
 * in [0, 1] whose real sum is at most 1, each computed with an error below (terms + 2)·1.2e-16, so
 * 1e-9 covers rows of up to a million stored features.
 */
const MARGIN = 1e-9;
/** With the default `maxDf`, inputs this cheap for the kernel (Σ df²/2 multiply-adds) go to it. */
const SMALL_WORK = 2_000_000;
/** Stored values the bounded method accepts: x̂ products stay positive normal numbers. */
const MIN_VALUE = 1e-50;
const MAX_VALUE = 1e50;

/** Validates `neighbors: number | ContentNeighborOptions`. @internal */
export function resolveNeighborOptions(
  where: string,
  value: number | ContentNeighborOptions,
): ResolvedNeighborOptions {
  const o = typeof value === "number" ? { k: value } : value;
  if (o === null || typeof o !== "object")
    throw new RecokitError("INVALID_INPUT", where, "neighbors must be a number or an options object");
  assertInteger(where, "neighbors.k", o.k, 0);
  if (o.maxDf !== undefined) assertFinite(where, "neighbors.maxDf", o.maxDf, Number.MIN_VALUE, 1);
  if ((o as { pool?: unknown }).pool !== undefined)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "neighbors.pool is not an option: neighbour lists are exact",
    );
  if (o.onStats !== undefined && typeof o.onStats !== "function")
    throw new RecokitError("INVALID_INPUT", where, "neighbors.onStats must be a function");
  return {
    k: o.k,
    ...(o.maxDf !== undefined ? { maxDf: o.maxDf } : {}),
    ...(o.onStats !== undefined ? { onStats: o.onStats } : {}),
  };
}

/**
 * Top-k content neighbours of every item: cosine of the item vectors, best first, ties by lower
 * index, only items sharing a feature, never the item itself. The lists are exactly those of
 * `topKSimilarity(itemFeatures, { k, metric: "cosine" })`: same neighbours, same similarities to
 * the last bit, same order. What changes is the work.
 *
 * The all-pairs kernel costs Σ_f df_f²/2 multiply-adds: quadratic in the catalogue size once a
 * feature (a price band, a department, a common word) is shared by tens of thousands of items.
 * On positive weights this function instead proves most of that work useless, after the
 * "all-pairs with bounds" idea of Bayardo, Ma and Srikant (WWW 2007), with per-item thresholds:
 *
 * 1. Rows are L2-normalised (x̂). A feature is selective when at most L = ⌊maxDf · n⌋ items have
 *    it, common otherwise, so cos(r, s) = sel(r, s) + com(r, s) over the two kinds of features.
 *    For every s, com(r, s) ≤ B_r = min(Σ_{f common in r} x̂_rf · max_s x̂_sf, ‖x̂_r,common‖ ·
 *    max_s ‖x̂_s,common‖).
 * 2. Each item keeps a threshold θ, a lower bound on its k-th similarity: first the k-th best exact
 *    similarity with the 64 items around it once all are sorted by their two rarest features
 *    shared by more than 64 items (items sharing those are mostly close; no seed when fewer than
 *    k of them share a feature with it), then the worst similarity in its top-k heap once that
 *    holds k items.
 * 3. Pairs sharing a selective feature: items are taken in a locality order (sorted by their two
 *    first features, selective ones by decreasing df first, so that items sharing long posting
 *    lists are searched one after another; heaps still hold and rank original indices). r reads
 *    the posting lists of its selective features after itself, which gives sel(r, s) exactly for
 *    every later s. The pair's similarity is at most sel + min(B_r, B_s, ‖x̂_r,common‖ ·
 *    ‖x̂_s,common‖, a bound from the 64 most frequent common features that both items have, with
 *    s's weight of each rounded up to 1/15 of the feature's largest); when that can reach θ_r or
 *    θ_s, the exact similarity is computed and offered to both heaps.
 * 4. Certificate: once r's turn is over, its heap has seen every item sharing a selective feature
 *    with it that can enter its top-k. Any other item has cos = com ≤ B_r: when B_r + 1e-9 < θ_r,
 *    r's list is final. Otherwise r reads its common features' posting lists, rarest first, until
 *    the bound of those left falls below θ_r (all of them at worst, an exact scan); an item met
 *    that way gets its exact similarity when its own bound reaches θ_r.
 *
 * Every bound comparison keeps a 1e-9 margin, so rounding never excludes a neighbour. Exact
 * similarities are computed as the kernel computes them (products summed in increasing feature
 * order, divided by the product of the norms), so they match it bit for bit, and the heaps rank
 * them as the kernel does (core `heapPush`: similarity descending, then lower index).
 *
 * The kernel runs directly with `maxDf: 1` or when no feature is common, for small inputs (see
 * `reason` in {@link ContentNeighborStats}), and when a stored value is not in [1e-50, 1e50]
 * (negative or zero weights break the bounds). `onStats` says which method ran and how many rows
 * were certified, extended or fully scanned.
 *
 * Complexity: Σ over selective features of df²/2 posting-list reads, plus the common posting lists
 * of the rows whose certificate failed, plus one sparse dot product per pair that passes its bound
 * and up to 32 per item for the seeds (each window pair once), plus two sorts of the items;
 * memory O(nnz + n·k). At worst (every certificate fails, every common list read) Σ_f df_f² reads,
 * twice the kernel's multiply-adds.
 *
 * @param itemFeatures - items × features (e.g. `model.itemFeatures`; not modified)
 * @param options - k, optional maxDf, onStats, signal, onProgress
 * @returns neighbour lists (metric `"cosine"`)
 * @throws RecokitError `INVALID_INPUT` for a bad matrix or options, `ABORTED` on abort, `TOO_LARGE`
 *   when items × k exceeds 2³¹ slots.
 * @example
 * ```ts
 * import { contentNeighborLists, csrFromDense } from "recokit";
 * const lists = contentNeighborLists(csrFromDense([[1, 1, 0], [1, 0, 0], [0, 0, 1]]), {
 *   k: 2,
 *   onStats: (s) => console.log(s.method, s.certified, s.extended, s.scanned),
 * });
 * Array.from(lists.indices.subarray(lists.indptr[0], lists.indptr[1])); // [1]
 * ```
 */
export function contentNeighborLists(itemFeatures: Csr, options: ContentNeighborOptions): NeighborLists {
  const plan = planNeighborSearch(WHERE, itemFeatures, options);
  const { k, signal, onProgress } = plan;
  const m = itemFeatures;
  const n = m.nRows;
  if (plan.reason !== undefined) {
    const lists = topKSimilarity(m, {
      k,
      metric: "cosine",
      ...(signal !== undefined ? { signal } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
    });
    plan.onStats?.(kernelStats(plan, plan.reason));
    return lists;
  }
  const counts = noWork();
  const input = prepare(permuteRows(m, plan.order), plan.order, plan.df, plan.selectiveDf, k);
  const st = searchState(input, new Float64Array(n).fill(Number.NEGATIVE_INFINITY), emptyHeaps(n, k));
  const t = rowTable();
  seedThresholds(st, counts, seedOrder(input.m, input.df), 0, n);
  throwIfAborted(WHERE, signal);
  for (let r = 0; r < n; r++) {
    selectivePairs(st, t, r, counts);
    certify(st, t, r, counts);
    if (((r + 1) & 1023) === 0) {
      throwIfAborted(WHERE, signal);
      onProgress?.(r + 1, n);
    }
  }
  const lists = drainLists(st, 0, n, neighborIndptr(st), undefined);
  onProgress?.(n, n);
  plan.onStats?.(boundedStats(plan, counts));
  return lists;
}

/**
 * What {@link contentNeighborLists} runs on a matrix: the all-pairs kernel (`reason` set) or the
 * bounded search with its search order. Validates the matrix and options. @internal
 */
export interface NeighborSearchPlan {
  readonly k: number;
  readonly rows: number;
  readonly selectiveDf: number;
  readonly kernelWork: number;
  readonly reason?: NonNullable<ContentNeighborStats["reason"]>;
  /** Items having each feature. */
  readonly df: Int32Array;
  /** Search order (see `localityOrder`); empty when the kernel runs. */
  readonly order: Int32Array;
  readonly onStats?: (stats: ContentNeighborStats) => void;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Decides how the neighbour lists of `m` are computed. @internal */
export function planNeighborSearch(
  where: string,
  m: Csr,
  options: ContentNeighborOptions,
): NeighborSearchPlan {
  const resolved = resolveNeighborOptions(where, options);
  assertCsr(where, m);
  const n = m.nRows;
  const k = resolved.k;
  const df = colCounts(m);
  let kernelWork = 0;
  let maxCount = 0;
  for (let f = 0; f < df.length; f++) {
    kernelWork += (df[f]! * df[f]!) / 2;
    if (df[f]! > maxCount) maxCount = df[f]!;
  }
  const limit = Math.floor((resolved.maxDf ?? DEFAULT_MAX_DF) * n);
  const base = {
    k,
    rows: n,
    selectiveDf: limit,
    kernelWork,
    df,
    order: new Int32Array(0),
    ...(resolved.onStats !== undefined ? { onStats: resolved.onStats } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
  if (k === 0 || n < 2 || (resolved.maxDf === undefined && kernelWork <= SMALL_WORK))
    return { ...base, reason: "small" };
  if (limit >= maxCount) return { ...base, reason: "no-common" };
  if (!valuesInRange(m)) return { ...base, reason: "values" };
  if (n * k > 2 ** 31 - 1)
    throw new RecokitError("TOO_LARGE", where, `${n} items × k=${k} neighbour slots exceed the 2³¹ limit`);
  throwIfAborted(where, options.signal);
  return { ...base, order: localityOrder(m, df, limit) };
}

/** Work counters of the bounded search. @internal */
export function noWork(): Counts {
  return { certified: 0, extended: 0, scanned: 0, candidates: 0, scanWork: 0 };
}

/** Stats of a kernel run. @internal */
export function kernelStats(
  plan: NeighborSearchPlan,
  reason: NonNullable<ContentNeighborStats["reason"]>,
): ContentNeighborStats {
  const { rows, selectiveDf, kernelWork } = plan;
  return { method: "kernel", reason, rows, selectiveDf, kernelWork, ...noWork() };
}

/** Stats of a bounded run. @internal */
export function boundedStats(plan: NeighborSearchPlan, counts: Counts): ContentNeighborStats {
  const { rows, selectiveDf, kernelWork } = plan;
  return { method: "bounded", rows, selectiveDf, kernelWork, ...counts };
}

/** Whether every stored value lies in [MIN_VALUE, MAX_VALUE]. */
function valuesInRange(m: Csr): boolean {
  const data = m.data;
  for (let j = 0; j < data.length; j++) {
    const v = data[j]!;
    if (!(v >= MIN_VALUE && v <= MAX_VALUE)) return false;
  }
  return true;
}

/** The most frequent common features each get a bit in every item's 64-bit presence mask. */
const MASK_BITS = 64;
/** A row's threshold is seeded from this many items on either side of it in the seed order. */
const SEED_WINDOW = 32;

/** What the search reads (never written once prepared); x̂ = row / ‖row‖, selective features have df ≤ limit. @internal */
export interface SearchInput {
  /** Items in search order (rows of the input permuted by `localityOrder`). */
  readonly m: Csr;
  /** Original index of the item at each position: what the heaps hold and rank ties by. */
  readonly ids: Int32Array;
  readonly n: number;
  readonly k: number;
  /** Items having each feature (the length of its posting list). */
  readonly df: Int32Array;
  /** Row norms as the kernel computes them (core `rowNorms`). */
  readonly norms: Float64Array;
  /** Selective part of x̂ and its posting lists; `selPos[j]`: entry j's position in its list. */
  readonly sel: Csr;
  readonly selCols: Csr;
  readonly selPos: Int32Array;
  /** Common part of x̂ (each row's entries rarest feature first) and its posting lists. */
  readonly com: Csr;
  readonly comCols: Csr;
  /** Mask bit of each of the MASK_BITS most frequent common features, -1 for the others. */
  readonly maskBit: Int32Array;
  /**
   * Per item, three words: which masked features it has (two words), and for the first eight of
   * them in bit order, q = ⌈15 · x̂_sf / max x̂_f⌉ in four bits each (the others count as 15).
   */
  readonly masks: Int32Array;
  /** Largest x̂ of each feature. */
  readonly colMax: Float64Array;
  /** B_r = min(Σ_{f common in r} x̂_rf · max x̂_f, ‖x̂_r,common‖ · max_s ‖x̂_s,common‖). */
  readonly bound: Float64Array;
  /** ‖x̂_r,common‖: com(r, s) ≤ ‖x̂_r,common‖ · ‖x̂_s,common‖. */
  readonly comNorm: Float64Array;
}

/** Per-item top-k heaps (core `heapPush` layout: item r's at r·k, its root the worst kept). @internal */
export interface NeighborHeaps {
  readonly heapIds: Int32Array;
  readonly heapSims: Float64Array;
  readonly heapSizes: Int32Array;
}

/** The input with what a search writes: thresholds, heaps and scratch. */
interface SearchState extends SearchInput, NeighborHeaps {
  /** Per item, a lower bound on its k-th similarity: its seed (-∞ without one), its heap's worst once full. */
  readonly theta: Float64Array;
  /** Scratch, zero between rows: selective part of cos(r, s) (or a mark) per item. */
  readonly acc: Float64Array;
  readonly touched: Int32Array;
  /** Scratch, zero between rows: the current row's raw values, dense over features. */
  readonly raw: Float64Array;
}

/** Empty heaps for n items, in memory from `allocate` when given. @internal */
export function emptyHeaps(n: number, k: number, allocate?: BufferAllocator): NeighborHeaps {
  return {
    heapIds: int32s(n * k, allocate),
    heapSims: float64s(n * k, allocate),
    heapSizes: int32s(n, allocate),
  };
}

/** A search over `input` with the given thresholds and heaps and fresh scratch. */
function searchState(input: SearchInput, theta: Float64Array, heaps: NeighborHeaps): SearchState {
  return {
    ...input,
    ...heaps,
    theta,
    acc: new Float64Array(input.n),
    touched: new Int32Array(input.n),
    raw: new Float64Array(input.m.nCols),
  };
}

/**
 * The order items are searched in, which only changes how fast (the heaps rank by original index):
 * items sorted by their two first features, selective features first by decreasing df, then
 * common ones by increasing df. Items sharing the long selective posting lists come out next to
 * one another, so the accumulators, thresholds and masks they touch share cache lines.
 */
function localityOrder(m: Csr, df: Int32Array, limit: number): Int32Array {
  return orderByFirstFeatures(m, df, (f) => (df[f]! <= limit ? -df[f]! : df[f]! + limit + 1));
}

/**
 * The order thresholds are seeded in: items sorted by their two rarest features among those found
 * in more items than a seeding window holds (2·SEED_WINDOW), the others ranked last. Neighbours in
 * this order share a feature that weighs much in a cosine; a rarer one (a model number shared by
 * two or three items) would put unrelated groups of two or three side by side.
 */
function seedOrder(m: Csr, df: Int32Array): Int32Array {
  return orderByFirstFeatures(m, df, (f) => (df[f]! > 2 * SEED_WINDOW ? df[f]! : m.nRows + 1));
}

/**
 * Rows sorted by their first and second features, features being ranked by `place` (lower first,
 * ties by column), then by row; by the first feature only when the packed key would pass 2⁵³
 * ((columns + 1)² · rows, e.g. 10⁵ items with over 3·10⁵ columns), and in index order when
 * (columns + 1) · rows would too.
 */
function orderByFirstFeatures(m: Csr, df: Int32Array, place: (f: number) => number): Int32Array {
  const nf = m.nCols;
  // only features some item has are ranked (a wide vocabulary may have many unused columns)
  let used = 0;
  for (let f = 0; f < nf; f++) if (df[f]! > 0) used++;
  const features = new Int32Array(used);
  used = 0;
  for (let f = 0; f < nf; f++) if (df[f]! > 0) features[used++] = f;
  features.sort((a, b) => place(a) - place(b) || a - b);
  // rank 0 is the first feature in that order; nf stands for "no feature"
  const rank = new Int32Array(nf).fill(nf);
  for (let i = 0; i < used; i++) rank[features[i]!] = i;
  const n = m.nRows;
  // (first, second, r) packed into one exact integer when it fits in 2⁵³, else (first, r)
  const pair = (nf + 1) * (nf + 1) * n <= Number.MAX_SAFE_INTEGER;
  if (!pair && (nf + 1) * n > Number.MAX_SAFE_INTEGER) return identityOrder(n);
  const keys = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let first = nf;
    let second = nf;
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
      const q = rank[m.indices[j]!]!;
      if (q < first) {
        second = first;
        first = q;
      } else if (q < second) second = q;
    }
    keys[r] = (pair ? first * (nf + 1) + second : first) * n + r;
  }
  keys.sort();
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % n;
  return order;
}

function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/**
 * Splits x̂ into its selective and common parts with their posting lists, masks and bounds; every
 * array in memory from `allocate` when given (the search order `ids` and `m` are kept as they
 * are). @internal
 */
export function prepare(
  m: Csr,
  ids: Int32Array,
  df: Int32Array,
  limit: number,
  k: number,
  allocate?: BufferAllocator,
): SearchInput {
  const n = m.nRows;
  const norms = rowNorms(m, allocate);
  const selPtr = int32s(n + 1, allocate);
  const comPtr = int32s(n + 1, allocate);
  for (let r = 0; r < n; r++) {
    let c = 0;
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) if (df[m.indices[j]!]! > limit) c++;
    comPtr[r + 1] = comPtr[r]! + c;
    selPtr[r + 1] = selPtr[r]! + (m.indptr[r + 1]! - m.indptr[r]! - c);
  }
  const selIdx = int32s(selPtr[n]!, allocate);
  const selVal = float64s(selPtr[n]!, allocate);
  const comIdx = int32s(comPtr[n]!, allocate);
  const comVal = float64s(comPtr[n]!, allocate);
  const colMax = float64s(m.nCols, allocate);
  for (let r = 0; r < n; r++) {
    let ps = selPtr[r]!;
    const first = comPtr[r]!;
    let pc = first;
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
      const f = m.indices[j]!;
      const x = m.data[j]! / norms[r]!;
      if (x > colMax[f]!) colMax[f] = x;
      if (df[f]! <= limit) {
        selIdx[ps] = f;
        selVal[ps++] = x;
        continue;
      }
      // insertion by (df, column): rarest common feature first (rows are short)
      let b = pc++;
      while (
        b > first &&
        (df[comIdx[b - 1]!]! > df[f]! || (df[comIdx[b - 1]!] === df[f] && comIdx[b - 1]! > f))
      ) {
        comIdx[b] = comIdx[b - 1]!;
        comVal[b] = comVal[b - 1]!;
        b--;
      }
      comIdx[b] = f;
      comVal[b] = x;
    }
  }
  const sel: Csr = { nRows: n, nCols: m.nCols, indptr: selPtr, indices: selIdx, data: selVal };
  const selPos = int32s(selIdx.length, allocate);
  const selCols = transpose(sel, selPos, allocate);
  const com: Csr = { nRows: n, nCols: m.nCols, indptr: comPtr, indices: comIdx, data: comVal };
  const maskBit = int32s(m.nCols, allocate).fill(-1);
  const frequent: number[] = [];
  for (let f = 0; f < m.nCols; f++) if (df[f]! > limit) frequent.push(f);
  frequent.sort((a, b) => df[b]! - df[a]! || a - b);
  for (let b = 0; b < Math.min(MASK_BITS, frequent.length); b++) maskBit[frequent[b]!] = b;
  const masks = int32s(3 * n, allocate);
  const comNorm = float64s(n, allocate);
  const levels = new Int32Array(MASK_BITS);
  let maxComNorm = 0;
  for (let r = 0; r < n; r++) {
    let sq = 0;
    levels.fill(15);
    for (let p = comPtr[r]!; p < comPtr[r + 1]!; p++) {
      const f = comIdx[p]!;
      const x = comVal[p]!;
      sq += x * x;
      const bit = maskBit[f]!;
      if (bit < 0) continue;
      masks[3 * r + (bit >> 5)]! |= 1 << (bit & 31);
      let q = Math.max(1, Math.ceil((15 * x) / colMax[f]!));
      while (q < 15 && (q * colMax[f]!) / 15 < x) q++;
      levels[bit] = Math.min(q, 15);
    }
    let nib = 0;
    let rank = 0;
    for (let bit = 0; bit < MASK_BITS && rank < 8; bit++) {
      if ((masks[3 * r + (bit >> 5)]! & (1 << (bit & 31))) === 0) continue;
      nib |= levels[bit]! << (4 * rank++);
    }
    masks[3 * r + 2] = nib;
    comNorm[r] = Math.sqrt(sq);
    if (comNorm[r]! > maxComNorm) maxComNorm = comNorm[r]!;
  }
  const bound = float64s(n, allocate);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let p = comPtr[r]!; p < comPtr[r + 1]!; p++) sum += comVal[p]! * colMax[comIdx[p]!]!;
    bound[r] = Math.min(sum, comNorm[r]! * maxComNorm);
  }
  return {
    m,
    ids,
    n,
    k,
    df,
    norms,
    sel,
    selCols,
    selPos,
    com,
    comCols: transpose(com, undefined, allocate),
    maskBit,
    masks,
    colMax,
    bound,
    comNorm,
  };
}

/** Work done by a search (see {@link ContentNeighborStats}). @internal */
export interface Counts {
  certified: number;
  extended: number;
  scanned: number;
  candidates: number;
  scanWork: number;
}

/** Offers (other, sim) to row's heap; a full heap's worst raises row's threshold. */
function offer(st: SearchState, row: number, other: number, sim: number): void {
  offerId(st, row, st.ids[other]!, sim);
}

/** Offers the item of original index `id` to row's heap (see {@link offer}). */
function offerId(st: SearchState, row: number, id: number, sim: number): void {
  const k = st.k;
  const size = heapPush(st.heapIds, st.heapSims, row * k, st.heapSizes[row]!, k, id, sim);
  st.heapSizes[row] = size;
  if (size === k && st.heapSims[row * k]! > st.theta[row]!) st.theta[row] = st.heapSims[row * k]!;
}

/** Whether row's heap holds `other`. */
function holds(st: SearchState, row: number, other: number): boolean {
  const base = row * st.k;
  const id = st.ids[other]!;
  for (let j = base; j < base + st.heapSizes[row]!; j++) if (st.heapIds[j] === id) return true;
  return false;
}

/** Exact similarity with the kernel's arithmetic; r's raw values are in `st.raw`. */
function kernelSimilarity(st: SearchState, r: number, s: number): number {
  const { m, raw } = st;
  let dot = 0;
  const end = m.indptr[s + 1]!;
  // the kernel's sum: products in increasing feature order (zero products of features r lacks
  // leave it unchanged), over the product of the norms
  for (let p = m.indptr[s]!; p < end; p++) dot += raw[m.indices[p]!]! * m.data[p]!;
  return dot / (st.norms[r]! * st.norms[s]!);
}

/** Writes row r's raw values into `st.raw` (on = 1) or clears them (on = 0). */
function setRaw(st: SearchState, r: number, on: number): void {
  const m = st.m;
  for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) st.raw[m.indices[j]!] = on * m.data[j]!;
}

/**
 * The current row's common features from some point on: the mask bits of the masked ones with
 * x̂_rf · max x̂_f per bit (`upper`), and Σ x̂_rf · max x̂_f over the unmasked ones (`rest`).
 */
interface RowTable {
  readonly upper: Float64Array;
  mask0: number;
  mask1: number;
  rest: number;
}

/** Fills the table with r's common features from its `from`-th (rarest first) on. */
function fillTable(st: SearchState, t: RowTable, r: number, from: number): void {
  const { com, maskBit, colMax } = st;
  t.mask0 = 0;
  t.mask1 = 0;
  t.rest = 0;
  for (let p = com.indptr[r]! + from; p < com.indptr[r + 1]!; p++) {
    const f = com.indices[p]!;
    const x = com.data[p]!;
    const bit = maskBit[f]!;
    if (bit < 0) {
      t.rest += x * colMax[f]!;
    } else {
      t.upper[bit] = x * colMax[f]!;
      if (bit < 32) t.mask0 |= 1 << bit;
      else t.mask1 |= 1 << (bit - 32);
    }
  }
}

/** Number of set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Upper bound on the part of cos(r, s) over the masked features both have, from s's levels
 * q_s(f) = ⌈15 · x̂_sf / max x̂_f⌉: Σ x̂_rf · max x̂_f · q_s(f) / 15.
 */
function sharedSum(t: RowTable, masks: Int32Array, s: number): number {
  const values = t.upper;
  const m0 = masks[3 * s]!;
  const m1 = masks[3 * s + 1]!;
  const nib = masks[3 * s + 2]!;
  // a feature past the eighth has no level: it counts at the feature's largest value
  let sum = 0;
  let x = m0 & t.mask0;
  while (x !== 0) {
    const low = x & -x;
    const rank = popcount(m0 & (low - 1));
    const q = rank < 8 ? (nib >>> (4 * rank)) & 15 : 15;
    sum += values[31 - Math.clz32(low)]! * q;
    x ^= low;
  }
  x = m1 & t.mask1;
  if (x !== 0) {
    const before = popcount(m0);
    while (x !== 0) {
      const low = x & -x;
      const rank = before + popcount(m1 & (low - 1));
      const q = rank < 8 ? (nib >>> (4 * rank)) & 15 : 15;
      sum += values[63 - Math.clz32(low)]! * q;
      x ^= low;
    }
  }
  return sum / 15;
}

/**
 * Seeds the thresholds of the items at positions [from, to) of the seed `order` with a lower bound
 * on their k-th similarity, so that pruning is strong from the first rows on: the k-th best exact
 * similarity between r and the SEED_WINDOW items on either side of it in {@link seedOrder}, minus
 * the margin (when k of them share a feature with r, r's final list holds k items at least that
 * similar). Those items share r's rarest well-shared features, so they are mostly close to r and
 * the seed is close to the final k-th similarity. Each pair in a window is computed once and
 * offered to both items, whose top-k are kept in a ring of SEED_WINDOW + 1 heaps: the item at q
 * and the ones after it it still pairs with. A range starts SEED_WINDOW positions early to offer
 * its first items their pairs with the items before them, so ranges can be seeded apart with the
 * same result. @internal
 */
export function seedThresholds(
  st: SearchState,
  counts: Counts,
  order: Int32Array,
  from: number,
  to: number,
): void {
  const { theta, n, k } = st;
  const ring = SEED_WINDOW + 1;
  const best = Array.from({ length: ring }, () => new TopKHeap(k));
  for (let q = Math.max(0, from - SEED_WINDOW); q < to; q++) {
    const r = order[q]!;
    const own = q >= from;
    const mine = best[q % ring]!;
    // the heap of q + SEED_WINDOW, which meets no item before q, held q − 1's (now done)
    best[(q + SEED_WINDOW) % ring]!.clear();
    setRaw(st, r, 1);
    const end = Math.min(n, q + SEED_WINDOW + 1);
    // before `from`, q only pairs with the range's items; past `to`, items are another range's
    for (let u = Math.max(q + 1, from); u < end; u++) {
      if (!own && u >= to) break;
      const s = order[u]!;
      const sim = kernelSimilarity(st, r, s);
      counts.candidates++;
      // sim = 0: the two share no feature, and need not be in each other's lists
      if (sim > 0) {
        if (own) mine.push(s, sim);
        if (u < to) best[u % ring]!.push(r, sim);
      }
    }
    setRaw(st, r, 0);
    // pairs with the items before q were offered on their turns: q's heap is complete
    if (own && mine.size === k) theta[r] = mine.threshold - MARGIN;
  }
}
/**
 * Pairs (r, s > r) sharing a selective feature, r and s being search positions: sel(r, s) is
 * accumulated over the posting lists after r. A pair's similarity is at most sel + min(B_r, B_s,
 * ‖x̂_r,common‖ · ‖x̂_s,common‖, Σ over the masked common features both have of x̂_rf · max x̂_f at
 * s's level + r's unmasked bound); when that can reach the threshold of r or of s, the exact
 * similarity is offered to both heaps.
 */
function selectivePairs(st: SearchState, t: RowTable, r: number, counts: Counts): void {
  const { sel, selCols, selPos, acc, touched, theta, masks } = st;
  const cp = selCols.indptr;
  const ci = selCols.indices;
  const cv = selCols.data;
  let nt = 0;
  for (let j = sel.indptr[r]!; j < sel.indptr[r + 1]!; j++) {
    const x = sel.data[j]!;
    const end = cp[sel.indices[j]! + 1]!;
    counts.scanWork += end - selPos[j]! - 1;
    for (let p = selPos[j]! + 1; p < end; p++) {
      const s = ci[p]!;
      // every product is a positive normal number: a zero sum means s was not touched yet
      if (acc[s] === 0) touched[nt++] = s;
      acc[s]! += x * cv[p]!;
    }
  }
  if (nt === 0) return;
  fillTable(st, t, r, 0);
  const { bound, comNorm } = st;
  const br = bound[r]!;
  const cr = comNorm[r]!;
  let rawSet = false;
  for (let i = 0; i < nt; i++) {
    const s = touched[i]!;
    const a = acc[s]!;
    acc[s] = 0;
    const need = Math.min(theta[r]!, theta[s]!);
    if (a + br + MARGIN < need) continue;
    // com(r, s) ≤ B_s and ≤ ‖x̂_r,common‖·‖x̂_s,common‖ too (Cauchy–Schwarz)
    const scalar = Math.min(br, bound[s]!, cr * comNorm[s]!);
    if (a + scalar + MARGIN < need) continue;
    if (a + Math.min(scalar, t.rest + sharedSum(t, masks, s)) + MARGIN < need) continue;
    if (!rawSet) {
      setRaw(st, r, 1);
      rawSet = true;
    }
    const sim = kernelSimilarity(st, r, s);
    counts.candidates++;
    offer(st, r, s, sim);
    offer(st, s, r, sim);
  }
  if (rawSet) setRaw(st, r, 0);
}

/**
 * Certificate of row r, whose heap now holds every item sharing a selective feature with r that can
 * enter its top-k: any other item has cos = com ≤ B_r. If B_r + margin < θ_r the row is final.
 * Otherwise r's common features are scanned rarest first until the bound of those left falls below
 * θ_r (all of them at worst); an item first met through the f-th has cos ≤ x̂_rf·x̂_sf + the bound
 * of the features after f that it has, and is evaluated when that reaches θ_r.
 */
function certify(st: SearchState, t: RowTable, r: number, counts: Counts): void {
  const { com, comCols, acc, touched, theta, masks, colMax, maskBit } = st;
  const cs = com.indptr[r]!;
  const q = com.indptr[r + 1]! - cs;
  if (q === 0 || st.bound[r]! + MARGIN < theta[r]!) {
    counts.certified++;
    return;
  }
  let restSum = 0;
  for (let i = 0; i < q; i++) restSum += com.data[cs + i]! * colMax[com.indices[cs + i]!]!;
  let restBound = st.bound[r]!;
  fillTable(st, t, r, 0);
  setRaw(st, r, 1);
  let nt = 0;
  let i = 0;
  while (i < q && restBound + MARGIN >= theta[r]!) {
    const f = com.indices[cs + i]!;
    const x = com.data[cs + i]!;
    i++;
    // drop f from the bounds of the features left
    restSum -= x * colMax[f]!;
    restBound = Math.max(restSum, 0);
    const bit = maskBit[f]!;
    if (bit < 0) t.rest -= x * colMax[f]!;
    else if (bit < 32) t.mask0 &= ~(1 << bit);
    else t.mask1 &= ~(1 << (bit - 32));
    const rest = Math.max(t.rest, 0);
    counts.scanWork += st.df[f]!;
    for (let p = comCols.indptr[f]!; p < comCols.indptr[f + 1]!; p++) {
      const s = comCols.indices[p]!;
      if (acc[s] !== 0 || s === r) continue;
      touched[nt++] = s;
      const a = x * comCols.data[p]!;
      acc[s] = a;
      // an s sharing a selective feature was settled already: a bound too small for it only skips it
      if (a + Math.min(restBound, rest + sharedSum(t, masks, s)) + MARGIN < theta[r]!) continue;
      if (holds(st, r, s)) continue;
      counts.candidates++;
      offer(st, r, s, kernelSimilarity(st, r, s));
    }
  }
  if (i === q) counts.scanned++;
  else counts.extended++;
  for (let j = 0; j < nt; j++) acc[touched[j]!] = 0;
  setRaw(st, r, 0);
}

/** A fresh table for {@link selectivePairs} and {@link certify}. */
function rowTable(): RowTable {
  return { upper: new Float64Array(MASK_BITS), mask0: 0, mask1: 0, rest: 0 };
}

/** Row pointers of the final lists (by original index) from the heaps' sizes. @internal */
export function neighborIndptr(st: SearchInput & NeighborHeaps, allocate?: BufferAllocator): Int32Array {
  const { n, ids, heapSizes } = st;
  const indptr = int32s(n + 1, allocate);
  for (let p = 0; p < n; p++) indptr[ids[p]! + 1] = heapSizes[p]!;
  for (let r = 0; r < n; r++) indptr[r + 1]! += indptr[r]!;
  return indptr;
}

/**
 * Sorts the heaps of positions [from, to) into neighbour lists at `indptr` (original indices), in
 * `out` when given (shared arrays of at least indptr[n] slots), and returns the lists. @internal
 */
export function drainLists(
  st: SearchInput & NeighborHeaps,
  from: number,
  to: number,
  indptr: Int32Array,
  out: { indices: Int32Array; similarities: Float64Array } | undefined,
): NeighborLists {
  const { n, k, ids, heapSizes } = st;
  const indices = out?.indices ?? new Int32Array(indptr[n]!);
  const similarities = out?.similarities ?? new Float64Array(indptr[n]!);
  for (let p = from; p < to; p++)
    heapDrain(st.heapIds, st.heapSims, p * k, heapSizes[p]!, indices, similarities, indptr[ids[p]!]!);
  return { nRows: n, nCols: n, k, metric: "cosine", indptr, indices, similarities };
}

/**
 * One worker's share of a parallel search. The shared `theta` holds the seeds (the workers seed
 * one range each), then the final thresholds; each worker searches the selective pairs of the rows
 * it claims with its own copy of the seeds and its own heaps; then the rows it claims next get
 * every worker's heap merged into the first worker's and their certificate checked. The result is
 * the lists of the single-threaded search: each pair sharing a selective feature is offered to
 * both heaps by exactly one worker, and a row's certificate runs on its complete heap. @internal
 */
export interface ParallelSearch {
  readonly input: SearchInput;
  readonly seedOrder: Int32Array;
  readonly theta: Float64Array;
  /** One set per worker; the first receives the merged heaps. */
  readonly heaps: readonly NeighborHeaps[];
}

/** The shared part of a parallel search over a planned matrix. @internal */
export function prepareParallelSearch(
  m: Csr,
  plan: NeighborSearchPlan,
  workers: number,
  allocate: BufferAllocator,
): ParallelSearch {
  const input = prepare(
    permuteRows(m, plan.order, allocate),
    plan.order,
    plan.df,
    plan.selectiveDf,
    plan.k,
    allocate,
  );
  const order = seedOrder(input.m, input.df);
  const shared = int32s(order.length, allocate);
  shared.set(order);
  return {
    input,
    seedOrder: shared,
    theta: float64s(input.n, allocate).fill(Number.NEGATIVE_INFINITY),
    heaps: Array.from({ length: workers }, () => emptyHeaps(input.n, plan.k, allocate)),
  };
}

/** Seeds the thresholds of one of `parts` equal ranges of the seed order. @internal */
export function seedPart(search: ParallelSearch, part: number, parts: number, counts: Counts): void {
  const n = search.input.n;
  const st = searchState(search.input, search.theta, search.heaps[part]!);
  seedThresholds(
    st,
    counts,
    search.seedOrder,
    Math.floor((part * n) / parts),
    Math.floor(((part + 1) * n) / parts),
  );
}

/**
 * Scores the pairs sharing a selective feature of the rows worker `part` claims from `rows` (see
 * {@link claimRows}) into its heaps, with a private copy of the seeded thresholds. `onRows`
 * receives the rows done so far. @internal
 */
export function selectivePart(
  search: ParallelSearch,
  part: number,
  rows: Int32Array,
  counts: Counts,
  onRows?: (done: number) => void,
): void {
  const st = searchState(search.input, search.theta.slice(), search.heaps[part]!);
  const t = rowTable();
  const range = new Int32Array(2);
  let done = 0;
  while (claimRows(rows, part, range)) {
    for (let r = range[0]!; r < range[1]!; r++) selectivePairs(st, t, r, counts);
    done += range[1]! - range[0]!;
    onRows?.(done);
  }
}

/** Rows per claim of {@link claimRows}. */
const CLAIM_ROWS = 64;

/**
 * The shared claim state of the selective phase for `parts` workers: the search order cut into
 * `parts` runs of about equal selective work (posting-list entries after each row), worker p's
 * run starting as [front, back) = [cut_p, cut_{p+1}). Layout: a lock, then front and back per
 * run. Keeping each worker on one run keeps the rows whose pairs raise one another's thresholds
 * (neighbours in the locality order) in the same heaps. @internal
 */
export function selectiveClaims(input: SearchInput, parts: number, allocate: BufferAllocator): Int32Array {
  const { n, sel, selCols, selPos } = input;
  const work = new Float64Array(n + 1);
  for (let r = 0; r < n; r++) {
    let w = 1;
    for (let j = sel.indptr[r]!; j < sel.indptr[r + 1]!; j++)
      w += selCols.indptr[sel.indices[j]! + 1]! - selPos[j]! - 1;
    work[r + 1] = work[r]! + w;
  }
  const claims = int32s(1 + 2 * parts, allocate);
  let r = 0;
  for (let p = 0; p < parts; p++) {
    claims[1 + 2 * p] = r;
    const target = (work[n]! * (p + 1)) / parts;
    while (r < n && (p === parts - 1 || work[r]! < target)) r++;
    claims[2 + 2 * p] = r;
  }
  return claims;
}

/**
 * Claims the next rows of worker `part` into `range` ([start, end)): CLAIM_ROWS from the front of
 * its own run, or, once that is empty, from the back of the run with the most rows left (so that
 * no worker idles while another has rows to do). False when every run is empty. Claims go through
 * a spin lock at `claims[0]` (held for a few loads and stores). @internal
 */
export function claimRows(claims: Int32Array, part: number, range: Int32Array): boolean {
  while (Atomics.compareExchange(claims, 0, 0, 1) !== 0);
  try {
    const parts = (claims.length - 1) / 2;
    const front = Atomics.load(claims, 1 + 2 * part);
    const back = Atomics.load(claims, 2 + 2 * part);
    if (front < back) {
      const end = Math.min(back, front + CLAIM_ROWS);
      Atomics.store(claims, 1 + 2 * part, end);
      range[0] = front;
      range[1] = end;
      return true;
    }
    let best = -1;
    let left = 0;
    for (let p = 0; p < parts; p++) {
      const rows = Atomics.load(claims, 2 + 2 * p) - Atomics.load(claims, 1 + 2 * p);
      if (rows > left) {
        left = rows;
        best = p;
      }
    }
    if (best < 0) return false;
    const end = Atomics.load(claims, 2 + 2 * best);
    const start = Math.max(Atomics.load(claims, 1 + 2 * best), end - CLAIM_ROWS);
    Atomics.store(claims, 2 + 2 * best, start);
    range[0] = start;
    range[1] = end;
    return true;
  } finally {
    Atomics.store(claims, 0, 0);
  }
}

/**
 * For the rows `claim` hands out: merges every worker's heap of the row into the first worker's,
 * raises the shared threshold to its worst when full, and checks the row's certificate (scanning
 * common posting lists where it fails). Rows are independent here: each writes only its own heap
 * and threshold. @internal
 */
export function certifyPart(
  search: ParallelSearch,
  claim: () => number,
  chunk: number,
  counts: Counts,
): void {
  const heaps = search.heaps;
  const st = searchState(search.input, search.theta, heaps[0]!);
  const { n, k } = st;
  const t = rowTable();
  for (let start = claim(); start < n; start = claim()) {
    const end = Math.min(n, start + chunk);
    for (let r = start; r < end; r++) {
      for (let w = 1; w < heaps.length; w++) {
        const other = heaps[w]!;
        for (let j = r * k; j < r * k + other.heapSizes[r]!; j++)
          offerId(st, r, other.heapIds[j]!, other.heapSims[j]!);
      }
      if (st.heapSizes[r] === k && st.heapSims[r * k]! > st.theta[r]!) st.theta[r] = st.heapSims[r * k]!;
      certify(st, t, r, counts);
    }
  }
}
