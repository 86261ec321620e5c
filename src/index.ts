/**
 * recokit: from raw shop behaviour logs to personalised recommendations and marketing segments.
 *
 * Every domain is also its own subpath export (`recokit/core`, `recokit/cf`, …); Node-only
 * helpers live in `recokit/node`, which this root entry does not include.
 * @packageDocumentation
 */
export * from "./core/index.js";
export * from "./datasets/index.js";
