import { assertCsr, type Csr } from "../core/csr.js";
import { RecokitError } from "../core/errors.js";
import { IdIndex } from "../core/id-index.js";
import { decodePayload, encodePayload } from "../core/serialize.js";
import { assertNeighborLists } from "../similarity/index.js";
import type { FittedContentField } from "./features.js";
import type { ContentModel } from "./model.js";
import { assertProfileConfig } from "./profiles.js";
import { tokenizerConfigOf } from "./tokenize.js";

/** Payload kind of a serialised content model. */
const KIND = "recokit/content";
const WHERE = "deserializeContentModel";

/**
 * Serialises a content model into recokit's versioned, checksummed binary format (core's
 * `encodePayload`). Everything round-trips: scores, recommendations, neighbours and the fitted
 * vocabulary (so new items can still be added after loading). The injected word segmenter, a
 * runtime object, is not stored: loaded models tokenise with `Intl.Segmenter` unless told otherwise.
 *
 * @throws RecokitError `INVALID_INPUT` when `model` is not a content model.
 * @example
 * ```ts
 * import { deserializeContentModel, fitContent, serializeContentModel } from "recokit";
 * const m = fitContent([{ id: "a", tags: ["x"] }], { fields: [{ kind: "tags", name: "tags" }] });
 * deserializeContentModel(serializeContentModel(m)).items.size; // 1
 * ```
 */
export function serializeContentModel(model: ContentModel): Uint8Array {
  if (model === null || typeof model !== "object" || model.kind !== "content")
    throw new RecokitError("INVALID_INPUT", "serializeContentModel", "not a content model");
  return encodePayload(KIND, model);
}

/**
 * Loads a model written by {@link serializeContentModel}, checking every structure (shapes, index
 * ranges, field layout, neighbour lists), so that a corrupted, truncated or foreign payload is a
 * `BAD_MODEL` error, never a half-loaded model.
 *
 * @throws RecokitError `BAD_MODEL`.
 * @example
 * ```ts
 * import { deserializeContentModel } from "recokit";
 * try { deserializeContentModel(new Uint8Array(4)); } catch (e) { console.log((e as Error).message); }
 * // "decodePayload: not a recokit payload (bad magic)"
 * ```
 */
export function deserializeContentModel(bytes: Uint8Array): ContentModel {
  const payload = decodePayload(bytes, KIND);
  const model = payload.body as ContentModel;
  try {
    validateContentModel(model);
  } catch (e) {
    if (e instanceof RecokitError && e.code !== "BAD_MODEL")
      throw new RecokitError("BAD_MODEL", WHERE, e.message);
    throw e;
  }
  return model;
}

function bad(detail: string): never {
  throw new RecokitError("BAD_MODEL", WHERE, detail);
}

function csrShape(name: string, m: unknown, nRows: number, nCols: number): void {
  if (m === null || typeof m !== "object") bad(`${name} is missing`);
  assertCsr(WHERE, m as Csr);
  const c = m as Csr;
  if (c.nRows !== nRows || c.nCols !== nCols)
    bad(`${name} is ${c.nRows} × ${c.nCols}, expected ${nRows} × ${nCols}`);
}

