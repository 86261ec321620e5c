import { quantileSorted } from "simple-statistics";
import type { Csr } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import { describeValue, type Id, IdIndex, IdIndexBuilder, isValidId } from "../core/id-index.js";
import type { Accessor } from "../core/interactions.js";
import {
  createTokenizer,
  type TokenizeOptions,
  type Tokenizer,
  type TokenizerConfig,
  tokenizerConfigOf,
  type WordSegmenter,
} from "./tokenize.js";

// ───────────────────────────── field specifications ─────────────────────────────

interface FieldSpecBase<R, V> {
  /** Field name: a non-empty string without `:`; feature ids are `name:value`. */
  readonly name: string;
  /**
   * Share of the field in the item vector (default 1). With `normalize` (the default), each field's
   * block is L2-normalised and scaled by √weight, so two items that both have every field get
   * cosine = Σ weight·cos_field / Σ weight.
   */
  readonly weight?: number;
  /** Reads the field from an item row (default `row[name]`). */
  readonly value?: Accessor<R, V>;
}

/** A free-text field (title, description): tokenised, then TF-IDF or BM25 weighted terms. */
export interface ContentTextField<R> extends FieldSpecBase<R, string | readonly string[] | null | undefined> {
  readonly kind: "text";
  /** `tfidf` (default) or `bm25` term weights. */
  readonly weighting?: "tfidf" | "bm25";
  /** TF-IDF term frequency: `raw` count (default), `log` (1 + ln tf) or `binary`. */
  readonly tf?: "raw" | "log" | "binary";
  /** TF-IDF inverse document frequency: `smooth` ln((1+N)/(1+df)) + 1 (default) or `plain` ln(N/df). */
  readonly idf?: "smooth" | "plain";
  /** BM25 term-frequency saturation (default 1.2). */
  readonly k1?: number;
  /** BM25 length normalisation in [0, 1] (default 0.75). */
  readonly b?: number;
  /** Keep terms found in at least this many items (default 1). */
  readonly minDf?: number;
  /** Keep terms found in at most this share of items, in (0, 1] (default 1: no upper cut). */
  readonly maxDf?: number;
  /** Keep at most this many terms, the most frequent (ties: first seen). Default: no limit. */
  readonly maxTerms?: number;
  /** How to tokenise (see {@link TokenizeOptions}); stored with the model, except `segmenter`. */
  readonly tokenizer?: TokenizeOptions;
}

/** A multi-valued label field (tags, brand, colour): one feature per distinct value. */
export interface ContentTagsField<R> extends FieldSpecBase<R, string | readonly string[] | null | undefined> {
  readonly kind: "tags";
  /** Weight rare values higher with the smooth IDF ln((1+N)/(1+df)) + 1 (default true). */
  readonly idf?: boolean;
  /** Compare values case-insensitively (default true); values are always trimmed. */
  readonly lowercase?: boolean;
  /** Keep values found in at least this many items (default 1). */
  readonly minDf?: number;
}

/**
 * A category, optionally hierarchical: a path (`["apparel", "shoes"]`, or a string split on
 * `separator`) gives one feature per level, the leaf weighted 1 and each level up multiplied by
 * `ancestorWeight`, so items in sibling categories still share their parent.
 */
export interface ContentCategoryField<R>
  extends FieldSpecBase<R, string | readonly string[] | null | undefined> {
  readonly kind: "category";
  /** Splits a string value into a path, e.g. `" > "` (default: a string is a single level). */
  readonly separator?: string;
  /** Weight of the parent relative to its child, in [0, 1] (default 0.5; 0 = leaf only). */
  readonly ancestorWeight?: number;
  /** Weight rare categories higher with the smooth IDF (default false). */
  readonly idf?: boolean;
  /** Compare case-insensitively (default true). */
  readonly lowercase?: boolean;
}

/**
 * A numeric attribute (price, rating, release year): quantile bands (one-hot, optionally spreading
 * to the adjacent bands so that nearby values still match) or a min–max scaled value.
 */
export interface ContentNumericField<R> extends FieldSpecBase<R, number | null | undefined> {
  readonly kind: "numeric";
  /** `bands` (default) or `scaled` (one feature weighted (x − min)/(max − min), clamped to [0, 1]). */
  readonly encode?: "bands" | "scaled";
  /** Number of equal-frequency bands, from the training values' quantiles (default 5). */
  readonly bands?: number;
  /** Explicit increasing band boundaries instead of quantiles (band j holds edges[j-1] < x ≤ edges[j]). */
  readonly edges?: readonly number[];
  /** Transform x → ln(1 + x) first (x must be ≥ 0); suits prices. Default false. */
  readonly log?: boolean;
  /** Weight given to the two adjacent bands, in [0, 1) (default 0). */
  readonly spread?: number;
}

/** One field of an item (see the four kinds). */
export type ContentFieldSpec<R> =
  | ContentTextField<R>
  | ContentTagsField<R>
  | ContentCategoryField<R>
  | ContentNumericField<R>;

