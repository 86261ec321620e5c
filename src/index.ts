/**
 * recokit: from raw shop behaviour logs to personalised recommendations and marketing segments.
 *
 * Every domain is also its own subpath export (`recokit/core`, `recokit/cf`, …); Node-only
 * helpers live in `recokit/node`, which this root entry does not include.
 * @packageDocumentation
 */

export * from "./cf/index.js";
export * from "./clean/index.js";
export * from "./content/index.js";
export * from "./core/index.js";
export * from "./datasets/index.js";
export * from "./eval/index.js";
export * from "./hybrid/index.js";
export * from "./profile/index.js";
export * from "./rfm/index.js";
export * from "./similarity/index.js";
