import { kmeans } from "ml-kmeans";
import { mean, sampleSkewness, standardDeviation } from "simple-statistics";
import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import { permutation, type Random, resolveRandom } from "../core/random.js";
import type { CustomerGroup, CustomerGrouping } from "./segments.js";
import type { RfmTable } from "./table.js";

/** Options of {@link clusterCustomers}. */
export interface ClusterCustomersOptions {
  /** Candidate numbers of clusters: one k, or a list (default 2 … 8). */
  readonly k?: number | readonly number[];
  /** Which k to keep when several are tried: best mean silhouette (default) or the elbow of inertia. */
  readonly choose?: "silhouette" | "elbow";
  /**
   * Feature transform before standardising: `"auto"` (default) takes `sign(x)·ln(1 + |x|)` of each
   * dimension whose sample skewness exceeds `skewThreshold`; `"log"` of all three; `"none"`.
   */
  readonly transform?: "auto" | "log" | "none";
  /** Skewness above which `"auto"` log-transforms a dimension (default 1). */
  readonly skewThreshold?: number;
  /** k-means runs per k from different k-means++ seeds; the lowest inertia is kept (default 5). */
  readonly restarts?: number;
  /** Iteration cap of each k-means run (default 100). */
  readonly maxIterations?: number;
  /** Customers the silhouette is computed on (a seeded random sample above this; default 5000). */
  readonly silhouetteSampleSize?: number;
  /** Seed of the k-means++ seeds and of the silhouette sample (default 42). */
  readonly seed?: number;
  /** A random source instead of `seed`. */
  readonly random?: Random;
  /** Called after each k-means run with (runs done, runs planned). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborts the work (a `RecokitError` with code `ABORTED`) when it fires. */
  readonly signal?: AbortSignal;
}

/** Quality of one candidate k. */
export interface ClusterCandidate {
  readonly k: number;
  /** Within-cluster sum of squared distances in the standardised space (k-means' objective). */
  readonly inertia: number;
  /** Mean silhouette width (−1 … 1, higher is better), on the silhouette sample. */
  readonly silhouette: number;
}

/** How one RFM dimension was turned into a clustering feature. */
export interface ClusterFeature {
  readonly dimension: "recency" | "frequency" | "monetary";
  readonly transform: "log" | "none";
  /** Sample skewness of the raw values (0 when fewer than 3 customers or constant). */
  readonly skewness: number;
  /** Mean and (population) standard deviation of the transformed values, used to standardise. */
  readonly mean: number;
  readonly sd: number;
}

/** The result of {@link clusterCustomers}: a grouping of the table's rows plus model details. */
export interface CustomerClusters extends CustomerGrouping {
  /** The number of clusters kept. */
  readonly k: number;
  /** How k was chosen: by `"silhouette"`, by `"elbow"`, or `"fixed"` (a single k was given). */
  readonly choice: "silhouette" | "elbow" | "fixed";
  /** The k with the best mean silhouette, and the k at the elbow of the inertia curve. */
  readonly silhouetteK: number;
  readonly elbowK: number;
  /** Every candidate k tried, ascending. */
  readonly candidates: readonly ClusterCandidate[];
  readonly inertia: number;
  readonly silhouette: number;
  /** Mean raw recency, frequency and monetary of each cluster's members (same order as `groups`). */
  readonly centers: readonly {
    readonly recency: number;
    readonly frequency: number;
    readonly monetary: number;
  }[];
  /** Cluster centres in the standardised feature space [R, F, M]. */
  readonly standardizedCenters: readonly (readonly number[])[];
  readonly features: readonly ClusterFeature[];
  /** How many customers the silhouette was computed on. */
  readonly silhouetteSample: number;
}

const WHERE = "clusterCustomers";
const DIMS = ["recency", "frequency", "monetary"] as const;