/** Checks every invariant a loaded model must satisfy. @internal */
export function validateContentModel(model: ContentModel): void {
  if (model === null || typeof model !== "object" || model.kind !== "content") bad("not a content model");
  if (model.version !== 1) bad(`unsupported model version ${String(model.version)}`);
  if (
    !(model.items instanceof IdIndex) ||
    !(model.features instanceof IdIndex) ||
    !(model.users instanceof IdIndex)
  )
    bad("missing id indexes");
  const nItems = model.items.size;
  const nFeatures = model.features.size;
  const nUsers = model.users.size;
  if (typeof model.normalize !== "boolean") bad("normalize must be a boolean");
  if (
    !Array.isArray(model.labels) ||
    model.labels.length !== nFeatures ||
    model.labels.some((l) => typeof l !== "string")
  )
    bad("labels must be one string per feature");
  if (!(model.featureField instanceof Int32Array) || model.featureField.length !== nFeatures)
    bad("featureField length");
  if (!(model.featureIdf instanceof Float64Array) || model.featureIdf.length !== nFeatures)
    bad("featureIdf length");
  for (const w of model.featureIdf) if (!Number.isFinite(w)) bad("featureIdf is not finite");
  if (!Array.isArray(model.fields) || model.fields.length === 0) bad("fields missing");
  let offset = 0;
  const names = new Set<string>();
  model.fields.forEach((f, fi) => {
    checkField(f, fi, offset);
    if (names.has(f.name)) bad(`duplicate field ${f.name}`);
    names.add(f.name);
    for (let c = f.offset; c < f.offset + f.size; c++) {
      if (model.featureField[c] !== fi) bad(`feature ${c} is not in field ${fi}`);
      if (!String(model.features.idAt(c)).startsWith(`${f.name}:`))
        bad(`feature ${c} does not belong to ${f.name}`);
    }
    offset += f.size;
  });
  if (offset !== nFeatures) bad("fields do not cover the features");
  csrShape("itemFeatures", model.itemFeatures, nItems, nFeatures);
  csrShape("interactions", model.interactions, nUsers, nItems);
  csrShape("userProfiles", model.userProfiles, nUsers, nFeatures);
  if (model.timestamps !== undefined) {
    if (
      !(model.timestamps instanceof Float64Array) ||
      model.timestamps.length !== model.interactions.indices.length
    )
      bad("timestamps do not match interactions");
  }
  assertProfileConfig(WHERE, model.profile);
  if (!Number.isInteger(model.skippedInteractions) || model.skippedInteractions < 0)
    bad("bad skippedInteractions");
  if (model.neighbors !== undefined) {
    const n = model.neighbors;
    if (n === null || typeof n !== "object") bad("bad neighbour lists");
    if (!(n.indices instanceof Int32Array) || !(n.similarities instanceof Float64Array))
      bad("bad neighbour arrays");
    assertNeighborLists(WHERE, n);
    if (n.nRows > nItems || n.nCols > nItems) bad("neighbour lists exceed the items");
  }
}

function checkField(f: FittedContentField, fi: number, offset: number): void {
  const at = `fields[${fi}]`;
  if (f === null || typeof f !== "object") bad(`${at} missing`);
  if (typeof f.name !== "string" || f.name.length === 0 || f.name.includes(":")) bad(`${at}.name invalid`);
  if (f.offset !== offset || !Number.isInteger(f.size) || f.size < 0) bad(`${at} layout`);
  if (!(f.weight >= 0) || !Number.isFinite(f.weight)) bad(`${at}.weight`);
  switch (f.kind) {
    case "text":
      if (f.weighting !== "tfidf" && f.weighting !== "bm25") bad(`${at}.weighting`);
      if (f.tf !== "raw" && f.tf !== "log" && f.tf !== "binary") bad(`${at}.tf`);
      if (f.idf !== "smooth" && f.idf !== "plain") bad(`${at}.idf`);
      if (!(f.k1 >= 0) || !(f.b >= 0 && f.b <= 1) || !(f.avgLength >= 0)) bad(`${at} BM25 parameters`);
      if (f.tokenizer === null || typeof f.tokenizer !== "object") bad(`${at}.tokenizer`);
      tokenizerConfigOf(WHERE, f.tokenizer);
      return;
    case "tags":
    case "category":
      if (typeof f.idf !== "boolean" || typeof f.lowercase !== "boolean") bad(`${at} flags`);
      if (
        f.kind === "category" &&
        (!(f.ancestorWeight >= 0 && f.ancestorWeight <= 1) ||
          (f.separator !== null && typeof f.separator !== "string"))
      )
        bad(`${at} path settings`);
      return;
    case "numeric":
      if (f.encode !== "bands" && f.encode !== "scaled") bad(`${at}.encode`);
      if (!(f.edges instanceof Float64Array)) bad(`${at}.edges`);
      if (f.encode === "bands" && f.size !== f.edges.length + 1) bad(`${at} band count`);
      if (f.encode === "scaled" && f.size !== 1) bad(`${at} scaled size`);
      if (!Number.isFinite(f.min) || !Number.isFinite(f.max) || !(f.spread >= 0 && f.spread < 1))
        bad(`${at} range`);
      return;
    default:
      bad(`${at}.kind unknown`);
  }
}
