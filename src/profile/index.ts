export {
  type Audience,
  type AudienceCondition,
  type AudienceDerivedCondition,
  type AudienceEvidence,
  type AudienceLift,
  type AudienceLiftOptions,
  type AudienceLiftRow,
  type AudienceMetricCondition,
  type AudienceTagCondition,
  audienceLift,
  type SelectAudienceOptions,
  selectAudience,
} from "./audience.js";
export { buildProfiles, updateProfiles } from "./build.js";
export { PATH_SEPARATOR, parseProfileTag } from "./catalogue.js";
export {
  DEFAULT_DERIVED_TAGS,
  DEFAULT_PROFILE_TYPE_WEIGHTS,
  DEFAULT_USER_ATTRIBUTES,
  PROFILE_DAY_MS,
  USER_METRIC_NAMES,
} from "./config.js";
export {
  type PortraitTag,
  type ProfileMatrix,
  type ProfileMatrixOptions,
  profileMatrix,
  tagEvidence,
  type UserPortrait,
  type UserPortraitOptions,
  userPortrait,
} from "./portrait.js";
export { type ProfileItemScores, type ProfileItemScoresOptions, profileItemScores } from "./scoring.js";
export { deserializeProfiles, serializeProfiles } from "./serialize.js";
export type {
  BuildProfilesOptions,
  DerivedTagColumn,
  DerivedTagRule,
  DerivedTagSpec,
  MetricRange,
  ProfileCatalogueState,
  ProfileConfig,
  ProfileDecay,
  ProfileEvent,
  ProfileEventAccessors,
  ProfileItem,
  ProfileNormalization,
  ProfilePopulationWeighting,
  ProfileReport,
  ProfileSearchOptions,
  ProfileState,
  ProfileUser,
  RfmSegmentsInput,
  TagProfiles,
  UpdateProfilesOptions,
  UserMetricName,
} from "./types.js";