/**
 * Clusters customers on recency, frequency and monetary value with k-means (ml-kmeans, k-means++
 * initialisation, seeded), after a log transform of skewed dimensions and standardisation to zero
 * mean and unit variance. Several k can be tried: each gets its inertia (the elbow curve) and its
 * mean silhouette (Rousseeuw 1987, on a seeded sample of at most `silhouetteSampleSize`
 * customers, computed in O(s²) time and O(s) memory, never an s × s matrix); k is chosen by
 * silhouette (default) or by the elbow (the point farthest below the chord of the normalised
 * inertia curve, as in Kneedle, Satopää et al. 2011). Both choices are reported.
 *
 * Clusters are numbered by value: "Cluster 1" has the highest −R + F + M standardised centre;
 * each gets a plain description ("recent, frequent, high spend"). The result has the same
 * grouping shape as a segmentation, so {@link summarizeSegments} profiles it.
 * Time O(|k| · restarts · iterations · n · k) + O(|k| · s²).
 *
 * @param table - an RFM table (recency, frequency, monetary are read)
 * @param options - candidate k, choice rule, transform, restarts, seed
 * @returns the grouping, the chosen k and every candidate's inertia and silhouette
 * @throws RecokitError `EMPTY_DATA` for an empty table; `INVALID_INPUT` for bad options, non-finite
 * values, or a k larger than the number of distinct customers; `ABORTED` when the signal fires.
 * @example
 * ```ts
 * import { clusterCustomers, rfmTable } from "recokit";
 * const t0 = Date.UTC(2024, 0, 1), day = 86_400_000;
 * const rows = Array.from({ length: 300 }, (_, i) => ({
 *   customer: `c${i % 60}`, invoice: `i${i}`, timestamp: t0 + ((i * 37) % 200) * day, amount: 5 + (i % 13) * (i % 60),
 * }));
 * const clusters = clusterCustomers(rfmTable(rows), { k: [2, 3, 4], seed: 1 });
 * clusters.k;                   // the k with the best silhouette
 * clusters.groups[0]?.name;     // "Cluster 1"
 * ```
 */
export function clusterCustomers(table: RfmTable, options: ClusterCustomersOptions = {}): CustomerClusters {
  const ks = candidateKs(options.k);
  const choose = options.choose ?? "silhouette";
  if (choose !== "silhouette" && choose !== "elbow")
    throw new RecokitError("INVALID_INPUT", WHERE, `choose must be "silhouette" or "elbow"`);
  const transform = options.transform ?? "auto";
  if (transform !== "auto" && transform !== "log" && transform !== "none")
    throw new RecokitError("INVALID_INPUT", WHERE, `transform must be "auto", "log" or "none"`);
  const skewThreshold = options.skewThreshold ?? 1;
  assertFinite(WHERE, "skewThreshold", skewThreshold);
  const restarts = options.restarts ?? 5;
  assertInteger(WHERE, "restarts", restarts, 1, 1000);
  const maxIterations = options.maxIterations ?? 100;
  assertInteger(WHERE, "maxIterations", maxIterations, 1);
  const sampleSize = options.silhouetteSampleSize ?? 5000;
  assertInteger(WHERE, "silhouetteSampleSize", sampleSize, 2);
  const random = resolveRandom(WHERE, options);

  const n = table?.recency?.length;
  if (typeof n !== "number") throw new RecokitError("INVALID_INPUT", WHERE, "table must be an RFM table");
  if (n === 0) throw new RecokitError("EMPTY_DATA", WHERE, "the table has no customers");
  const features = DIMS.map((d) => makeFeature(d, table[d], n, transform, skewThreshold));
  const points = standardise(table, features, n);
  const distinct = countDistinct(points);
  const explicit = typeof options.k === "number" || Array.isArray(options.k);
  const usable = explicit ? ks : ks.filter((k) => k <= distinct);
  const tooBig = usable.find((k) => k > distinct);
  if (tooBig !== undefined || usable.length === 0)
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `k = ${tooBig ?? ks[0]} exceeds the ${distinct} distinct customer profiles (need at least k distinct customers)`,
    );

  const sample = n <= sampleSize ? identity(n) : permutation(random, n).slice(0, sampleSize).sort();
  const total = usable.length * restarts;
  let done = 0;
  const runs = usable.map((k) => {
    let best: { labels: Int32Array; centers: number[][]; inertia: number } | undefined;
    for (let run = 0; run < restarts; run++) {
      throwIfAborted(WHERE, options.signal);
      const seed = Math.floor(random() * 2147483647);
      const result = kmeans(points, k, { initialization: "kmeans++", seed, maxIterations });
      const labels = Int32Array.from(result.clusters);
      const inertia = inertiaOf(points, labels, result.centroids);
      if (best === undefined || inertia < best.inertia) best = { labels, centers: result.centroids, inertia };
      options.onProgress?.(++done, total);
    }
    const silhouette = meanSilhouette(points, best!.labels, k, sample);
    return { k, ...best!, silhouette };
  });

  const candidates = runs.map(({ k, inertia, silhouette }) => ({ k, inertia, silhouette }));
  let silhouetteK = runs[0]!.k;
  let bestSilhouette = runs[0]!.silhouette;
  for (const c of runs) {
    if (c.silhouette > bestSilhouette) {
      bestSilhouette = c.silhouette;
      silhouetteK = c.k;
    }
  }
  const elbowK = elbowOf(candidates);
  const k = runs.length === 1 ? runs[0]!.k : choose === "silhouette" ? silhouetteK : elbowK;
  const chosen = runs.find((r) => r.k === k)!;
  const grouping = relabel(table, chosen.labels, chosen.centers, k);
  return {
    ...grouping,
    k,
    choice: runs.length === 1 ? "fixed" : choose,
    silhouetteK,
    elbowK,
    candidates,
    inertia: chosen.inertia,
    silhouette: chosen.silhouette,
    features,
    silhouetteSample: sample.length,
  };
}

