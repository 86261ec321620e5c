import { RecokitError } from "./errors.js";
import { type Id, IdIndex } from "./id-index.js";

/**
 * recokit's binary container (format version 1), used by every model's serialiser:
 *
 * | bytes | content |
 * |---|---|
 * | 0–3 | magic `RKIT` |
 * | 4–5 | format version (u16, little-endian) |
 * | 6–7 | reserved, 0 |
 * | 8–11 | header length in bytes (u32) |
 * | 12–15 | total length in bytes (u32) |
 * | 16–19 | CRC-32 of bytes 20 … end |
 * | 20 … | UTF-8 JSON header, then each typed array's bytes, 8-byte aligned |
 *
 * The JSON header holds the payload's `kind` and its body, in which typed arrays, id indexes and
 * non-finite numbers are replaced by `{"$ta": …}`, `{"$ids": …}` and `{"$num": …}` markers.
 * Any corrupted, truncated or foreign payload is rejected with `BAD_MODEL`.
 */
export const FORMAT_VERSION = 1;

const MAGIC = [0x52, 0x4b, 0x49, 0x54];
const PREFIX = 20;

type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

const TYPED: Record<
  string,
  { new (buffer: ArrayBuffer, offset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number }
> = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
  u8: Uint8Array,
};

function typedTag(v: unknown): string | undefined {
  if (v instanceof Float64Array) return "f64";
  if (v instanceof Float32Array) return "f32";
  if (v instanceof Int32Array) return "i32";
  if (v instanceof Uint32Array) return "u32";
  if (v instanceof Int16Array) return "i16";
  if (v instanceof Uint16Array) return "u16";
  if (v instanceof Int8Array) return "i8";
  if (v instanceof Uint8Array) return "u8";
  return undefined;
}

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (IEEE 802.3 polynomial) of `bytes`.
 * @example
 * ```ts
 * import { crc32 } from "recokit";
 * crc32(new TextEncoder().encode("123456789")).toString(16); // "cbf43926"
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Encodes a payload (`kind` + a tree of plain objects, arrays, strings, finite or non-finite
 * numbers, booleans, null, typed arrays and {@link IdIndex}es) into the versioned binary container.
 * Object keys starting with `$` are reserved.
 *
 * @throws RecokitError `INVALID_INPUT` for values the format cannot hold (functions, Maps, …).
 * @example
 * ```ts
 * import { decodePayload, encodePayload } from "recokit";
 * const bytes = encodePayload("demo", { w: new Float64Array([1, 2]) });
 * decodePayload(bytes, "demo").body; // { w: Float64Array [1, 2] }
 * ```
 */
export function encodePayload(kind: string, body: unknown): Uint8Array {
  const blobs: TypedArray[] = [];
  let blobBytes = 0;
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : { $num: String(v) };
    const tag = typedTag(v);
    if (tag !== undefined) {
      const arr = v as TypedArray;
      blobBytes = align8(blobBytes);
      const entry = { $ta: tag, o: blobBytes, n: arr.length };
      blobs.push(arr);
      blobBytes += arr.byteLength;
      return entry;
    }
    if (v instanceof IdIndex) return { $ids: v.ids() };
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
        if (key.startsWith("$")) {
          throw new RecokitError(
            "INVALID_INPUT",
            "encodePayload",
            `${path}.${key}: keys starting with "$" are reserved`,
          );
        }
        if (value !== undefined) out[key] = walk(value, `${path}.${key}`);
      }
      return out;
    }
    throw new RecokitError("INVALID_INPUT", "encodePayload", `${path}: cannot encode ${typeof v} values`);
  };
  const header = new TextEncoder().encode(JSON.stringify({ kind, body: walk(body, "body") }));
  const dataStart = align8(PREFIX + header.length);
  const total = dataStart + blobBytes;
  if (total > 0xffffffff)
    throw new RecokitError("TOO_LARGE", "encodePayload", `payload of ${total} bytes exceeds 4 GiB`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  view.setUint32(12, total, true);
  out.set(header, PREFIX);
  let offset = 0;
  for (const arr of blobs) {
    offset = align8(offset);
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), dataStart + offset);
    offset += arr.byteLength;
  }
  view.setUint32(16, crc32(out.subarray(PREFIX)), true);
  return out;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A decoded payload. */
export interface Payload {
  readonly kind: string;
  readonly body: unknown;
}

/**
 * Decodes bytes made by {@link encodePayload}, checking magic, version, lengths and checksum.
 * Typed arrays in the result own fresh, aligned memory.
 *
 * @param expectedKind - when given, a payload of another kind is rejected
 * @throws RecokitError `BAD_MODEL` for anything corrupted, truncated, foreign or unsupported.
 * @example
 * ```ts
 * import { decodePayload, encodePayload } from "recokit";
 * decodePayload(encodePayload("demo", { a: 1 })).kind; // "demo"
 * ```
 */
export function decodePayload(bytes: Uint8Array, expectedKind?: string): Payload {
  const bad = (detail: string): never => {
    throw new RecokitError("BAD_MODEL", "decodePayload", detail);
  };
  if (!(bytes instanceof Uint8Array)) bad("expected a Uint8Array");
  if (bytes.length < PREFIX || MAGIC.some((m, i) => bytes[i] !== m)) bad("not a recokit payload (bad magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION)
    bad(`unsupported format version ${version} (this build reads ${FORMAT_VERSION})`);
  if (view.getUint16(6, true) !== 0) bad("reserved bytes are not zero");
  const headerLength = view.getUint32(8, true);
  const total = view.getUint32(12, true);
  if (total !== bytes.length)
    bad(`length mismatch: header says ${total} bytes, got ${bytes.length} (truncated?)`);
  if (PREFIX + headerLength > total) bad("header runs past the end");
  if (crc32(bytes.subarray(PREFIX)) !== view.getUint32(16, true))
    bad("checksum mismatch (corrupted payload)");
  let parsed: { kind?: unknown; body?: unknown };
  try {
    parsed = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)),
    );
  } catch {
    return bad("header is not valid JSON");
  }
  if (typeof parsed.kind !== "string") return bad("header has no kind");
  if (expectedKind !== undefined && parsed.kind !== expectedKind) {
    bad(`expected a ${JSON.stringify(expectedKind)} payload, got ${JSON.stringify(parsed.kind)}`);
  }
  const dataStart = align8(PREFIX + headerLength);
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if ("$ta" in o) {
      const ctor = TYPED[String(o.$ta)];
      const offset = o.o;
      const length = o.n;
      if (ctor === undefined || typeof offset !== "number" || typeof length !== "number")
        return bad("bad array marker");
      const start = dataStart + offset;
      const byteLength = length * ctor.BYTES_PER_ELEMENT;
      if (!Number.isInteger(start) || !Number.isInteger(length) || length < 0 || start + byteLength > total) {
        return bad("array runs past the end");
      }
      const copy = bytes.slice(start, start + byteLength);
      return new ctor(copy.buffer, 0, length);
    }
    if ("$ids" in o) {
      if (!Array.isArray(o.$ids)) return bad("bad id index marker");
      return IdIndex.from(o.$ids as Id[]);
    }
    if ("$num" in o) return Number(o.$num);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(o)) out[key] = revive(value);
    return out;
  };
  return { kind: parsed.kind, body: revive(parsed.body) };
}
