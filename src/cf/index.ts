export {
  type CfModel,
  type PredictOptions,
  predict,
  type RatingModel,
  type RecommenderModel,
  recommend,
  recommendBatch,
  type SimilarOptions,
  type SimilarUser,
  scoreUserIndex,
  similarItems,
  similarUsers,
} from "./api.js";
export { type BaselineModel, type BaselineOptions, type Biases, fitBaseline } from "./baseline.js";
export type { ReadOptions, TrainingData } from "./data.js";
export {
  fitItemKnn,
  fitUserKnn,
  type ItemKnnModel,
  type KnnAggregation,
  type KnnConfig,
  type KnnModel,
  type KnnOptions,
  type Prediction,
  type UserKnnModel,
} from "./knn.js";
export {
  fitPopularity,
  type PopularityMeasure,
  type PopularityModel,
  type PopularityOptions,
} from "./popularity.js";
export { deserializeModel, serializeModel } from "./serialize.js";
