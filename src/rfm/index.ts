/**
 * RFM segmentation, customer clustering and customer value: the RFM table from transactions,
 * quantile or threshold scores, segment maps with marketing actions, segment and cluster profiles,
 * k-means clustering with silhouette and elbow, and the BG/NBD + Gamma-Gamma lifetime-value models.
 * @packageDocumentation
 */

export {
  type BgNbdModel,
  type BgNbdParameters,
  type BgNbdPredictions,
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  type FitBgNbdOptions,
  fitBgNbd,
  predictBgNbd,
} from "./bgnbd.js";
export {
  type ClusterCandidate,
  type ClusterCustomersOptions,
  type ClusterFeature,
  type CustomerClusters,
  clusterCustomers,
} from "./cluster.js";
export {
  type CustomerLifetimeValue,
  type CustomerLifetimeValueOptions,
  customerLifetimeValue,
} from "./clv.js";
export {
  type FitGammaGammaOptions,
  fitGammaGamma,
  type GammaGammaModel,
  type GammaGammaParameters,
  gammaGammaExpectedValue,
  gammaGammaLogLikelihood,
  type SpendData,
  type SpendRecord,
} from "./gamma-gamma.js";
export { minimizeNelderMead, type NelderMeadOptions, type NelderMeadResult } from "./optimize.js";
export {
  type CalibrationHoldoutOptions,
  type CalibrationHoldoutSummary,
  calibrationHoldoutSummary,
  type RepeatPurchaseReport,
  type RepeatPurchaseSummary,
  type RepeatPurchaseSummaryOptions,
  repeatPurchaseSummary,
  type SummaryUnit,
} from "./purchase-summary.js";
export { type RfmRecord, rfmRecords } from "./records.js";
export type { RepeatPurchaseColumns, RepeatPurchaseData, RepeatPurchaseRecord } from "./repeat-data.js";
export {
  type RfmDimension,
  type RfmScoreBounds,
  type RfmScores,
  type RfmThresholds,
  type RfmTieRule,
  type ScoreRfmOptions,
  scoreRfm,
} from "./scores.js";
export {
  type CustomerGroup,
  type CustomerGrouping,
  RF_GRID_SEGMENTS,
  RFM_SEGMENTS,
  type RfmSegmentation,
  type ScoreRange,
  type SegmentMap,
  type SegmentRfmOptions,
  type SegmentRule,
  segmentRfm,
} from "./segments.js";
export { type SegmentSummary, type SummarizeSegmentsOptions, summarizeSegments } from "./summary.js";
export { type RfmTable, type RfmTableOptions, type RfmTableReport, rfmTable } from "./table.js";
export type { TransactionAccessors, TransactionRow } from "./transactions.js";
