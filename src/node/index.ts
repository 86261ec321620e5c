export * from "./files.js";
export { contentNeighborListsParallel, type ParallelContentNeighborOptions } from "./parallel-content.js";
export { type ParallelSimilarityOptions, topKSimilarityParallel } from "./parallel-similarity.js";
