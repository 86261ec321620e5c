import { describeValue } from "../../core/id-index.js";
import type { StepPlan } from "../engine.js";
import { planNormalize } from "../scaler.js";
import type { CleanStep } from "../types.js";
import { planBots, planDwell, planKCore } from "./behaviour.js";
import { planFilter, planNonProduct, planRange, planReturns } from "./commerce.js";
import { badOption, type PlanEnv } from "./common.js";
import { planDuplicates } from "./duplicates.js";
import { planMissing } from "./missing.js";
import { planOutliers } from "./outliers.js";

/** The step kinds, in the order the guide presents them. */
export const STEP_KINDS = [
  "missing",
  "duplicates",
  "outliers",
  "returns",
  "nonProduct",
  "range",
  "filter",
  "bots",
  "dwell",
  "kcore",
  "normalize",
] as const;

/**
 * Validates one step declaration and plans it.
 * @throws RecokitError `INVALID_INPUT` for an unknown step or a bad option.
 * @internal
 */
export function planStep(env: PlanEnv, step: CleanStep): StepPlan {
  if (step === null || typeof step !== "object")
    badOption(env, "?", `a step must be an object with a "step" kind, got ${describeValue(step)}`);
  switch (step.step) {
    case "missing":
      return planMissing(env, step);
    case "duplicates":
      return planDuplicates(env, step);
    case "outliers":
      return planOutliers(env, step);
    case "returns":
      return planReturns(env, step);
    case "nonProduct":
      return planNonProduct(env, step);
    case "range":
      return planRange(env, step);
    case "filter":
      return planFilter(env, step);
    case "bots":
      return planBots(env, step);
    case "dwell":
      return planDwell(env, step);
    case "kcore":
      return planKCore(env, step);
    case "normalize":
      return planNormalize(env, step);
    default:
      return badOption(
        env,
        "?",
        `unknown step ${describeValue((step as { step?: unknown }).step)} (known: ${STEP_KINDS.join(", ")})`,
      );
  }
}
