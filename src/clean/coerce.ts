import { RecokitError } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import type { StepRecorder } from "./recorder.js";
import { createTimestampReader, type TimestampReader } from "./timestamp.js";
import type { CleanCaseRule, CleanFieldSpec, CleanFieldType, CleanRow, CleanSchema } from "./types.js";

/**
 * Strings read as "missing" by default, after trimming: the empty string, `null`, `NULL`, `NaN`,
 * `nan`, `N/A`, `n/a`, `#N/A`. (`NA` and `None` are left out on purpose: `NA` is Namibia's country
 * code, and both are real values in some catalogues; add them with `missingTokens`.)
 *
 * @example
 * ```ts
 * import { clean, DEFAULT_MISSING_TOKENS } from "recokit";
 * clean([{ country: "NA" }, { country: "None" }], {
 *   schema: { country: { type: "category" } },
 *   missingTokens: [...DEFAULT_MISSING_TOKENS, "None"],
 * }).rows; // [{ country: "NA" }, { country: null }]
 * ```
 */
export const DEFAULT_MISSING_TOKENS: readonly string[] = Object.freeze([
  "",
  "null",
  "NULL",
  "NaN",
  "nan",
  "N/A",
  "n/a",
  "#N/A",
]);

/** The coercion result of a value that cannot be read. @internal */
export const INVALID: unique symbol = Symbol("invalid");

/** A coercer returns the value, null (missing) or {@link INVALID}. @internal */
export type Coercer = (raw: unknown) => unknown;

const FIELD_TYPES: ReadonlySet<string> = new Set([
  "id",
  "integer",
  "number",
  "string",
  "category",
  "timestamp",
  "boolean",
]);
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A schema field compiled for the hot loop. @internal */
export interface CompiledField {
  readonly name: string;
  readonly type: CleanFieldType;
  readonly sources: readonly string[];
  source: string | null;
  readonly required: boolean;
  /** Output is text: a change from the raw string counts as normalisation. */
  readonly textual: boolean;
  readonly coerce: Coercer;
  readonly timestamp: TimestampReader | undefined;
  readonly reasonInvalid: string;
  readonly reasonMissing: string;
  readonly reasonNormalised: string;
  readonly reasonInvalidToMissing: string;
}

/** A compiled schema. @internal */
export interface CompiledSchema {
  readonly fields: readonly CompiledField[];
  /** Resolves `from` aliases against the first row (once). */
  resolve(where: string, first: CleanRow | undefined): void;
  resolved: boolean;
}

function caseFn(where: string, name: string, rule: CleanCaseRule | undefined): (s: string) => string {
  switch (rule ?? "preserve") {
    case "preserve":
      return (s) => s;
    case "lower":
      return (s) => s.toLowerCase();
    case "upper":
      return (s) => s.toUpperCase();
    default:
      throw new RecokitError("INVALID_INPUT", where, `schema.${name}.case must be preserve, lower or upper`);
  }
}

/** `"17850.0"` → `"17850"`: strips a fraction made only of zeros from an integer-looking string. */
function stripZeroFraction(s: string): string {
  const dot = s.indexOf(".");
  if (dot <= 0 || dot === s.length - 1) return s;
  for (let i = dot + 1; i < s.length; i++) if (s.charCodeAt(i) !== 48) return s;
  const start = s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43 ? 1 : 0;
  if (start === dot) return s;
  for (let i = start; i < dot; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return s;
  }
  return s.slice(0, dot);
}

/** A set of missing tokens with a length gate (most values are longer than every token). @internal */
export class TokenSet {
  readonly #set: ReadonlySet<string>;
  readonly #maxLength: number;
  constructor(tokens: Iterable<string>) {
    this.#set = new Set([...tokens].map((t) => t.trim()));
    this.#maxLength = Math.max(-1, ...[...this.#set].map((t) => t.length));
  }
  /** Whether the (already trimmed) string is a missing token. */
  has(s: string): boolean {
    return s.length <= this.#maxLength && this.#set.has(s);
  }
}

function isMissingNonString(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === "number" && Number.isNaN(raw));
}

