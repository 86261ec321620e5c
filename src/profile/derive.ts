import { quantileSorted } from "simple-statistics";
import { type Csr, rowNorms, rowSums, tfidf } from "../core/csr.js";
import { RecokitError } from "../core/errors.js";
import { describeValue, type Id, type IdIndex, isValidId } from "../core/id-index.js";
import { parseProfileTag } from "./catalogue.js";
import { PROFILE_DAY_MS } from "./config.js";
import type {
  DerivedTagColumn,
  MetricRange,
  ProfileConfig,
  ProfileState,
  ProfileUser,
  RfmSegmentsInput,
  UserMetricName,
} from "./types.js";

/** Facet index of every tag, and the facet names. @internal */
export function facetsOf(tags: IdIndex): { facetOf: Int32Array; facets: string[] } {
  const facets: string[] = [];
  const index = new Map<string, number>();
  const ids = tags.ids();
  const facetOf = new Int32Array(ids.length);
  for (let t = 0; t < ids.length; t++) {
    const { facet } = parseProfileTag(String(ids[t]));
    let f = index.get(facet);
    if (f === undefined) {
      f = facets.length;
      facets.push(facet);
      index.set(facet, f);
    }
    facetOf[t] = f;
  }
  return { facetOf, facets };
}

/**
 * Scores of the stored weights: population weighting (smooth IDF over users, core `tfidf`), then
 * per-user normalisation (shares of the row, shares within each facet, or unit L2 norm; core
 * `rowSums` / `rowNorms`). All-zero rows stay zero. The result shares the weights' sparsity pattern
 * (both are read-only) and owns one new value array. @internal
 */
export function scoreWeights(weights: Csr, config: ProfileConfig, facetOf: Int32Array, nFacets: number): Csr {
  const data =
    config.population === "idf"
      ? new Float64Array(tfidf(weights, { tf: "raw", idf: "smooth" }).data)
      : new Float64Array(weights.data);
  const out: Csr = {
    nRows: weights.nRows,
    nCols: weights.nCols,
    indptr: weights.indptr,
    indices: weights.indices,
    data,
  };
  const { indptr, indices } = weights;
  switch (config.normalize) {
    case "none":
      return out;
    case "share":
    case "l2": {
      const totals = config.normalize === "share" ? rowSums(out) : rowNorms(out);
      for (let r = 0; r < out.nRows; r++) {
        const total = totals[r]!;
        for (let j = indptr[r]!; j < indptr[r + 1]!; j++) data[j] = total > 0 ? data[j]! / total : 0;
      }
      return out;
    }
    case "facet-share": {
      const sums = new Float64Array(nFacets);
      for (let r = 0; r < out.nRows; r++) {
        const s = indptr[r]!;
        const e = indptr[r + 1]!;
        for (let j = s; j < e; j++) sums[facetOf[indices[j]!]!] = 0;
        for (let j = s; j < e; j++) sums[facetOf[indices[j]!]!]! += data[j]!;
        for (let j = s; j < e; j++) {
          const total = sums[facetOf[indices[j]!]!]!;
          data[j] = total > 0 ? data[j]! / total : 0;
        }
      }
      return out;
    }
    default:
      throw new RecokitError("INTERNAL", "scoreWeights", "unknown normalisation");
  }
}

/** Events behind stored entry `j` (all types). @internal */
export function eventsAt(counts: Int32Array, nTypes: number, j: number): number {
  let n = 0;
  for (let t = 0; t < nTypes; t++) n += counts[j * nTypes + t]!;
  return n;
}

/** Confidence `n / (n + c)` of a weight backed by `n` events (1 when c = 0 and n > 0; 0 for n = 0). @internal */
export function confidenceFor(n: number, prior: number): number {
  return n + prior > 0 ? n / (n + prior) : 0;
}

/**
 * Per-user metrics from the state:
 * `events`, `purchases` (events of purchase types), `activity` (decayed event count),
 * `recencyDays = (asOf − last event) / 1 day`, `tenureDays = (asOf − first event) / 1 day`,
 * `eventsPerWeek = 7 · events / max(tenureDays, 7)`, `pricePercentile` (mean mid-rank percentile of the
 * paid prices within their category's catalogue prices), `discountShare` (discounted / purchases),
 * `categoryConcentration` and `brandConcentration` (Herfindahl–Hirschman index `Σ sᵢ²` of the
 * purchase shares over the category / brand tags). Undefined metrics are NaN. @internal
 */
