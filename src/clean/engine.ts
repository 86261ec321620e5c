import { RecokitError, throwIfAborted } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import { type RowFn, valuesReader } from "./coerce.js";
import type { StepRecorder } from "./recorder.js";
import type { CleanRow } from "./types.js";

/**
 * A step that decides row by row (possibly with state carried from earlier rows). In memory the
 * rows are fed in input order, or in ascending `orderBy` order when set; in a stream they come in
 * arrival order. @internal
 */
export interface RowPlan {
  readonly kind: "row";
  readonly step: string;
  readonly label: string;
  readonly orderBy?: string | undefined;
  /** Writes fixed facts (e.g. given scalers) into the step's details before it runs. */
  readonly init?: (details: Record<string, unknown>) => void;
  create(mode: "memory" | "stream"): RowFn;
}

/** A step that needs all of its input at once. @internal */
export interface BatchPlan {
  readonly kind: "batch";
  readonly step: string;
  readonly label: string;
  readonly init?: (details: Record<string, unknown>) => void;
  run(ctx: BatchContext): void;
}

/** @internal */
export type StepPlan = RowPlan | BatchPlan;

/** Working rows and the input index of each. @internal */
export interface Working {
  rows: CleanRow[];
  origin: Int32Array;
}

/**
 * The view a batch step has of its input: read rows, drop, replace, record changes and flags.
 * Positions are indices into this step's input; the recorder gets input indices. @internal
 */
export class BatchContext {
  readonly n: number;
  readonly where: string;
  readonly rec: StepRecorder;
  readonly #input: readonly CleanRow[];
  readonly #origin: Int32Array;
  readonly #current: CleanRow[];
  readonly #dropped: Uint8Array;

  constructor(where: string, work: Working, rec: StepRecorder) {
    this.where = where;
    this.#input = work.rows;
    this.#origin = work.origin;
    this.#current = work.rows.slice();
    this.n = work.rows.length;
    this.#dropped = new Uint8Array(this.n);
    this.rec = rec;
  }

  /** The row at `pos` as changed so far in this step. */
  row(pos: number): CleanRow {
    return this.#current[pos]!;
  }

  /** Input index of the row at `pos`. */
  origin(pos: number): number {
    return this.#origin[pos]!;
  }

  isDropped(pos: number): boolean {
    return this.#dropped[pos] === 1;
  }