function candidateKs(k: ClusterCustomersOptions["k"]): number[] {
  const list = k === undefined ? [2, 3, 4, 5, 6, 7, 8] : typeof k === "number" ? [k] : Array.from(k);
  if (list.length === 0) throw new RecokitError("INVALID_INPUT", WHERE, "k must not be an empty list");
  for (const v of list) assertInteger(WHERE, "k", v, 1);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** Applies `sign(x)·ln(1 + |x|)`, which keeps order and zero and accepts negative net spend. */
function signedLog(x: number): number {
  return Math.sign(x) * Math.log1p(Math.abs(x));
}

function makeFeature(
  dimension: (typeof DIMS)[number],
  values: ArrayLike<number>,
  n: number,
  transform: "auto" | "log" | "none",
  skewThreshold: number,
): ClusterFeature {
  if (values?.length !== n)
    throw new RecokitError("INVALID_INPUT", WHERE, `table.${dimension} must hold ${n} numbers`);
  const raw = Array.from(values);
  raw.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new RecokitError("INVALID_INPUT", WHERE, `row ${i}: ${dimension} ${v} is not a finite number`);
  });
  const sk = n >= 3 ? sampleSkewness(raw) : 0;
  const skewness = Number.isFinite(sk) ? sk : 0;
  const useLog = transform === "log" || (transform === "auto" && skewness > skewThreshold);
  const x = useLog ? raw.map(signedLog) : raw;
  return { dimension, transform: useLog ? "log" : "none", skewness, mean: mean(x), sd: standardDeviation(x) };
}

function standardise(table: RfmTable, features: readonly ClusterFeature[], n: number): number[][] {
  const points: number[][] = Array.from({ length: n }, () => [0, 0, 0]);
  features.forEach((f, d) => {
    const values = table[f.dimension];
    for (let i = 0; i < n; i++) {
      const v = f.transform === "log" ? signedLog(values[i]!) : values[i]!;
      points[i]![d] = f.sd > 0 ? (v - f.mean) / f.sd : 0;
    }
  });
  return points;
}

function countDistinct(points: readonly (readonly number[])[]): number {
  const seen = new Set<string>();
  for (const p of points) seen.add(p.join(","));
  return seen.size;
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) {
    const diff = a[d]! - b[d]!;
    s += diff * diff;
  }
  return s;
}

function inertiaOf(points: readonly number[][], labels: Int32Array, centers: readonly number[][]): number {
  let total = 0;
  for (let i = 0; i < points.length; i++) total += squaredDistance(points[i]!, centers[labels[i]!]!);
  return total;
}

/**
 * Mean silhouette width over `sample` (distances among sampled points only, as scikit-learn's
 * `silhouette_score` with `sample_size`): s(i) = (b − a) / max(a, b), where a is the mean distance
 * to the other members of i's cluster and b the lowest mean distance to another cluster; s = 0 for a
 * point alone in its cluster (and where a = b = 0). Each pair's distance is computed once and
 * added to both points' per-cluster sums: O(s² d / 2) time, O(s k) memory, never an s × s matrix.
 * @internal
 */
