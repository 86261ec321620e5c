export type {
  FitRankingRecommender,
  FitRatingPredictor,
  PredictRatingFn,
  RankedItems,
  RankingRecommender,
  RankingRequest,
  RatingPrediction,
  RatingPredictor,
  RecommendFn,
} from "./adapters.js";
export {
  type CompareOptions,
  type CompareRecommendersOptions,
  compareEvaluations,
  compareRecommenders,
  type EvaluationComparison,
  type MetricComparison,
  type RecommenderComparison,
} from "./compare.js";
export {
  type CrossValidateOptions,
  type CrossValidation,
  crossValidate,
  type FoldSummary,
} from "./cross-validate.js";
export {
  type EvaluateRankingOptions,
  evaluateRanking,
  type RankingEvaluation,
  type RankingMetrics,
  type RankingPerUser,
  type RankingUserMetric,
} from "./evaluate-ranking.js";
export {
  type EvaluateRatingsOptions,
  type EvaluationLike,
  evaluateRatings,
  type OnImpossiblePrediction,
  type PerUserFigures,
  type RatingEvaluation,
  type RatingMetrics,
  type RunControl,
} from "./evaluate-ratings.js";
export type { EvalFields, ResolvedEvalFields } from "./fields.js";
export {
  coverage,
  type ItemPopularity,
  type ItemSimilarityFn,
  intraListDiversity,
  itemPopularity,
  type ListCutOptions,
  type NoveltyOptions,
  novelty,
  popularityBias,
} from "./metrics-beyond.js";
export {
  hitRate,
  type MapAtKOptions,
  type MapDenominator,
  mapAtK,
  mrr,
  type NdcgAtKOptions,
  type NdcgGain,
  type NdcgIdeal,
  ndcgAtK,
  type PrecisionAtKOptions,
  type PrecisionDenominator,
  precisionAtK,
  type RecallAtKOptions,
  type RecallDenominator,
  type Relevance,
  recallAtK,
} from "./metrics-ranking.js";
export { mae, rmse } from "./metrics-rating.js";
export {
  type EvalSplit,
  type KFoldOptions,
  kFold,
  type PerUserSizing,
  type SplitColdStartOptions,
  type SplitPerUserOptions,
  type SplitRandomness,
  type SplitRandomOptions,
  type SplitStrategy,
  type SplitTemporalOptions,
  splitColdStart,
  splitPerUser,
  splitRandom,
  splitTemporal,
} from "./splits.js";
export {
  type BootstrapInterval,
  type BootstrapIntervalOptions,
  type BootstrapOptions,
  bootstrapInterval,
  type PairedBootstrapResult,
  type PairedTTestResult,
  pairedBootstrap,
  pairedTTest,
} from "./stats.js";