export function computeMetrics(
  state: ProfileState,
  asOf: number,
  purchaseTypeIdx: readonly number[],
  nTypes: number,
  facetOf: Int32Array,
  facets: readonly string[],
): Record<UserMetricName, Float64Array> {
  const nUsers = state.events.length;
  const make = (): Float64Array => new Float64Array(nUsers).fill(Number.NaN);
  const m: Record<UserMetricName, Float64Array> = {
    events: new Float64Array(nUsers),
    purchases: new Float64Array(nUsers),
    activity: state.activity.slice(),
    recencyDays: make(),
    tenureDays: make(),
    eventsPerWeek: make(),
    pricePercentile: make(),
    discountShare: make(),
    categoryConcentration: make(),
    brandConcentration: make(),
  };
  const categoryFacet = facets.indexOf("category");
  const brandFacet = facets.indexOf("brand");
  const w = state.weights;
  for (let u = 0; u < nUsers; u++) {
    const ev = state.events[u]!;
    m.events[u] = ev;
    let purchases = 0;
    for (let k = 0; k < purchaseTypeIdx.length; k++)
      purchases += state.typeCounts[u * nTypes + purchaseTypeIdx[k]!]!;
    m.purchases[u] = purchases;
    if (ev === 0) continue;
    const recency = Math.max(0, asOf - state.lastActive[u]!) / PROFILE_DAY_MS;
    const tenure = Math.max(0, asOf - state.firstSeen[u]!) / PROFILE_DAY_MS;
    m.recencyDays[u] = recency;
    m.tenureDays[u] = tenure;
    m.eventsPerWeek[u] = (7 * ev) / Math.max(tenure, 7);
    if (state.pricedPurchases[u]! > 0)
      m.pricePercentile[u] = state.pricePercentileSum[u]! / state.pricedPurchases[u]!;
    if (purchases > 0) m.discountShare[u] = state.discountedPurchases[u]! / purchases;
    if (purchaseTypeIdx.length === 0) continue;
    let catTotal = 0;
    let catSq = 0;
    let brandTotal = 0;
    let brandSq = 0;
    for (let j = w.indptr[u]!; j < w.indptr[u + 1]!; j++) {
      const f = facetOf[w.indices[j]!]!;
      if (f !== categoryFacet && f !== brandFacet) continue;
      let p = 0;
      for (let k = 0; k < purchaseTypeIdx.length; k++) p += state.counts[j * nTypes + purchaseTypeIdx[k]!]!;
      if (f === categoryFacet) {
        catTotal += p;
        catSq += p * p;
      } else {
        brandTotal += p;
        brandSq += p * p;
      }
    }
    if (catTotal > 0) m.categoryConcentration[u] = catSq / (catTotal * catTotal);
    if (brandTotal > 0) m.brandConcentration[u] = brandSq / (brandTotal * brandTotal);
  }
  return m;
}

