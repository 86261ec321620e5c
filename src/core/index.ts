export * from "./csr.js";
export * from "./errors.js";
export * from "./id-index.js";
export * from "./interactions.js";
export * from "./random.js";
export * from "./recommender.js";
export * from "./serialize.js";
export * from "./topk.js";
