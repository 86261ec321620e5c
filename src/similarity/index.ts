export { type TopKSimilarityOptions, topKSimilarity } from "./kernel.js";
export {
  assertNeighborLists,
  type NeighborLists,
  type Neighbors,
  neighborsOf,
  SIMILARITY_METRICS,
  type SimilarityMetric,
} from "./neighbors.js";