  drop(pos: number, reason: string): void {
    if (this.#dropped[pos] === 1)
      throw new RecokitError(
        "INTERNAL",
        this.where,
        `row ${this.origin(pos)} dropped twice in ${this.rec.label}`,
      );
    this.#dropped[pos] = 1;
    this.rec.drop(reason, this.#origin[pos]!, this.#input[pos]!);
  }

  replace(pos: number, row: CleanRow): void {
    this.#current[pos] = row;
  }

  modify(pos: number, reason: string): void {
    this.rec.modify(reason, this.#origin[pos]!);
  }

  flag(pos: number, reason: string): void {
    this.rec.flag(reason, this.#origin[pos]!);
  }

  /** Runs a row function over the rows, in `order` when given (positions), else input order. */
  applyRowFn(fn: RowFn, order?: Int32Array): void {
    const n = order === undefined ? this.n : order.length;
    for (let k = 0; k < n; k++) {
      const pos = order === undefined ? k : order[k]!;
      if (this.#dropped[pos] === 1) continue;
      const before = this.#current[pos]!;
      const after = fn(before, this.rec, this.#origin[pos]!);
      if (after === null) this.#dropped[pos] = 1;
      else if (after !== before) this.#current[pos] = after;
    }
  }

  /** The kept rows, in input order. */
  finish(): Working {
    let kept = 0;
    for (let p = 0; p < this.n; p++) if (this.#dropped[p] === 0) kept++;
    const rows = new Array<CleanRow>(kept);
    const origin = new Int32Array(kept);
    let k = 0;
    for (let p = 0; p < this.n; p++) {
      if (this.#dropped[p] === 1) continue;
      rows[k] = this.#current[p]!;
      origin[k++] = this.#origin[p]!;
    }
    this.rec.input = this.n;
    this.rec.output = kept;
    return { rows, origin };
  }
}

/**
 * Positions of `rows` in ascending order of the numeric field `field` (input order on ties; rows
 * without a number last). @internal
 */
export function orderByField(rows: readonly CleanRow[], field: string): Int32Array {
  const n = rows.length;
  const keys = new Float64Array(n);
  let sorted = true;
  for (let p = 0; p < n; p++) {
    const v = rows[p]![field];
    keys[p] = typeof v === "number" && !Number.isNaN(v) ? v : Number.POSITIVE_INFINITY;
    if (p > 0 && keys[p]! < keys[p - 1]!) sorted = false;
  }
  const order = new Int32Array(n);
  for (let p = 0; p < n; p++) order[p] = p;
  if (sorted) return order;
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** Runs consecutive row steps in one pass over the rows. @internal */
function runChain(
  where: string,
  fns: readonly RowFn[],
  recs: readonly StepRecorder[],
  work: Working,
  signal: AbortSignal | undefined,
): Working {
  const { rows, origin } = work;
  const n = rows.length;
  const m = fns.length;
  const reached = new Float64Array(m + 1);
  const outRows: CleanRow[] = [];
  const outOrigin = new Int32Array(n);
  let k = 0;
  for (let p = 0; p < n; p++) {
    if ((p & 0xffff) === 0xffff) throwIfAborted(where, signal);
    let row: CleanRow | null = rows[p]!;
    const o = origin[p]!;
    let s = 0;
    for (; s < m; s++) {
      reached[s]!++;
      row = fns[s]!(row, recs[s]!, o);
      if (row === null) break;
    }
    if (row !== null) {
      reached[m]!++;
      outRows.push(row);
      outOrigin[k++] = o;
    }
  }
  for (let s = 0; s < m; s++) {
    recs[s]!.input = reached[s]!;
    recs[s]!.output = reached[s + 1]!;
  }
  return { rows: outRows, origin: outOrigin.slice(0, k) };
}

/**
 * Runs plans over in-memory rows. Consecutive unordered row steps are fused into one pass.
 * @internal
 */
export function runPlans(
  where: string,
  plans: readonly StepPlan[],
  recs: readonly StepRecorder[],
  work: Working,
  signal: AbortSignal | undefined,
  progress: ((done: number) => void) | undefined,
): Working {
  let current = work;
  let i = 0;
  while (i < plans.length) {
    throwIfAborted(where, signal);
    const plan = plans[i]!;
    if (plan.kind === "row" && plan.orderBy === undefined) {
      let j = i + 1;
      while (j < plans.length) {
        const next = plans[j]!;
        if (next.kind !== "row" || next.orderBy !== undefined) break;
        j++;
      }
      const fns = plans.slice(i, j).map((p) => (p as RowPlan).create("memory"));
      current = runChain(where, fns, recs.slice(i, j), current, signal);
      i = j;
    } else {
      const ctx = new BatchContext(where, current, recs[i]!);
      if (plan.kind === "row")
        ctx.applyRowFn(plan.create("memory"), orderByField(current.rows, plan.orderBy!));
      else plan.run(ctx);
      current = ctx.finish();
      i++;
    }
    progress?.(i);
  }
  return current;
}

/**
 * Reads a numeric field: the number, or null when missing.
 * @throws RecokitError `INVALID_INPUT` when the value is present but not a number.
 * @internal
 */
export function numberAt(
  where: string,
  label: string,
  row: CleanRow,
  field: string,
  origin: number,
): number | null {
  const v = row[field];
  if (typeof v === "number") return Number.isNaN(v) ? null : v;
  if (v === null || v === undefined) return null;
  throw new RecokitError(
    "INVALID_INPUT",
    where,
    `${label}: row ${origin}: field ${field} is ${describeValue(v)}, not a number (declare it in the schema to coerce it)`,
  );
}

/** Whether a value counts as missing (null, undefined or NaN). @internal */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/**
 * A prefix-free text encoding of one value, so that concatenated encodings identify a tuple
 * exactly. @internal
 */
export function encodeValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return `s${v.length}:${v}`;
    case "number":
      return `n${v}|`;
    case "boolean":
      return v ? "T" : "F";
    case "undefined":
      return "u";
    case "bigint":
      return `b${v}|`;
    default: {
      if (v === null) return "z";
      if (v instanceof Date) return `d${v.getTime()}|`;
      const text = JSON.stringify(v) ?? String(v);
      return `o${text.length}:${text}`;
    }
  }
}

/**
 * A group key of `row` over `fields`: the value itself for one field (a Map key), an exact
 * encoding for several. Missing values form their own group. @internal
 */
export function groupKeyFn(fields: readonly string[]): (row: CleanRow) => unknown {
  if (fields.length === 1) {
    const f = fields[0]!;
    return (row) => {
      const v = row[f];
      return v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v;
    };
  }
  const parts: string[] = [];
  return (row) => {
    parts.length = 0;
    for (const f of fields) parts.push(encodeValue(isMissing(row[f]) ? null : row[f]));
    return parts.join("");
  };
}

/**
 * A copy of a long string key that shares no memory with the text it was cut from (a substring
 * keeps its whole source chunk alive); other values are returned as they are. Use it for keys that
 * outlive their row, such as the sets and maps of streamed steps. @internal
 */
export function detachKey<K>(key: K): K {
  return typeof key === "string" && key.length >= 13 ? (` ${key}`.slice(1) as unknown as K) : key;
}

/**
 * In a stream, steps that work in time order need each group's rows to arrive in non-decreasing
 * order of `field`; this checker throws when they do not. @internal
 */
export function monotonicCheck(
  where: string,
  label: string,
  field: string,
  key: (row: CleanRow) => unknown,
): (row: CleanRow, origin: number) => void {
  const last = new Map<unknown, number>();
  return (row, origin) => {
    const t = row[field];
    if (typeof t !== "number" || Number.isNaN(t)) return;
    const k = key(row);
    const prev = last.get(k);
    if (prev !== undefined && t < prev) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${label}: row ${origin}: ${field} ${t} comes after ${prev} in its group; in a stream this step needs rows in ${field} order (sort the input, or use clean)`,
      );
    }
    last.set(prev === undefined ? detachKey(k) : k, t);
  };
}

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

/** Whether two field values are the same (NaN equals NaN; objects by their encoding). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object")
    return encodeValue(a) === encodeValue(b);
  return false;
}

/**
 * Remembers rows by the values of some fields and tells whether an equal row was seen before:
 * exact, with a 53-bit hash (two FNV-1a streams) in an open-addressing table on typed arrays to find
 * candidates and a field-by-field comparison to confirm. With `fields` null, a row's own fields
 * (names and values) are compared. Keeps a reference to the first row of each distinct value; use it
 * where the rows are in memory anyway.
 * @internal
 */
export class RowSet {
  readonly #fields: readonly string[] | null;
  readonly #read: ((row: CleanRow, out: unknown[]) => void) | undefined;
  readonly #values: unknown[] = [];
  readonly #rows: CleanRow[] = [];
  #hashes = new Float64Array(1024);
  #slots = new Int32Array(1024).fill(-1);
  #mask = 1023;

  constructor(fields: readonly string[] | null) {
    this.#fields = fields;
    this.#read = fields === null ? undefined : valuesReader(fields);
  }

  /** Adds `row` and returns true when no equal row was seen before; returns false otherwise. */
  add(row: CleanRow): boolean {
    let fields: readonly string[];
    if (this.#read !== undefined) {
      fields = this.#fields!;
      this.#read(row, this.#values);
    } else {
      fields = Object.keys(row).sort();
      for (let i = 0; i < fields.length; i++) this.#values[i] = row[fields[i]!];
    }
    const h = hashValues(this.#values, fields, this.#fields === null);
    let i = h % (this.#mask + 1);
    for (;;) {
      const slot = this.#slots[i]!;
      if (slot < 0) break;
      if (this.#hashes[i] === h && this.#equal(row, this.#rows[slot]!, fields)) return false;
      i = (i + 1) & this.#mask;
    }
    this.#slots[i] = this.#rows.length;
    this.#hashes[i] = h;
    this.#rows.push(row);
    if (this.#rows.length * 2 > this.#mask) this.#grow();
    return true;
  }

  #grow(): void {
    const oldHashes = this.#hashes;
    const oldSlots = this.#slots;
    const size = (this.#mask + 1) * 2;
    this.#hashes = new Float64Array(size);
    this.#slots = new Int32Array(size).fill(-1);
    this.#mask = size - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      const slot = oldSlots[j]!;
      if (slot < 0) continue;
      const h = oldHashes[j]!;
      let i = h % size;
      while (this.#slots[i]! >= 0) i = (i + 1) & this.#mask;
      this.#slots[i] = slot;
      this.#hashes[i] = h;
    }
  }

  #equal(a: CleanRow, b: CleanRow, fields: readonly string[]): boolean {
    if (this.#fields === null) {
      const bKeys = Object.keys(b);
      if (bKeys.length !== fields.length) return false;
      for (const k of bKeys) if (!Object.hasOwn(a, k)) return false;
    }
    for (let i = 0; i < fields.length; i++) if (!sameValue(a[fields[i]!], b[fields[i]!])) return false;
    return true;
  }
}

// Hash state of `hashValues`, at module level so that hashing a row creates no closure.
let H1 = 0;
let H2 = 0;

function mixNumber(x: number): void {
  H1 = Math.imul(H1 ^ x, 0x01000193);
  H2 = Math.imul(H2 ^ x, 0x5bd1e995);
  H2 ^= H2 >>> 15;
}

function mixRange(s: string, from: number, to: number): void {
  let h1 = H1;
  let h2 = H2;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  H1 = h1;
  H2 = h2;
}

/**
 * Long texts are hashed by their length and first and last 16 characters: equal rows still hash
 * equally, and the field-by-field comparison settles any candidate.
 */
function mixText(s: string): void {
  const n = s.length;
  if (n <= 32) mixRange(s, 0, n);
  else {
    mixRange(s, 0, 16);
    mixRange(s, n - 16, n);
  }
  mixNumber(n);
}

/** 53-bit hash of a row's `values` of `fields` (and the names when `withNames`). */
function hashValues(values: readonly unknown[], fields: readonly string[], withNames: boolean): number {
  H1 = 0x811c9dc5 | 0;
  H2 = 0x2545f491 | 0;
  for (let f = 0; f < fields.length; f++) {
    if (withNames) mixText(fields[f]!);
    const v = values[f];
    switch (typeof v) {
      case "string":
        mixNumber(1);
        mixText(v);
        break;
      case "number":
        if (Number.isNaN(v)) mixNumber(7);
        else {
          F64[0] = v === 0 ? 0 : v;
          mixNumber(2);
          mixNumber(I32[0]!);
          mixNumber(I32[1]!);
        }
        break;
      case "boolean":
        mixNumber(v ? 3 : 4);
        break;
      default:
        if (v === null || v === undefined) mixNumber(v === null ? 5 : 6);
        else {
          mixNumber(8);
          mixText(encodeValue(v));
        }
    }
  }
  return (H1 >>> 0) * 2097152 + (H2 >>> 11);
}
