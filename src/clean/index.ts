/**
 * Data cleaning for behaviour and transaction logs: schema coercion, missing values, duplicates,
 * outliers, returns, non-product lines, bots, k-core, normalisation, and a report that accounts for
 * every row. See `docs/cleaning.md`.
 * @packageDocumentation
 */

export { audit } from "./audit.js";
export { DEFAULT_MISSING_TOKENS } from "./coerce.js";
export {
  type CleaningRowStory,
  cleaningReportToJson,
  explainCleaningRow,
  formatCleaningAudit,
  formatCleaningReport,
} from "./format.js";
export { clean, defineCleaning } from "./pipeline.js";
export {
  type CleanEvent,
  type CleanTransaction,
  EVENT_COLUMNS,
  type EventColumn,
  type EventsPresetOptions,
  eventsPreset,
  TRANSACTION_COLUMNS,
  type TransactionColumn,
  type TransactionsPresetOptions,
  transactionsPreset,
} from "./presets.js";
export { applyColumnScaler, fitColumnScaler } from "./scaler.js";
export { NON_PRODUCT_PATTERNS } from "./steps/commerce.js";
export { type CleanStream, cleanStream } from "./stream.js";
export {
  type ParseTimestampOptions,
  parseTimestamp,
  type TimestampFormat,
  type TimestampKind,
} from "./timestamp.js";
export type * from "./types.js";
