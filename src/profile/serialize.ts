import { assertCsr, type Csr } from "../core/csr.js";
import { RecokitError } from "../core/errors.js";
import { IdIndex } from "../core/id-index.js";
import { decodePayload, encodePayload } from "../core/serialize.js";
import { checkProfilesShape } from "./build.js";
import { resolveConfig, USER_METRIC_NAMES } from "./config.js";
import type { DerivedTagColumn, ProfileConfig, TagProfiles } from "./types.js";

const KIND = "recokit/tag-profiles@1";

/**
 * Serialises profiles to bytes (recokit's checked binary container: typed arrays stored raw, a
 * CRC-32 over the payload). The tokenizer's custom segmenter, if any, is not stored.
 *
 * @param profiles - profiles from {@link buildProfiles} / {@link updateProfiles}
 * @returns the bytes
 * @throws RecokitError `INVALID_INPUT` when `profiles` is not a profile set.
 * @example
 * ```ts
 * import { buildProfiles, deserializeProfiles, serializeProfiles } from "recokit";
 * const profiles = buildProfiles([{ user: "a", item: "x", type: "view", timestamp: 0 }], {
 *   items: [{ id: "x", category: "tea" }],
 * });
 * const copy = deserializeProfiles(serializeProfiles(profiles));
 * copy.tags.ids(); // ["category:tea"]
 * ```
 */
export function serializeProfiles(profiles: TagProfiles): Uint8Array {
  checkProfilesShape("serializeProfiles", profiles);
  return encodePayload(KIND, profiles);
}

/**
 * Reads profiles written by {@link serializeProfiles}, checking every array against the others, so
 * a corrupted, truncated or foreign payload is refused whole.
 *
 * @param bytes - the serialised profiles
 * @returns the profiles
 * @throws RecokitError `BAD_MODEL` for anything that is not a valid, complete profile payload.
 * @example
 * ```ts
 * import { deserializeProfiles } from "recokit";
 * try {
 *   deserializeProfiles(new Uint8Array([1, 2, 3]));
 * } catch (e) {
 *   // RecokitError BAD_MODEL: not a recokit payload
 * }
 * ```
 */
export function deserializeProfiles(bytes: Uint8Array): TagProfiles {
  const where = "deserializeProfiles";
  const body = decodePayload(bytes, KIND).body as TagProfiles;
  const bad = (detail: string): never => {
    throw new RecokitError("BAD_MODEL", where, detail);
  };
  try {
    validate(where, body);
  } catch (e) {
    if (e instanceof RecokitError && e.code !== "BAD_MODEL") bad(e.message);
    throw e;
  }
  return body;
}