/** Resolved numeric bounds of a range on a metric column: quantiles replaced by population values. */
interface Bounds {
  readonly column: Float64Array;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Applies the rule specs: for each user with events, the first rule all of whose metric ranges hold
 * (`lo ≤ x < hi`; quantile bounds resolved with simple-statistics `quantileSorted` over the users with
 * events and a defined metric) gives the tag's value. @internal
 */
export function applyRules(
  config: ProfileConfig,
  metrics: Readonly<Record<UserMetricName, Float64Array>>,
): DerivedTagColumn[] {
  const nUsers = metrics.events.length;
  const sortedCache = new Map<UserMetricName, number[]>();
  const sortedOf = (metric: UserMetricName): number[] => {
    let s = sortedCache.get(metric);
    if (s === undefined) {
      // the defined values of users with events, sorted numerically (typed-array sort, no comparator)
      const col = metrics[metric];
      const values = new Float64Array(nUsers);
      let m = 0;
      for (let u = 0; u < nUsers; u++) {
        const x = col[u]!;
        if (metrics.events[u]! > 0 && Number.isFinite(x)) values[m++] = x;
      }
      s = Array.from(values.subarray(0, m).sort());
      sortedCache.set(metric, s);
    }
    return s;
  };
  const quantileOf = (metric: UserMetricName, p: number): number => {
    const s = sortedOf(metric);
    return s.length === 0 ? Number.NaN : quantileSorted(s, p);
  };
  return config.derivedTags.map((spec) => {
    const values: string[] = [];
    const valueIndex = new Map<string, number>();
    const rules = spec.rules.map((rule) => {
      let code = valueIndex.get(rule.value);
      if (code === undefined) {
        code = values.length;
        values.push(rule.value);
        valueIndex.set(rule.value, code);
      }
      const bounds: Bounds[] = [];
      for (const [metric, range] of Object.entries(rule.when ?? {}) as [UserMetricName, MetricRange][]) {
        const lo =
          range.min ??
          (range.minQuantile !== undefined
            ? quantileOf(metric, range.minQuantile)
            : Number.NEGATIVE_INFINITY);
        const hi =
          range.max ??
          (range.maxQuantile !== undefined
            ? quantileOf(metric, range.maxQuantile)
            : Number.POSITIVE_INFINITY);
        bounds.push({ column: metrics[metric], lo, hi });
      }
      return { code, bounds };
    });
    const codes = new Int32Array(nUsers).fill(-1);
    for (let u = 0; u < nUsers; u++) {
      if (metrics.events[u]! === 0) continue;
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r]!;
        let ok = true;
        for (let k = 0; k < rule.bounds.length; k++) {
          const b = rule.bounds[k]!;
          const x = b.column[u]!;
          // NaN (an undefined metric or an unresolvable quantile) fails every comparison
          if (!(x >= b.lo && x < b.hi)) {
            ok = false;
            break;
          }
        }
        if (ok) {
          codes[u] = rule.code;
          break;
        }
      }
    }
    return { name: spec.name, source: "rule" as const, values, codes };
  });
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAYPARTS = ["night", "morning", "afternoon", "evening"];

/** Index of the largest of `n` values from `base` (ties: the first), or -1 when all are ≤ 0. */
function argmax(values: Float64Array, base: number, n: number): number {
  let best = -1;
  let bestValue = 0;
  for (let i = 0; i < n; i++) {
    const v = values[base + i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * The time tags: `activeHour` ("00" … "23") and `activeWeekday` ("Mon" … "Sun") with the most decayed
 * events, and `activeDaypart` (night 0–6 h, morning 6–12 h, afternoon 12–18 h, evening 18–24 h). @internal
 */
export function timeColumns(state: ProfileState): DerivedTagColumn[] {
  const nUsers = state.events.length;
  const hour = new Int32Array(nUsers).fill(-1);
  const daypart = new Int32Array(nUsers).fill(-1);
  const weekday = new Int32Array(nUsers).fill(-1);
  const parts = new Float64Array(4);
  for (let u = 0; u < nUsers; u++) {
    if (state.events[u]! === 0) continue;
    hour[u] = argmax(state.hours, u * 24, 24);
    weekday[u] = argmax(state.weekdays, u * 7, 7);
    parts.fill(0);
    for (let h = 0; h < 24; h++) parts[(h / 6) | 0]! += state.hours[u * 24 + h]!;
    daypart[u] = argmax(parts, 0, 4);
  }
  return [
    {
      name: "activeHour",
      source: "time",
      values: Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0")),
      codes: hour,
    },
    { name: "activeDaypart", source: "time", values: DAYPARTS, codes: daypart },
    { name: "activeWeekday", source: "time", values: WEEKDAYS, codes: weekday },
  ];
}

/** The `channel` tag: each user's channel with the most decayed events. @internal */
export function channelColumn(channels: Csr, channelIds: IdIndex): DerivedTagColumn {
  const codes = new Int32Array(channels.nRows).fill(-1);
  for (let u = 0; u < channels.nRows; u++) {
    let best = -1;
    let bestValue = 0;
    for (let j = channels.indptr[u]!; j < channels.indptr[u + 1]!; j++) {
      if (channels.data[j]! > bestValue) {
        bestValue = channels.data[j]!;
        best = channels.indices[j]!;
      }
    }
    codes[u] = best;
  }
  return { name: "channel", source: "channel", values: channelIds.ids().map(String), codes };
}

/** Users named by user records and an RFM input, in order, validated. @internal */
export function staticUserIds(
  where: string,
  records: readonly ProfileUser[] | undefined,
  rfm: RfmSegmentsInput | undefined,
): Id[] {
  const out: Id[] = [];
  if (records !== undefined) {
    if (!Array.isArray(records))
      throw new RecokitError("INVALID_INPUT", where, "users must be an array of user records");
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r === null || typeof r !== "object")
        throw new RecokitError("INVALID_INPUT", where, `users[${i}] is not an object`);
      if (!isValidId(r.id))
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `users[${i}]: id ${describeValue(r.id)} is not a string or finite number`,
        );
      out.push(r.id);
    }
  }
  for (const [id] of rfmEntries(where, rfm)) out.push(id);
  return out;
}