function idCoercer(
  where: string,
  name: string,
  spec: CleanFieldSpec & { type: "id" },
  tokens: TokenSet,
): Coercer {
  const applyCase = caseFn(where, name, spec.case);
  const strip = spec.keepDecimalZero !== true;
  // logs repeat ids on consecutive rows (lines of one invoice): remember the last one
  let lastRaw: string | undefined;
  let lastOut: unknown = null;
  return (raw) => {
    if (typeof raw === "string") {
      if (raw === lastRaw) return lastOut;
      const s = raw.trim();
      const out = tokens.has(s) ? null : applyCase(strip ? stripZeroFraction(s) : s);
      lastRaw = raw;
      lastOut = out;
      return out;
    }
    if (typeof raw === "number")
      return Number.isFinite(raw) ? String(raw) : Number.isNaN(raw) ? null : INVALID;
    if (typeof raw === "bigint") return String(raw);
    return isMissingNonString(raw) ? null : INVALID;
  };
}

function numberCoercer(
  where: string,
  name: string,
  spec: CleanFieldSpec & { type: "number" | "integer" },
  tokens: TokenSet,
): Coercer {
  const integer = spec.type === "integer";
  const decimal = spec.decimal ?? ".";
  const thousands = spec.thousands;
  if (decimal !== "." && decimal !== ",")
    throw new RecokitError("INVALID_INPUT", where, `schema.${name}.decimal must be "." or ","`);
  if (thousands !== undefined && ![",", ".", " ", "'", "_"].includes(thousands))
    throw new RecokitError("INVALID_INPUT", where, `schema.${name}.thousands must be one of , . space ' _`);
  if (thousands === decimal)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `schema.${name}: thousands and decimal separators must differ`,
    );
  const ok = (x: number): unknown => (!Number.isFinite(x) || (integer && !Number.isInteger(x)) ? INVALID : x);
  return (raw) => {
    if (typeof raw === "number") return Number.isNaN(raw) ? null : ok(raw);
    if (typeof raw === "string") {
      let s = raw.trim();
      if (tokens.has(s)) return null;
      if (thousands !== undefined && s.includes(thousands)) s = s.split(thousands).join("");
      if (decimal === "," && s.includes(",")) s = s.replace(",", ".");
      return NUMERIC.test(s) ? ok(Number(s)) : INVALID;
    }
    if (typeof raw === "bigint") return ok(Number(raw));
    return isMissingNonString(raw) ? null : INVALID;
  };
}

function textCoercer(
  where: string,
  name: string,
  spec: CleanFieldSpec & { type: "string" | "category" },
  tokens: TokenSet,
): Coercer {
  const applyCase = caseFn(where, name, spec.case);
  const trim = spec.type === "category" || spec.trim !== false;
  let allowed: ReadonlySet<string> | undefined;
  if (spec.type === "category" && spec.values !== undefined) {
    if (!Array.isArray(spec.values) || spec.values.some((v) => typeof v !== "string"))
      throw new RecokitError("INVALID_INPUT", where, `schema.${name}.values must be an array of strings`);
    allowed = new Set(spec.values);
  }
  return (raw) => {
    if (typeof raw === "string") {
      const s = trim ? raw.trim() : raw;
      if (tokens.has(trim ? s : s.trim())) return null;
      const out = applyCase(s);
      return allowed === undefined || allowed.has(out) ? out : INVALID;
    }
    if (typeof raw === "number" || typeof raw === "boolean") {
      if (Number.isNaN(raw)) return null;
      const out = applyCase(String(raw));
      return allowed === undefined || allowed.has(out) ? out : INVALID;
    }
    return isMissingNonString(raw) ? null : INVALID;
  };
}

function booleanCoercer(
  where: string,
  name: string,
  spec: CleanFieldSpec & { type: "boolean" },
  tokens: TokenSet,
): Coercer {
  const lowered = (
    list: readonly string[] | undefined,
    fallback: readonly string[],
    key: string,
  ): Set<string> => {
    const values = list ?? fallback;
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string"))
      throw new RecokitError("INVALID_INPUT", where, `schema.${name}.${key} must be an array of strings`);
    return new Set(values.map((v) => v.trim().toLowerCase()));
  };
  const yes = lowered(spec.trueValues, ["true", "t", "yes", "y", "1"], "trueValues");
  const no = lowered(spec.falseValues, ["false", "f", "no", "n", "0"], "falseValues");
  for (const v of yes)
    if (no.has(v))
      throw new RecokitError("INVALID_INPUT", where, `schema.${name}: "${v}" is both true and false`);
  return (raw) => {
    if (typeof raw === "boolean") return raw;
    if (typeof raw === "number")
      return raw === 1 ? true : raw === 0 ? false : Number.isNaN(raw) ? null : INVALID;
    if (typeof raw === "string") {
      const s = raw.trim();
      if (tokens.has(s)) return null;
      const l = s.toLowerCase();
      return yes.has(l) ? true : no.has(l) ? false : INVALID;
    }
    return isMissingNonString(raw) ? null : INVALID;
  };
}