/** Options of {@link fitContentFeatures}. */
export interface ContentFeatureOptions<R> {
  /** The fields that make up an item's vector (at least one). */
  readonly fields: readonly ContentFieldSpec<R>[];
  /** Item id of a row (default `row.id`); ids must be unique. */
  readonly id?: Accessor<R, Id>;
  /**
   * L2-normalise each field block and each item vector (default true): scores are cosines.
   * `false` keeps raw TF-IDF/BM25 weights (scaled by √weight) for BM25-style dot-product scoring.
   */
  readonly normalize?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

// ───────────────────────────── fitted state ─────────────────────────────

interface FittedBase {
  readonly name: string;
  readonly weight: number;
  /** First feature column of the field's block. */
  readonly offset: number;
  /** Number of feature columns of the block. */
  readonly size: number;
  /** Training items for which the field gave no feature. */
  readonly missing: number;
}

/** Fitted state of a text field. */
export interface FittedContentTextField extends FittedBase {
  readonly kind: "text";
  readonly weighting: "tfidf" | "bm25";
  readonly tf: "raw" | "log" | "binary";
  readonly idf: "smooth" | "plain";
  readonly k1: number;
  readonly b: number;
  /** Mean number of in-vocabulary tokens per training item (BM25 length normalisation). */
  readonly avgLength: number;
  readonly tokenizer: TokenizerConfig;
  /** Distinct terms seen in training but left out by minDf / maxDf / maxTerms. */
  readonly prunedTerms: number;
}

/** Fitted state of a tags field. */
export interface FittedContentTagsField extends FittedBase {
  readonly kind: "tags";
  readonly idf: boolean;
  readonly lowercase: boolean;
  readonly prunedTerms: number;
}

/** Fitted state of a category field. */
export interface FittedContentCategoryField extends FittedBase {
  readonly kind: "category";
  readonly separator: string | null;
  readonly ancestorWeight: number;
  readonly idf: boolean;
  readonly lowercase: boolean;
}

/** Fitted state of a numeric field. */
export interface FittedContentNumericField extends FittedBase {
  readonly kind: "numeric";
  readonly encode: "bands" | "scaled";
  readonly log: boolean;
  /** Band boundaries (bands = edges.length + 1); empty for `scaled`. */
  readonly edges: Float64Array;
  readonly spread: number;
  /** Training minimum and maximum (after the log transform), for `scaled`. */
  readonly min: number;
  readonly max: number;
}

/** A field with its fitted vocabulary statistics. */
export type FittedContentField =
  | FittedContentTextField
  | FittedContentTagsField
  | FittedContentCategoryField
  | FittedContentNumericField;

/** Fitted item features: vocabulary, IDF and the items × features matrix. Serialisable. */
export interface ContentFeatures {
  /** Item ids ↔ rows of `itemFeatures`. */
  readonly items: IdIndex;
  /** Feature ids (`field:value`) ↔ columns. */
  readonly features: IdIndex;
  /** A readable label per feature (`nike`, `shoes`, `price band 2`), for explanations. */
  readonly labels: readonly string[];
  /** Field (index into `fields`) of each feature. */
  readonly featureField: Int32Array;
  /** Column weight of each feature: IDF for text and IDF-weighted tags/categories, else 1. */
  readonly featureIdf: Float64Array;
  readonly fields: readonly FittedContentField[];
  readonly normalize: boolean;
  /** items × features weights. */
  readonly itemFeatures: Csr;
}

/** Options of {@link transformContentItems}. */
export interface TransformContentOptions<R> {
  /** Readers per field name for rows not shaped `{ [field]: value }` (default `row[name]`). */
  readonly accessors?: Readonly<Record<string, Accessor<R, unknown>>>;
  /** Word segmenter for text fields (default `Intl.Segmenter`, as at fit time). */
  readonly segmenter?: WordSegmenter | null;
}

/** Vectors of items transformed with a fitted vocabulary. */
export interface TransformedContentItems {
  /** rows × features, weighted exactly as training items were. */
  readonly matrix: Csr;
  /** Per row: values (tokens, tags, categories) not in the fitted vocabulary, hence without a feature. */
  readonly unknownValues: Int32Array;
}

// ───────────────────────────── helpers ─────────────────────────────

/** Smooth IDF, the scikit-learn default and core `tfidf`'s: ln((1+N)/(1+df)) + 1. @internal */
export function smoothIdf(n: number, df: number): number {
  return Math.log((1 + n) / (1 + df)) + 1;
}

/** Plain IDF ln(N/df) (0 when df = 0). @internal */
export function plainIdf(n: number, df: number): number {
  return df > 0 ? Math.log(n / df) : 0;
}

/** The always-positive BM25 IDF (Lucene): ln(1 + (N − df + 0.5)/(df + 0.5)). @internal */
export function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function termFrequency(mode: "raw" | "log" | "binary", count: number): number {
  switch (mode) {
    case "raw":
      return count;
    case "log":
      return count > 0 ? 1 + Math.log(count) : 0;
    case "binary":
      return count !== 0 ? 1 : 0;
    default:
      throw new RecokitError("INTERNAL", "termFrequency", `unknown tf mode ${String(mode)}`);
  }
}

/** The readable label of a numeric band (1-based). */
function bandLabel(name: string, band: number): string {
  return `${name} band ${band + 1}`;
}

interface FieldRuntime {
  readonly spec: ResolvedSpec;
  readonly read: (row: unknown, i: number) => unknown;
  readonly tokenizer?: Tokenizer;
}

type ResolvedSpec =
  | (Omit<FittedContentTextField, "offset" | "size" | "missing" | "avgLength" | "prunedTerms"> & {
      readonly minDf: number;
      readonly maxDf: number;
      readonly maxTerms: number;
    })
  | (Omit<FittedContentTagsField, "offset" | "size" | "missing" | "prunedTerms"> & { readonly minDf: number })
  | Omit<FittedContentCategoryField, "offset" | "size" | "missing">
  | (Omit<FittedContentNumericField, "offset" | "size" | "missing" | "edges" | "min" | "max"> & {
      readonly bands: number;
      readonly edges: readonly number[] | undefined;
    });

function defaultReader(name: string): (row: unknown) => unknown {
  return (row) =>
    row !== null && typeof row === "object" ? (row as Record<string, unknown>)[name] : undefined;
}

function resolveSpec<R>(where: string, spec: ContentFieldSpec<R>, index: number): ResolvedSpec {
  const at = `fields[${index}]`;
  if (spec === null || typeof spec !== "object")
    throw new RecokitError("INVALID_INPUT", where, `${at} must be an object`);
  if (typeof spec.name !== "string" || spec.name.length === 0 || spec.name.includes(":"))
    throw new RecokitError("INVALID_INPUT", where, `${at}.name must be a non-empty string without ":"`);
  const weight = spec.weight ?? 1;
  assertFinite(where, `${at}.weight`, weight, 0);
  if (spec.value !== undefined && typeof spec.value !== "function")
    throw new RecokitError("INVALID_INPUT", where, `${at}.value must be a function`);
  const base = { name: spec.name, weight };
  switch (spec.kind) {
    case "text": {
      const weighting = spec.weighting ?? "tfidf";
      if (weighting !== "tfidf" && weighting !== "bm25")
        throw new RecokitError("INVALID_INPUT", where, `${at}.weighting must be "tfidf" or "bm25"`);
      const tf = spec.tf ?? "raw";
      if (tf !== "raw" && tf !== "log" && tf !== "binary")
        throw new RecokitError("INVALID_INPUT", where, `${at}.tf must be "raw", "log" or "binary"`);
      const idf = spec.idf ?? "smooth";
      if (idf !== "smooth" && idf !== "plain")
        throw new RecokitError("INVALID_INPUT", where, `${at}.idf must be "smooth" or "plain"`);
      const k1 = spec.k1 ?? 1.2;
      const b = spec.b ?? 0.75;
      assertFinite(where, `${at}.k1`, k1, 0);
      assertFinite(where, `${at}.b`, b, 0, 1);
      const minDf = spec.minDf ?? 1;
      assertInteger(where, `${at}.minDf`, minDf, 1);
      const maxDf = spec.maxDf ?? 1;
      assertFinite(where, `${at}.maxDf`, maxDf, Number.MIN_VALUE, 1);
      const maxTerms = spec.maxTerms ?? Number.MAX_SAFE_INTEGER;
      assertInteger(where, `${at}.maxTerms`, maxTerms, 1);
      const tokenizer = tokenizerConfigOf(where, spec.tokenizer);
      return { ...base, kind: "text", weighting, tf, idf, k1, b, minDf, maxDf, maxTerms, tokenizer };
    }
    case "tags": {
      const minDf = spec.minDf ?? 1;
      assertInteger(where, `${at}.minDf`, minDf, 1);
      return { ...base, kind: "tags", idf: spec.idf ?? true, lowercase: spec.lowercase ?? true, minDf };
    }
    case "category": {
      const ancestorWeight = spec.ancestorWeight ?? 0.5;
      assertFinite(where, `${at}.ancestorWeight`, ancestorWeight, 0, 1);
      if (spec.separator !== undefined && (typeof spec.separator !== "string" || spec.separator === ""))
        throw new RecokitError("INVALID_INPUT", where, `${at}.separator must be a non-empty string`);
      return {
        ...base,
        kind: "category",
        separator: spec.separator ?? null,
        ancestorWeight,
        idf: spec.idf ?? false,
        lowercase: spec.lowercase ?? true,
      };
    }
    case "numeric": {
      const encode = spec.encode ?? "bands";
      if (encode !== "bands" && encode !== "scaled")
        throw new RecokitError("INVALID_INPUT", where, `${at}.encode must be "bands" or "scaled"`);
      const bands = spec.bands ?? 5;
      assertInteger(where, `${at}.bands`, bands, 1, 10_000);
      const spread = spec.spread ?? 0;
      assertFinite(where, `${at}.spread`, spread, 0, 1);
      if (spread >= 1) throw new RecokitError("INVALID_INPUT", where, `${at}.spread must be below 1`);
      if (spec.edges !== undefined) {
        if (!Array.isArray(spec.edges))
          throw new RecokitError("INVALID_INPUT", where, `${at}.edges must be an array`);
        for (let j = 0; j < spec.edges.length; j++) {
          assertFinite(where, `${at}.edges[${j}]`, spec.edges[j]);
          if (j > 0 && !(spec.edges[j]! > spec.edges[j - 1]!))
            throw new RecokitError("INVALID_INPUT", where, `${at}.edges must be strictly increasing`);
        }
      }
      return { ...base, kind: "numeric", encode, bands, edges: spec.edges, log: spec.log ?? false, spread };
    }
    default:
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${at}.kind must be "text", "tags", "category" or "numeric", got ${describeValue((spec as { kind?: unknown }).kind)}`,
      );
  }
}

function badValue(where: string, row: number, field: string, expected: string, got: unknown): never {
  throw new RecokitError(
    "INVALID_INPUT",
    where,
    `row ${row}: field "${field}": expected ${expected}, got ${describeValue(got)}`,
  );
}

/** Strings of a text/tags/category value: a string, an array of strings, or nothing. */
function stringsOf(where: string, row: number, field: string, v: unknown): readonly string[] {
  if (v === null || v === undefined) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) {
    for (const s of v) if (typeof s !== "string") badValue(where, row, field, "strings", s);
    return v as readonly string[];
  }
  return badValue(where, row, field, "a string or an array of strings", v);
}

// ───────────────────────────── pass 1: collecting raw values ─────────────────────────────

/** Maps a value's key to a term id (fit: interned; transform: its feature column), -1 when unknown. */
type Lookup = (key: string, surface: string) => number;

/**
 * Raw terms of one non-numeric field for every item, in flat arrays: item i's term ids are
 * `ids[ptr[i] … ptr[i+1]-1]` with raw weights (1 per token occurrence; ancestorWeight^depth for
 * category levels).
 */
interface Collected {
  readonly ptr: Int32Array;
  readonly ids: Int32Array;
  readonly weights: Float64Array;
  /** Per item, values whose key had no id. */
  readonly unknown: Int32Array;
}

/** A growable pair of flat arrays. */
class TermBuffer {
  ids = new Int32Array(1024);
  weights = new Float64Array(1024);
  length = 0;

  push(id: number, w: number): void {
    if (this.length === this.ids.length) {
      const ids = new Int32Array(this.length * 2);
      ids.set(this.ids);
      const weights = new Float64Array(this.length * 2);
      weights.set(this.weights);
      this.ids = ids;
      this.weights = weights;
    }
    this.ids[this.length] = id;
    this.weights[this.length] = w;
    this.length++;
  }
}

function collectField(
  where: string,
  rt: FieldRuntime,
  items: readonly unknown[],
  lookup: Lookup,
  signal: AbortSignal | undefined,
): Collected {
  const spec = rt.spec;
  const n = items.length;
  const ptr = new Int32Array(n + 1);
  const unknown = new Int32Array(n);
  const buf = new TermBuffer();
  const add = (i: number, key: string, surface: string, w: number): void => {
    const id = lookup(key, surface);
    if (id < 0) unknown[i]!++;
    else buf.push(id, w);
  };
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0) throwIfAborted(where, signal);
    const v = rt.read(items[i], i);
    switch (spec.kind) {
      case "text":
        for (const part of stringsOf(where, i, spec.name, v)) {
          for (const t of rt.tokenizer!(part)) add(i, t, t, 1);
        }
        break;
      case "tags":
        for (const part of stringsOf(where, i, spec.name, v)) {
          const s = part.trim();
          if (s.length > 0) add(i, spec.lowercase ? s.toLowerCase() : s, s, 1);
        }
        break;
      case "category": {
        const raw =
          typeof v === "string" && spec.separator !== null
            ? v.split(spec.separator)
            : stringsOf(where, i, spec.name, v);
        const path = raw.map((p) => p.trim()).filter((p) => p.length > 0);
        let key = "";
        for (let d = 0; d < path.length; d++) {
          const part = spec.lowercase ? path[d]!.toLowerCase() : path[d]!;
          key = d === 0 ? part : `${key} > ${part}`;
          const w = spec.ancestorWeight ** (path.length - 1 - d);
          if (w > 0) add(i, key, path[d]!, w);
        }
        break;
      }
      default:
        throw new RecokitError("INTERNAL", where, "numeric fields are not collected as terms");
    }
    ptr[i + 1] = buf.length;
  }
  return { ptr, ids: buf.ids.slice(0, buf.length), weights: buf.weights.slice(0, buf.length), unknown };
}

/** Values of a numeric field: finite numbers (ln(1+x) with `log`), NaN when missing. */
function collectNumeric(where: string, rt: FieldRuntime, items: readonly unknown[]): Float64Array {
  const spec = rt.spec;
  const out = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = rt.read(items[i], i);
    if (v === null || v === undefined) {
      out[i] = Number.NaN;
      continue;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) badValue(where, i, spec.name, "a finite number", v);
    if (spec.kind === "numeric" && spec.log) {
      if (v < 0) badValue(where, i, spec.name, "a number ≥ 0 (log: true)", v);
      out[i] = Math.log1p(v);
    } else out[i] = v;
  }
  return out;
}

/** The band of x: the first j with x ≤ edges[j], else the last band. */
function bandOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Equal-frequency band boundaries from the sorted training values (simple-statistics quantiles). */
function quantileEdges(sorted: number[], bands: number): Float64Array {
  if (sorted.length === 0) return new Float64Array(0);
  const edges: number[] = [];
  for (let j = 1; j < bands; j++) {
    const e = quantileSorted(sorted, j / bands);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return Float64Array.from(edges);
}

// ───────────────────────────── pass 2: weighting rows ─────────────────────────────

/** What row encoding reads: fitted fields, column weights and normalisation. */
type Weighting = Pick<ContentFeatures, "fields" | "featureIdf" | "normalize">;

/** A field's pass-1 output plus how its ids map to columns (null: ids are columns). */
interface FieldInput {
  readonly terms?: Collected;
  readonly numbers?: Float64Array;
  readonly colOf: Int32Array | null;
}

/**
 * Weights every item's raw terms into a CSR row: per field, term counts → TF-IDF / BM25 (text),
 * raw weight × IDF (tags, categories), band one-hot or scaled value (numeric); each field block
 * L2-normalised and scaled by √weight (or only scaled, without `normalize`); the row L2-normalised.
 * Columns are gathered in a dense scratch (Gustavson style), so no per-item allocation.
 */
function encodeRows(
  w: Weighting,
  n: number,
  nFeatures: number,
  inputs: readonly FieldInput[],
  where: string,
  signal?: AbortSignal,
): Csr {
  let capacity = 0;
  for (const inp of inputs) capacity += inp.terms !== undefined ? inp.terms.ids.length : 3 * n;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(capacity);
  const data = new Float64Array(capacity);
  const acc = new Float64Array(nFeatures);
  const mark = new Int32Array(nFeatures).fill(-1);
  const touched = new Int32Array(Math.max(nFeatures, 1));
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 4095) === 0) throwIfAborted(where, signal);
    let nt = 0;
    for (let fi = 0; fi < w.fields.length; fi++) {
      const field = w.fields[fi]!;
      const inp = inputs[fi]!;
      const start = nt;
      if (field.kind === "numeric") {
        const x = inp.numbers![i]!;
        if (!Number.isNaN(x)) {
          if (field.encode === "scaled") {
            const range = field.max - field.min;
            acc[field.offset] = range > 0 ? Math.min(1, Math.max(0, (x - field.min) / range)) : 1;
            touched[nt++] = field.offset;
          } else {
            const band = bandOf(field.edges, x);
            for (let j = Math.max(0, band - 1); j <= Math.min(field.size - 1, band + 1); j++) {
              acc[field.offset + j] = j === band ? 1 : field.spread;
              touched[nt++] = field.offset + j;
            }
          }
        }
      } else {
        const t = inp.terms!;
        let length = 0;
        for (let p = t.ptr[i]!; p < t.ptr[i + 1]!; p++) {
          const c = inp.colOf === null ? t.ids[p]! : inp.colOf[t.ids[p]!]!;
          if (c < 0) continue;
          if (mark[c] !== i) {
            mark[c] = i;
            acc[c] = 0;
            touched[nt++] = c;
          }
          if (field.kind === "text") {
            acc[c]! += 1;
            length++;
          } else if (t.weights[p]! > acc[c]!) acc[c] = t.weights[p]!;
        }
        if (field.kind === "text") {
          const norm = field.avgLength > 0 ? 1 - field.b + (field.b * length) / field.avgLength : 1;
          for (let q = start; q < nt; q++) {
            const c = touched[q]!;
            const count = acc[c]!;
            if (field.weighting === "bm25") {
              const denom = count + field.k1 * norm;
              acc[c] = denom !== 0 ? ((count * (field.k1 + 1)) / denom) * w.featureIdf[c]! : 0;
            } else acc[c] = termFrequency(field.tf, count) * w.featureIdf[c]!;
          }
        } else for (let q = start; q < nt; q++) acc[touched[q]!]! *= w.featureIdf[touched[q]!]!;
      }
      scaleBlock(acc, touched, start, nt, Math.sqrt(field.weight), w.normalize);
    }
    if (w.normalize) scaleBlock(acc, touched, 0, nt, 1, true);
    const cols = touched.subarray(0, nt).sort();
    for (let q = 0; q < nt; q++) {
      const v = acc[cols[q]!]!;
      if (v === 0) continue;
      indices[nnz] = cols[q]!;
      data[nnz] = v;
      nnz++;
    }
    // the next item may reuse these columns: forget them (numeric columns are not marked)
    for (let q = 0; q < nt; q++) mark[cols[q]!] = -1;
    indptr[i + 1] = nnz;
  }
  return { nRows: n, nCols: nFeatures, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

/** Scales acc over touched[from…to) to L2 norm `target` (normalize) or by `target` (not). */
function scaleBlock(
  acc: Float64Array,
  touched: Int32Array,
  from: number,
  to: number,
  target: number,
  normalize: boolean,
): void {
  let factor = target;
  if (normalize) {
    let s = 0;
    for (let q = from; q < to; q++) s += acc[touched[q]!]! ** 2;
    if (s === 0) return;
    factor = target / Math.sqrt(s);
  }
  if (factor === 1) return;
  for (let q = from; q < to; q++) acc[touched[q]!]! *= factor;
}

// ───────────────────────────── fit ─────────────────────────────

const FIT = "fitContentFeatures";

/** Field readers and tokenizers; `override`, when defined, replaces every text field's segmenter. */
function runtimesOf(
  specs: readonly ResolvedSpec[],
  readers: readonly ((row: unknown, i: number) => unknown)[],
  segmenters: readonly (WordSegmenter | null | undefined)[],
  override: WordSegmenter | null | undefined,
): FieldRuntime[] {
  return specs.map((spec, fi) => {
    const read = readers[fi]!;
    if (spec.kind !== "text") return { spec, read };
    const segmenter = override !== undefined ? override : segmenters[fi];
    const opts: TokenizeOptions = segmenter !== undefined ? { ...spec.tokenizer, segmenter } : spec.tokenizer;
    return { spec, read, tokenizer: createTokenizer(opts) };
  });
}

/**
 * Fits item features: reads every field of every item, builds the vocabulary of each field (with
 * document-frequency pruning for text), the IDF of each feature, numeric band boundaries, and the
 * items × features matrix. Each item's vector is the concatenation of its field blocks; each block is
 * weighted (text: TF-IDF `tf(x)·idf` or BM25 `x(k1+1)/(x + k1(1 − b + b·len/avgLen))·idf`; tags:
 * optional smooth IDF; category path: ancestorWeight^depth; numeric: band one-hot or scaled value),
 * L2-normalised and scaled by √weight, then the whole vector is L2-normalised (unless
 * `normalize: false`). The fitted state transforms new items the same way
 * ({@link transformContentItems}), without refitting.
 *
 * Time O(total tokens + nnz log(row length)); memory O(nnz + vocabulary).
 *
 * @param items - item rows (never modified)
 * @param options - fields, id accessor, normalisation
 * @returns the fitted {@link ContentFeatures}
 * @throws RecokitError `INVALID_INPUT` for a bad field spec, a duplicate or invalid id, or a value of
 *   the wrong type (naming the row and field); `EMPTY_DATA` for no items; `ABORTED` on abort.
 * @example
 * ```ts
 * import { fitContentFeatures } from "recokit";
 * const f = fitContentFeatures(
 *   [
 *     { id: "a", title: "red running shoes", price: 50 },
 *     { id: "b", title: "blue running jacket", price: 80 },
 *   ],
 *   { fields: [{ kind: "text", name: "title" }, { kind: "numeric", name: "price", bands: 2 }] },
 * );
 * f.features.ids(); // ["title:red", "title:running", "title:shoes", "title:blue", "title:jacket", "price:1", "price:2"]
 * ```
 */
export function fitContentFeatures<R>(
  items: readonly R[],
  options: ContentFeatureOptions<R>,
): ContentFeatures {
  if (!Array.isArray(items)) throw new RecokitError("INVALID_INPUT", FIT, "items must be an array");
  if (items.length === 0) throw new RecokitError("EMPTY_DATA", FIT, "no items");
  if (
    options === null ||
    typeof options !== "object" ||
    !Array.isArray(options.fields) ||
    options.fields.length === 0
  )
    throw new RecokitError("INVALID_INPUT", FIT, "options.fields must be a non-empty array");
  const specs = options.fields.map((s, i) => resolveSpec(FIT, s, i));
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) throw new RecokitError("INVALID_INPUT", FIT, `duplicate field name "${s.name}"`);
    names.add(s.name);
  }
  const normalize = options.normalize ?? true;
  if (typeof normalize !== "boolean")
    throw new RecokitError("INVALID_INPUT", FIT, "normalize must be a boolean");
  const readers = options.fields.map(
    (s) => (s.value as ((row: unknown, i: number) => unknown) | undefined) ?? defaultReader(s.name),
  );
  const runtimes = runtimesOf(
    specs,
    readers,
    options.fields.map((s) => (s.kind === "text" ? s.tokenizer?.segmenter : undefined)),
    undefined,
  );
  const n = items.length;
  const ids = readIds(FIT, items, options.id);
  const total = specs.length + 1;
  options.onProgress?.(0, total);

  const featureIds: string[] = [];
  const labels: string[] = [];
  const featureField: number[] = [];
  const idfs: number[] = [];
  const fields: FittedContentField[] = [];
  const inputs: FieldInput[] = [];
  const keyMaps: Map<string, number>[] = [];
  for (let fi = 0; fi < specs.length; fi++) {
    const spec = specs[fi]!;
    const offset = featureIds.length;
    const keyMap = new Map<string, number>();
    const addFeature = (key: string, label: string, idf: number): void => {
      keyMap.set(key, featureIds.length);
      featureIds.push(`${spec.name}:${key}`);
      labels.push(label);
      featureField.push(fi);
      idfs.push(idf);
    };
    if (spec.kind === "numeric") {
      const numbers = collectNumeric(FIT, runtimes[fi]!, items);
      const sorted = Array.from(numbers)
        .filter((x) => !Number.isNaN(x))
        .sort((a, b) => a - b);
      const edges =
        spec.edges !== undefined
          ? Float64Array.from(spec.edges, (e) => (spec.log ? Math.log1p(Math.max(e, 0)) : e))
          : quantileEdges(sorted, spec.bands);
      const size = spec.encode === "scaled" ? 1 : edges.length + 1;
      for (let j = 0; j < size; j++) {
        if (spec.encode === "scaled") addFeature("value", spec.name, 1);
        else addFeature(String(j + 1), bandLabel(spec.name, j), 1);
      }
      fields.push({
        kind: "numeric",
        name: spec.name,
        weight: spec.weight,
        offset,
        size,
        missing: n - sorted.length,
        encode: spec.encode,
        log: spec.log,
        edges,
        spread: spec.spread,
        min: sorted.length > 0 ? sorted[0]! : 0,
        max: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
      });
      inputs.push({ numbers, colOf: null });
    } else {
      // intern every key in first-seen order, then prune by document frequency
      const local = new Map<string, number>();
      const surfaces: string[] = [];
      const terms = collectField(
        FIT,
        runtimes[fi]!,
        items,
        (key, surface) => {
          let id = local.get(key);
          if (id === undefined) {
            id = local.size;
            local.set(key, id);
            surfaces.push(surface);
          }
          return id;
        },
        options.signal,
      );
      const keys = [...local.keys()];
      const df = documentFrequencies(terms, keys.length);
      const keep = keptTerms(spec, df, n);
      const colOf = new Int32Array(keys.length).fill(-1);
      for (const id of keep) {
        colOf[id] = featureIds.length;
        addFeature(keys[id]!, surfaces[id]!, columnIdf(spec, n, df[id]!));
      }
      const { missing, meanLength } = coverage(terms, colOf);
      const common = { name: spec.name, weight: spec.weight, offset, size: keep.length, missing };
      const pruned = keys.length - keep.length;
      if (spec.kind === "text") {
        fields.push({
          ...common,
          kind: "text",
          weighting: spec.weighting,
          tf: spec.tf,
          idf: spec.idf,
          k1: spec.k1,
          b: spec.b,
          avgLength: meanLength,
          tokenizer: spec.tokenizer,
          prunedTerms: pruned,
        });
      } else if (spec.kind === "tags") {
        fields.push({
          ...common,
          kind: "tags",
          idf: spec.idf,
          lowercase: spec.lowercase,
          prunedTerms: pruned,
        });
      } else {
        fields.push({
          ...common,
          kind: "category",
          separator: spec.separator,
          ancestorWeight: spec.ancestorWeight,
          idf: spec.idf,
          lowercase: spec.lowercase,
        });
      }
      inputs.push({ terms, colOf });
    }
    keyMaps.push(keyMap);
    options.onProgress?.(fi + 1, total);
  }

  const featureIdf = Float64Array.from(idfs);
  const itemFeatures = encodeRows(
    { fields, featureIdf, normalize },
    n,
    featureIds.length,
    inputs,
    FIT,
    options.signal,
  );
  options.onProgress?.(total, total);
  const result: ContentFeatures = {
    items: ids,
    features: IdIndex.from(featureIds),
    labels,
    featureField: Int32Array.from(featureField),
    featureIdf,
    fields,
    normalize,
    itemFeatures,
  };
  keyMapCache.set(result, keyMaps);
  return result;
}

/** Number of items in which each term id occurs. */
function documentFrequencies(terms: Collected, nTerms: number): Int32Array {
  const df = new Int32Array(nTerms);
  const last = new Int32Array(nTerms).fill(-1);
  const n = terms.ptr.length - 1;
  for (let i = 0; i < n; i++) {
    for (let p = terms.ptr[i]!; p < terms.ptr[i + 1]!; p++) {
      const id = terms.ids[p]!;
      if (last[id] !== i) {
        last[id] = i;
        df[id]!++;
      }
    }
  }
  return df;
}

/** Term ids kept by the field's pruning rules, in first-seen order. */
function keptTerms(spec: ResolvedSpec, df: Int32Array, n: number): number[] {
  let kept: number[] = [];
  const minDf = spec.kind === "text" || spec.kind === "tags" ? spec.minDf : 1;
  const maxCount = spec.kind === "text" ? spec.maxDf * n : n;
  for (let id = 0; id < df.length; id++) if (df[id]! >= minDf && df[id]! <= maxCount) kept.push(id);
  if (spec.kind === "text" && kept.length > spec.maxTerms) {
    kept = kept
      .sort((a, b) => df[b]! - df[a]! || a - b)
      .slice(0, spec.maxTerms)
      .sort((a, b) => a - b);
  }
  return kept;
}

/** Items with no kept term, and the mean number of kept term occurrences per item. */
function coverage(terms: Collected, colOf: Int32Array): { missing: number; meanLength: number } {
  const n = terms.ptr.length - 1;
  let missing = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let len = 0;
    for (let p = terms.ptr[i]!; p < terms.ptr[i + 1]!; p++) if (colOf[terms.ids[p]!]! >= 0) len++;
    if (len === 0) missing++;
    total += len;
  }
  return { missing, meanLength: n > 0 ? total / n : 0 };
}

function columnIdf(spec: ResolvedSpec, n: number, df: number): number {
  switch (spec.kind) {
    case "text":
      if (spec.weighting === "bm25") return bm25Idf(n, df);
      return spec.idf === "smooth" ? smoothIdf(n, df) : plainIdf(n, df);
    case "tags":
    case "category":
      return spec.idf ? smoothIdf(n, df) : 1;
    default:
      return 1;
  }
}

function readIds<R>(where: string, items: readonly R[], accessor: Accessor<R, Id> | undefined): IdIndex {
  const get = accessor ?? ((row: R) => (row as { id?: Id } | null)?.id as Id);
  const builder = new IdIndexBuilder();
  for (let i = 0; i < items.length; i++) {
    const row = items[i]!;
    if (row === null || typeof row !== "object")
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: an item must be an object, got ${describeValue(row)}`,
      );
    const id = get(row, i);
    if (!isValidId(id))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: item id ${describeValue(id)} is not a string or finite number`,
      );
    if (builder.add(id) !== i)
      throw new RecokitError("INVALID_INPUT", where, `row ${i}: duplicate item id ${describeValue(id)}`);
  }
  return builder.build();
}

// ───────────────────────────── transform ─────────────────────────────

/** Lookup of a field's feature columns by key, rebuilt from `features` ids when needed. */
type KeyMaps = readonly Map<string, number>[];

const keyMapCache = new WeakMap<ContentFeatures, KeyMaps>();

function keyMapsOf(f: ContentFeatures): KeyMaps {
  const cached = keyMapCache.get(f);
  if (cached !== undefined) return cached;
  const maps = f.fields.map((field) => {
    const m = new Map<string, number>();
    const prefix = field.name.length + 1;
    for (let c = field.offset; c < field.offset + field.size; c++)
      m.set(String(f.features.idAt(c)).slice(prefix), c);
    return m;
  });
  keyMapCache.set(f, maps);
  return maps;
}

const TRANSFORM = "transformContentItems";

/**
 * Vectors of (new) items with a fitted vocabulary, IDF and band boundaries, weighted exactly as the
 * training items were: transforming the training items gives back the fitted matrix. Values never
 * seen in training (new words, tags) have no feature and are counted in `unknownValues`; numeric
 * values outside the training range fall in the first or last band (or clamp to [0, 1]).
 * O(total tokens + nnz).
 *
 * @param features - fitted features (or a content model, which contains them)
 * @param items - rows shaped like the training items (never modified)
 * @param options - field readers for other row shapes, segmenter override
 * @returns the rows × features matrix and per-row unknown-value counts
 * @throws RecokitError `INVALID_INPUT` for a value of the wrong type, naming the row and field.
 * @example
 * ```ts
 * import { fitContentFeatures, transformContentItems } from "recokit";
 * const f = fitContentFeatures([{ id: 1, title: "red shoes" }, { id: 2, title: "blue shoes" }], {
 *   fields: [{ kind: "text", name: "title" }],
 * });
 * const t = transformContentItems(f, [{ title: "red boots" }]);
 * t.unknownValues[0]; // 1 ("boots" is not in the vocabulary)
 * ```
 */
export function transformContentItems<R>(
  features: ContentFeatures,
  items: readonly R[],
  options: TransformContentOptions<R> = {},
): TransformedContentItems {
  if (!Array.isArray(items)) throw new RecokitError("INVALID_INPUT", TRANSFORM, "items must be an array");
  for (let i = 0; i < items.length; i++) {
    const row = items[i];
    if (row === null || typeof row !== "object")
      throw new RecokitError(
        "INVALID_INPUT",
        TRANSFORM,
        `row ${i}: an item must be an object, got ${describeValue(row)}`,
      );
  }
  const specs = features.fields.map(specOfFitted);
  const acc = options.accessors ?? {};
  const readers = features.fields.map((f) => {
    const a = acc[f.name];
    if (a !== undefined && typeof a !== "function")
      throw new RecokitError("INVALID_INPUT", TRANSFORM, `accessors.${f.name} must be a function`);
    return (a as ((row: unknown, i: number) => unknown) | undefined) ?? defaultReader(f.name);
  });
  const runtimes = runtimesOf(
    specs,
    readers,
    specs.map(() => undefined),
    options.segmenter,
  );
  const maps = keyMapsOf(features);
  const unknownValues = new Int32Array(items.length);
  const inputs: FieldInput[] = runtimes.map((rt, fi) => {
    if (rt.spec.kind === "numeric") return { numbers: collectNumeric(TRANSFORM, rt, items), colOf: null };
    const map = maps[fi]!;
    const terms = collectField(TRANSFORM, rt, items, (key) => map.get(key) ?? -1, undefined);
    for (let i = 0; i < items.length; i++) unknownValues[i]! += terms.unknown[i]!;
    return { terms, colOf: null };
  });
  const matrix = encodeRows(features, items.length, features.features.size, inputs, TRANSFORM);
  return { matrix, unknownValues };
}

/** The spec a fitted field was made from (for re-reading raw values). */
function specOfFitted(f: FittedContentField): ResolvedSpec {
  switch (f.kind) {
    case "text":
      return { ...f, minDf: 1, maxDf: 1, maxTerms: Number.MAX_SAFE_INTEGER };
    case "tags":
      return { ...f, minDf: 1 };
    case "category":
      return f;
    case "numeric":
      return { ...f, bands: f.size, edges: undefined };
    default:
      throw new RecokitError("BAD_MODEL", TRANSFORM, "unknown field kind");
  }
}

/**
 * Feature columns of a raw value of one field, normalised as the field normalises values (text is
 * tokenised; tags and category names are trimmed and case-folded as at fit time; a numeric field
 * takes a band number). Used to build query vectors from named weights. @internal
 */
export function featureColumnsOf(
  features: ContentFeatures,
  fieldName: string,
  value: string,
  where: string,
): number[] {
  const fi = features.fields.findIndex((f) => f.name === fieldName);
  if (fi < 0) throw new RecokitError("INVALID_INPUT", where, `unknown field "${fieldName}"`);
  const field = features.fields[fi]!;
  const map = keyMapsOf(features)[fi]!;
  const lookup = (key: string): number[] => {
    const c = map.get(key);
    return c === undefined ? [] : [c];
  };
  switch (field.kind) {
    case "text": {
      const out: number[] = [];
      for (const t of createTokenizer(field.tokenizer)(value)) out.push(...lookup(t));
      return out;
    }
    case "tags":
      return lookup(field.lowercase ? value.trim().toLowerCase() : value.trim());
    case "category": {
      // a category name matches every path whose last level it is
      const key = field.lowercase ? value.trim().toLowerCase() : value.trim();
      const out: number[] = [];
      for (const [k, c] of map) if (k === key || k.endsWith(` > ${key}`)) out.push(c);
      return out;
    }
    case "numeric":
      return lookup(value);
    default:
      throw new RecokitError("INTERNAL", where, "unknown field kind");
  }
}