function validate(where: string, p: TagProfiles): void {
  const bad = (detail: string): never => {
    throw new RecokitError("BAD_MODEL", where, detail);
  };
  if (p === null || typeof p !== "object") bad("body is not an object");
  if (typeof p.asOf !== "number" || !Number.isFinite(p.asOf)) bad("asOf is not a finite number");
  for (const key of ["users", "tags", "channels"] as const)
    if (!(p[key] instanceof IdIndex)) bad(`${key} is not an id index`);
  const config = checkConfig(where, p.config);
  const nUsers = p.users.size;
  const nTags = p.tags.size;
  const types = Object.keys(config.typeWeights);
  if (!Array.isArray(p.eventTypes) || p.eventTypes.join("\u0000") !== types.join("\u0000"))
    bad("eventTypes do not match the type weights");
  const nTypes = types.length;
  const csr = (name: string, m: Csr, rows: number, cols: number): void => {
    assertCsr(where, m);
    if (m.nRows !== rows || m.nCols !== cols)
      bad(`${name} is ${m.nRows} × ${m.nCols}, expected ${rows} × ${cols}`);
  };
  const typed = (
    name: string,
    a: unknown,
    ctor: Float64ArrayConstructor | Int32ArrayConstructor,
    length: number,
  ): void => {
    if (!(a instanceof ctor) || (a as ArrayLike<number>).length !== length)
      bad(`${name} must be a ${ctor.name}(${length})`);
  };

  const cat = p.catalogue;
  if (cat === null || typeof cat !== "object" || !(cat.items instanceof IdIndex)) bad("catalogue is missing");
  const nItems = cat.items.size;
  assertCsr(where, cat.itemTags);
  if (cat.itemTags.nRows !== nItems || cat.itemTags.nCols > nTags)
    bad("catalogue.itemTags has a wrong shape");
  typed("catalogue.itemPrice", cat.itemPrice, Float64Array, nItems);
  typed("catalogue.itemPriceGroup", cat.itemPriceGroup, Int32Array, nItems);
  if (!Array.isArray(cat.priceGroups)) bad("catalogue.priceGroups must be an array");
  const nGroups = cat.priceGroups.length;
  typed("catalogue.pricePtr", cat.pricePtr, Int32Array, nGroups + 1);
  for (let g = 0; g < nGroups; g++)
    if (cat.pricePtr[g + 1]! < cat.pricePtr[g]!) bad("catalogue.pricePtr decreases");
  typed("catalogue.priceValues", cat.priceValues, Float64Array, nGroups === 0 ? 0 : cat.pricePtr[nGroups]!);
  for (const g of cat.itemPriceGroup)
    if (g < -1 || g >= nGroups) bad("catalogue.itemPriceGroup out of range");

  const s = p.state;
  if (s === null || typeof s !== "object") bad("state is missing");
  csr("state.weights", s.weights, nUsers, nTags);
  const nnz = s.weights.indptr[nUsers]!;
  typed("state.counts", s.counts, Int32Array, nnz * nTypes);
  typed("state.lastSeen", s.lastSeen, Float64Array, nnz);
  typed("state.events", s.events, Int32Array, nUsers);
  typed("state.typeCounts", s.typeCounts, Int32Array, nUsers * nTypes);
  typed("state.firstSeen", s.firstSeen, Float64Array, nUsers);
  typed("state.lastActive", s.lastActive, Float64Array, nUsers);
  typed("state.activity", s.activity, Float64Array, nUsers);
  typed("state.hours", s.hours, Float64Array, nUsers * 24);
  typed("state.weekdays", s.weekdays, Float64Array, nUsers * 7);
  csr("state.channels", s.channels, nUsers, p.channels.size);
  typed("state.pricedPurchases", s.pricedPurchases, Int32Array, nUsers);
  typed("state.pricePercentileSum", s.pricePercentileSum, Float64Array, nUsers);
  typed("state.discountedPurchases", s.discountedPurchases, Int32Array, nUsers);

  csr("scores", p.scores, nUsers, nTags);
  if (
    p.scores.indices.some((c, j) => c !== s.weights.indices[j]) ||
    p.scores.indptr.some((x, r) => x !== s.weights.indptr[r])
  )
    bad("scores and state.weights differ in pattern");
  if (p.metrics === null || typeof p.metrics !== "object") bad("metrics are missing");
  for (const name of USER_METRIC_NAMES) typed(`metrics.${name}`, p.metrics[name], Float64Array, nUsers);
  const columns = (name: string, list: readonly DerivedTagColumn[]): void => {
    if (!Array.isArray(list)) bad(`${name} must be an array`);
    for (const col of list) {
      if (
        col === null ||
        typeof col !== "object" ||
        typeof col.name !== "string" ||
        !Array.isArray(col.values)
      )
        bad(`${name}: malformed column`);
      typed(`${name}.${col.name}.codes`, col.codes, Int32Array, nUsers);
      for (const c of col.codes)
        if (c < -1 || c >= col.values.length) bad(`${name}.${col.name}: code out of range`);
    }
  };
  columns("attributes", p.attributes);
  columns("derived", p.derived);
  const r = p.report;
  if (r === null || typeof r !== "object" || typeof r.totalEvents !== "number") bad("report is missing");
}

function checkConfig(where: string, c: ProfileConfig): ProfileConfig {
  if (c === null || typeof c !== "object") throw new RecokitError("BAD_MODEL", where, "config is missing");
  return resolveConfig(where, {
    typeWeights: c.typeWeights,
    purchaseTypes: c.purchaseTypes,
    values: c.values,
    decay: c.decay,
    priceBands: c.priceBands,
    search: { matchFacets: c.matchFacets, keywords: c.keywords, tokenizer: c.tokenizer },
    userAttributes: c.userAttributes,
    normalize: c.normalize,
    population: c.population,
    confidencePrior: c.confidencePrior,
    derivedTags: c.derivedTags,
    timeTags: c.timeTags,
    utcOffsetMinutes: c.utcOffsetMinutes,
  });
}