function timestampCoercer(reader: TimestampReader, tokens: TokenSet): Coercer {
  // lines of one order share their time: remember the last text read (and its form)
  let lastRaw: string | undefined;
  let lastOut: unknown = null;
  let lastKind = reader.kind;
  return (raw) => {
    if (typeof raw === "string") {
      if (raw === lastRaw) {
        reader.kind = lastKind;
        return lastOut;
      }
      lastRaw = raw;
      if (tokens.has(raw.trim())) lastOut = null;
      else {
        const ms = reader.read(raw);
        lastOut = Number.isNaN(ms) ? INVALID : ms;
      }
      lastKind = reader.kind;
      return lastOut;
    }
    if (isMissingNonString(raw)) return null;
    const ms = reader.read(raw);
    return Number.isNaN(ms) ? INVALID : ms;
  };
}

function sourcesOf(where: string, name: string, from: unknown): string[] {
  if (from === undefined) return [name];
  const list = typeof from === "string" ? [from] : from;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string"))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `schema.${name}.from must be a column name or a non-empty list of them`,
    );
  return list as string[];
}

function tokenSet(where: string, key: string, tokens: unknown): TokenSet {
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== "string"))
    throw new RecokitError("INVALID_INPUT", where, `${key} must be an array of strings`);
  return new TokenSet(tokens as string[]);
}

/**
 * Validates and compiles a schema.
 * @throws RecokitError `INVALID_INPUT` for an unknown type or malformed option.
 * @internal
 */
export function compileSchema(
  where: string,
  schema: CleanSchema,
  missingTokens: readonly string[] | undefined,
): CompiledSchema {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    throw new RecokitError("INVALID_INPUT", where, "schema must be an object of field declarations");
  const defaults = tokenSet(where, "missingTokens", missingTokens ?? DEFAULT_MISSING_TOKENS);
  const fields: CompiledField[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    if (spec === null || typeof spec !== "object" || !FIELD_TYPES.has((spec as { type: string }).type)) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `schema.${name}.type must be one of ${[...FIELD_TYPES].join(", ")}, got ${describeValue((spec as { type?: unknown } | null)?.type)}`,
      );
    }
    const tokens =
      spec.missingTokens === undefined
        ? defaults
        : tokenSet(where, `schema.${name}.missingTokens`, spec.missingTokens);
    let coerce: Coercer;
    let timestamp: TimestampReader | undefined;
    switch (spec.type) {
      case "id":
        coerce = idCoercer(where, name, spec, tokens);
        break;
      case "number":
      case "integer":
        coerce = numberCoercer(where, name, spec, tokens);
        break;
      case "string":
      case "category":
        coerce = textCoercer(where, name, spec, tokens);
        break;
      case "boolean":
        coerce = booleanCoercer(where, name, spec, tokens);
        break;
      case "timestamp":
        timestamp = createTimestampReader(`${where}: schema.${name}`, spec);
        coerce = timestampCoercer(timestamp, tokens);
        break;
      default:
        throw new RecokitError("INTERNAL", where, `unhandled field type of ${name}`);
    }
    const sources = sourcesOf(where, name, spec.from);
    fields.push({
      name,
      type: spec.type,
      sources,
      source: sources[0]!,
      required: spec.required === true,
      textual: spec.type === "id" || spec.type === "string" || spec.type === "category",
      coerce,
      timestamp,
      reasonInvalid: `invalid ${name}`,
      reasonMissing: `missing ${name}`,
      reasonNormalised: `${name} normalised`,
      reasonInvalidToMissing: `invalid ${name} set missing`,
    });
  }
  if (fields.length === 0) throw new RecokitError("INVALID_INPUT", where, "schema declares no field");
  const compiled: CompiledSchema = {
    fields,
    resolved: false,
    resolve(w: string, first: CleanRow | undefined): void {
      if (compiled.resolved) return;
      compiled.resolved = true;
      if (first === undefined) return;
      const columns = Object.keys(first);
      for (const f of fields) {
        const found = f.sources.find((s) => Object.hasOwn(first, s));
        if (found !== undefined) f.source = found;
        else if (f.required) {
          throw new RecokitError(
            "INVALID_INPUT",
            w,
            `schema.${f.name}: required column ${f.sources.map((s) => JSON.stringify(s)).join(" / ")} is absent from the first row (its columns: ${columns.join(", ")})`,
          );
        } else f.source = null;
      }
    },
  };
  return compiled;
}

