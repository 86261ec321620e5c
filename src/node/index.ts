export * from "./files.js";
export { type ParallelSimilarityOptions, topKSimilarityParallel } from "./parallel-similarity.js";
