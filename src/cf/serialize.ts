import { deserializeContentModel, serializeContentModel } from "../content/serialize.js";
import { assertCsr, type Csr } from "../core/csr.js";
import { RecokitError } from "../core/errors.js";
import { IdIndex } from "../core/id-index.js";
import { decodePayload, encodePayload } from "../core/serialize.js";
import { assertNeighborLists } from "../similarity/neighbors.js";
import type { CfModel, RecommenderModel } from "./api.js";

const KINDS = ["itemKnn", "userKnn", "baseline", "popularity"] as const;

/**
 * Serialises a model (collaborative filtering or content) into recokit's versioned, checksummed binary format (see `encodePayload`).
 * The bytes round-trip exactly: recommendations and predictions are identical after
 * {@link deserializeModel}.
 * @example
 * ```ts
 * import { deserializeModel, fitPopularity, serializeModel } from "recokit";
 * const bytes = serializeModel(fitPopularity([{ user: "a", item: "x" }]));
 * deserializeModel(bytes).kind; // "popularity"
 * ```
 */
export function serializeModel(model: RecommenderModel): Uint8Array {
  if (model !== null && typeof model === "object" && model.kind === "content")
    return serializeContentModel(model);
  if (model === null || typeof model !== "object" || !KINDS.includes(model.kind)) {
    throw new RecokitError("INVALID_INPUT", "serializeModel", "not a recokit model");
  }
  return encodePayload(`recokit/${model.kind}`, model);
}

/**
 * Loads a model written by {@link serializeModel}, checking its structure, so that a corrupted or
 * foreign payload is a `BAD_MODEL` error, never a half-loaded model.
 * @throws RecokitError `BAD_MODEL`.
 * @example
 * ```ts
 * import { deserializeModel } from "recokit";
 * try { deserializeModel(new Uint8Array(8)); } catch (e) { console.log((e as Error).message); } // bad magic
 * ```
 */
export function deserializeModel(bytes: Uint8Array): RecommenderModel {
  const payload = decodePayload(bytes);
  if (payload.kind === "recokit/content") return deserializeContentModel(bytes);
  const kind = payload.kind.replace(/^recokit\//, "");
  if (!payload.kind.startsWith("recokit/") || !(KINDS as readonly string[]).includes(kind)) {
    throw new RecokitError(
      "BAD_MODEL",
      "deserializeModel",
      `unknown model kind ${JSON.stringify(payload.kind)}`,
    );
  }
  const model = payload.body as CfModel;
  try {
    validateModel(model, kind);
  } catch (e) {
    if (e instanceof RecokitError && e.code !== "BAD_MODEL")
      throw new RecokitError("BAD_MODEL", "deserializeModel", e.message);
    throw e;
  }
  return model;
}

function validateModel(model: CfModel, kind: string): void {
  const bad = (detail: string): never => {
    throw new RecokitError("BAD_MODEL", "deserializeModel", detail);
  };
  if (model === null || typeof model !== "object" || model.kind !== kind)
    bad("kind does not match the payload");
  if (model.version !== 1) bad(`unsupported model version ${String(model.version)}`);
  if (!(model.users instanceof IdIndex) || !(model.items instanceof IdIndex)) bad("missing id indexes");
  const ratings = model.ratings as Csr;
  assertCsr("deserializeModel", ratings);
  if (ratings.nRows !== model.users.size || ratings.nCols !== model.items.size)
    bad("ratings shape does not match the id indexes");
  const floats = (name: string, arr: unknown, length: number): void => {
    if (!(arr instanceof Float64Array) || arr.length !== length)
      bad(`${name} must be a Float64Array of length ${length}`);
  };
  switch (model.kind) {
    case "popularity":
      floats("itemScores", model.itemScores, model.items.size);
      return;
    case "baseline":
      floats("userBias", model.userBias, model.users.size);
      floats("itemBias", model.itemBias, model.items.size);
      return;
    case "itemKnn":
    case "userKnn": {
      assertNeighborLists("deserializeModel", model.neighbors);
      const rows = model.kind === "itemKnn" ? model.items.size : model.users.size;
      if (model.neighbors.nRows !== rows || model.neighbors.nCols !== rows)
        bad("neighbour lists do not match the model");
      floats("userMeans", model.userMeans, model.users.size);
      floats("itemMeans", model.itemMeans, model.items.size);
      if (model.timestamps !== null) floats("timestamps", model.timestamps, ratings.data.length);
      if (model.biases !== null) {
        floats("biases.userBias", model.biases.userBias, model.users.size);
        floats("biases.itemBias", model.biases.itemBias, model.items.size);
      }
      return;
    }
    default:
      bad("unknown model kind");
  }
}