/**
 * A function building a record with the given field names, in order, from an array of values.
 * Like d3-dsv's object converter, it compiles an object literal with `new Function` (ten times
 * faster than assigning computed keys one by one); where code generation is not allowed (a strict
 * Content-Security-Policy) it falls back to plain assignments. Names are JSON-quoted, and
 * `__proto__` is written as a computed key, so every name becomes an ordinary own property.
 * @internal
 */
export function recordFactory(names: readonly string[]): (values: readonly unknown[]) => CleanRow {
  const props = names.map(
    (n, i) => `${n === "__proto__" ? `[${JSON.stringify(n)}]` : JSON.stringify(n)}: v[${i}]`,
  );
  try {
    return new Function("v", `return { ${props.join(", ")} };`) as (values: readonly unknown[]) => CleanRow;
  } catch {
    return (values) => {
      const out: CleanRow = {};
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (name === "__proto__")
          Object.defineProperty(out, name, {
            value: values[i],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[name] = values[i];
      }
      return out;
    };
  }
}

/**
 * A function copying the values of the named fields of a record into `out` (a missing field, or a
 * null name, gives undefined). Compiled like {@link recordFactory}, so each read is a plain property
 * load rather than a lookup by a computed key; an own `__proto__` field is read as a field.
 * @internal
 */
export function valuesReader(names: readonly (string | null)[]): (row: CleanRow, out: unknown[]) => void {
  const access = (n: string) =>
    n === "__proto__"
      ? `(Object.prototype.hasOwnProperty.call(r, "__proto__") ? r["__proto__"] : undefined)`
      : `r[${JSON.stringify(n)}]`;
  const body = names.map((n, i) => `v[${i}] = ${n === null ? "undefined" : access(n)};`).join("\n");
  try {
    return new Function("r", "v", body) as (row: CleanRow, out: unknown[]) => void;
  } catch {
    return (row, out) => {
      for (let i = 0; i < names.length; i++) {
        const n = names[i]!;
        out[i] = n === null || (n === "__proto__" && !Object.hasOwn(row, n)) ? undefined : row[n];
      }
    };
  }
}

/** A row function: returns the (possibly new) row, or null after recording a drop. @internal */
export type RowFn = (row: CleanRow, rec: StepRecorder, origin: number) => CleanRow | null;

/**
 * The coercion step as a row function: projects the row onto the schema's fields.
 * @internal
 */
export function schemaRowFn(
  where: string,
  compiled: CompiledSchema,
  onInvalid: "drop" | "missing" | "throw",
): RowFn {
  const fields = compiled.fields;
  const nFields = fields.length;
  const normalised = new Uint8Array(nFields);
  const toMissing = new Uint8Array(nFields);
  const values = new Array<unknown>(nFields);
  const make = recordFactory(fields.map((f) => f.name));
  return (row, rec, origin) => {
    if (row === null || typeof row !== "object")
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${origin} is not an object (got ${describeValue(row)})`,
      );
    if (!compiled.resolved) compiled.resolve(where, row);
    let anyChange = false;
    for (let f = 0; f < nFields; f++) {
      const field = fields[f]!;
      const raw = field.source === null ? undefined : row[field.source];
      let value = field.coerce(raw);
      normalised[f] = 0;
      toMissing[f] = 0;
      if (value === INVALID) {
        if (onInvalid === "throw") {
          throw new RecokitError(
            "INVALID_INPUT",
            where,
            `row ${origin}: field ${field.name} (column ${JSON.stringify(field.source)}): ${describeValue(raw)} is not a valid ${field.type}`,
          );
        }
        if (onInvalid === "drop" || field.required) return rec.drop(field.reasonInvalid, origin, row);
        value = null;
        toMissing[f] = 1;
        anyChange = true;
      } else if (value === null) {
        if (field.required) {
          if (onInvalid === "throw") {
            throw new RecokitError(
              "INVALID_INPUT",
              where,
              `row ${origin}: required field ${field.name} (column ${JSON.stringify(field.source)}) is missing`,
            );
          }
          return rec.drop(field.reasonMissing, origin, row);
        }
      } else if (field.textual && typeof raw === "string" && value !== raw) {
        normalised[f] = 1;
        anyChange = true;
      }
      values[f] = value;
    }
    const out = make(values);
    if (anyChange) {
      for (let f = 0; f < nFields; f++) {
        if (normalised[f] === 1) rec.modify(fields[f]!.reasonNormalised, origin);
        else if (toMissing[f] === 1) rec.modify(fields[f]!.reasonInvalidToMissing, origin);
      }
    }
    return out;
  };
}