export function meanSilhouette(
  points: readonly (readonly number[])[],
  labels: ArrayLike<number>,
  k: number,
  sample: ArrayLike<number>,
): number {
  const m = sample.length;
  if (m === 0) return 0;
  const d = points[sample[0]!]!.length;
  const coords = new Float64Array(m * d);
  const label = new Int32Array(m);
  const counts = new Float64Array(k);
  for (let s = 0; s < m; s++) {
    const p = points[sample[s]!]!;
    for (let c = 0; c < d; c++) coords[s * d + c] = p[c]!;
    label[s] = labels[sample[s]!]!;
    counts[label[s]!]! += 1;
  }
  // sums[s·k + c] = Σ distance from sampled point s to the sampled members of cluster c
  const sums = new Float64Array(m * k);
  for (let s = 0; s < m; s++) {
    const ls = label[s]!;
    const base = s * d;
    for (let t = s + 1; t < m; t++) {
      let sq = 0;
      for (let c = 0; c < d; c++) {
        const diff = coords[base + c]! - coords[t * d + c]!;
        sq += diff * diff;
      }
      const dist = Math.sqrt(sq);
      sums[s * k + label[t]!]! += dist;
      sums[t * k + ls]! += dist;
    }
  }
  let total = 0;
  for (let s = 0; s < m; s++) {
    const own = label[s]!;
    if (counts[own]! <= 1) continue;
    const a = sums[s * k + own]! / (counts[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c !== own && counts[c]! > 0) b = Math.min(b, sums[s * k + c]! / counts[c]!);
    }
    const top = Math.max(a, b);
    if (b !== Number.POSITIVE_INFINITY && top > 0) total += (b - a) / top;
  }
  return total / m;
}

/**
 * The elbow of a decreasing inertia curve: with k and inertia both scaled to [0, 1], the candidate
 * farthest below the straight line from the first to the last point. @internal
 */
export function elbowOf(candidates: readonly { k: number; inertia: number }[]): number {
  const first = candidates[0]!;
  const last = candidates[candidates.length - 1]!;
  const span = first.inertia - last.inertia;
  if (candidates.length <= 2 || !(span > 0) || last.k === first.k) return first.k;
  let bestK = first.k;
  let bestGap = 0;
  for (const c of candidates) {
    const x = (c.k - first.k) / (last.k - first.k);
    const y = (c.inertia - last.inertia) / span;
    const gap = 1 - x - y;
    if (gap > bestGap) {
      bestGap = gap;
      bestK = c.k;
    }
  }
  return bestK;
}

/** Renumbers clusters by value (−R + F + M of the standardised centre, best first) and profiles them. */
function relabel(
  table: RfmTable,
  labels: Int32Array,
  centers: readonly number[][],
  k: number,
): Pick<CustomerClusters, "groups" | "groupOf" | "centers" | "standardizedCenters"> {
  const value = (c: readonly number[]): number => -c[0]! + c[1]! + c[2]!;
  const order = Array.from({ length: k }, (_, c) => c).sort(
    (a, b) => value(centers[b]!) - value(centers[a]!) || a - b,
  );
  const rank = new Int32Array(k);
  order.forEach((c, position) => {
    rank[c] = position;
  });
  const groupOf = Int32Array.from(labels, (c) => rank[c]!);
  const members: number[][] = Array.from({ length: k }, () => []);
  groupOf.forEach((g, i) => {
    members[g]!.push(i);
  });
  const groups: CustomerGroup[] = order.map((c, position) => ({
    name: `Cluster ${position + 1}`,
    description: describeCenter(centers[c]!),
  }));
  const meanOf = (col: ArrayLike<number>, rows: readonly number[]): number =>
    rows.length === 0 ? 0 : mean(rows.map((i) => col[i]!));
  return {
    groups,
    groupOf,
    centers: members.map((rows) => ({
      recency: meanOf(table.recency, rows),
      frequency: meanOf(table.frequency, rows),
      monetary: meanOf(table.monetary, rows),
    })),
    standardizedCenters: order.map((c) => centers[c]!.slice()),
  };
}

/** Plain words for a standardised centre: ±0.5 sd from the mean counts as notable. */
function describeCenter(c: readonly number[]): string {
  const words: string[] = [];
  if (c[0]! < -0.5) words.push("recent");
  else if (c[0]! > 0.5) words.push("lapsed");
  if (c[1]! > 0.5) words.push("frequent");
  else if (c[1]! < -0.5) words.push("infrequent");
  if (c[2]! > 0.5) words.push("high spend");
  else if (c[2]! < -0.5) words.push("low spend");
  return words.length === 0 ? "average on recency, frequency and spend" : words.join(", ");
}