/** The (customer, segment) pairs of an RFM input, validated. @internal */
export function rfmEntries(where: string, rfm: RfmSegmentsInput | undefined): [Id, string][] {
  if (rfm === undefined) return [];
  const out: [Id, string][] = [];
  if (rfm instanceof Map) {
    for (const [id, label] of rfm) out.push([id, label]);
  } else if (rfm !== null && typeof rfm === "object" && "customers" in rfm && "labels" in rfm) {
    const ids = rfm.customers.ids();
    if (!Array.isArray(rfm.labels) || rfm.labels.length !== ids.length)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `rfm: labels (${Array.isArray(rfm.labels) ? rfm.labels.length : "none"}) must match customers (${ids.length})`,
      );
    for (let i = 0; i < ids.length; i++) out.push([ids[i]!, rfm.labels[i]!]);
  } else {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "rfm must be a Map customer → segment or { customers, labels }",
    );
  }
  for (const [id, label] of out) {
    if (!isValidId(id))
      throw new RecokitError("INVALID_INPUT", where, `rfm: customer ${describeValue(id)} is not a valid id`);
    if (typeof label !== "string" || label.length === 0)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `rfm: segment of customer ${describeValue(id)} is not a non-empty string`,
      );
  }
  return out;
}

/** A column extended to `nUsers` rows (new rows have no value). */
function widen(
  column: DerivedTagColumn | undefined,
  name: string,
  source: DerivedTagColumn["source"],
  nUsers: number,
) {
  const codes = new Int32Array(nUsers).fill(-1);
  if (column !== undefined) codes.set(column.codes.subarray(0, Math.min(nUsers, column.codes.length)));
  const values = column === undefined ? [] : [...column.values];
  return { name, source, values, codes, index: new Map(values.map((v, i) => [v, i])) };
}

/**
 * The static columns: one per user attribute and, once an RFM input has been given, `rfmSegment`.
 * A user record replaces that user's attribute values (a missing field clears it); an RFM input
 * replaces the whole segment column. @internal
 */
export function staticColumns(
  where: string,
  previous: readonly DerivedTagColumn[],
  users: IdIndex,
  attributes: readonly string[],
  records: readonly ProfileUser[] | undefined,
  rfm: RfmSegmentsInput | undefined,
): DerivedTagColumn[] {
  const n = users.size;
  const byName = new Map(previous.map((c) => [c.name, c]));
  const cols = attributes.map((a) => widen(byName.get(a), a, "attribute", n));
  for (let i = 0; i < (records?.length ?? 0); i++) {
    const record = records![i]!;
    const u = users.indexOf(record.id);
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      const v = (record as unknown as Readonly<Record<string, unknown>>)[col.name];
      if (v === undefined || v === null) {
        col.codes[u] = -1;
        continue;
      }
      if (
        !(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) ||
        v === ""
      )
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `users[${i}].${col.name}: ${describeValue(v)} is not a non-empty string, finite number or boolean`,
        );
      const s = String(v);
      let code = col.index.get(s);
      if (code === undefined) {
        code = col.values.length;
        col.values.push(s);
        col.index.set(s, code);
      }
      col.codes[u] = code;
    }
  }
  const out: DerivedTagColumn[] = cols.map(({ name, source, values, codes }) => ({
    name,
    source,
    values,
    codes,
  }));
  const entries = rfmEntries(where, rfm);
  const prevRfm = byName.get("rfmSegment");
  if (rfm !== undefined) {
    const col = widen(undefined, "rfmSegment", "rfm", n);
    for (const [id, label] of entries) {
      let code = col.index.get(label);
      if (code === undefined) {
        code = col.values.length;
        col.values.push(label);
        col.index.set(label, code);
      }
      col.codes[users.indexOf(id)] = code;
    }
    out.push({ name: col.name, source: col.source, values: col.values, codes: col.codes });
  } else if (prevRfm !== undefined) {
    const col = widen(prevRfm, "rfmSegment", "rfm", n);
    out.push({ name: col.name, source: col.source, values: col.values, codes: col.codes });
  }
  return out;
}
