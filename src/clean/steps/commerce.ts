import { describeValue } from "../../core/id-index.js";
import { type BatchContext, isMissing, numberAt, type StepPlan } from "../engine.js";
import type { CleanFilterStep, CleanNonProductStep, CleanRangeStep, CleanReturnsStep } from "../types.js";
import {
  badOption,
  enumOption,
  fieldOption,
  newFieldOption,
  optionalNumber,
  type PlanEnv,
} from "./common.js";

/**
 * Default patterns of non-product lines, from the stock codes of the UCI Online Retail data set:
 * `POST` (postage), `DOT` (dotcom postage), `C2` (carriage), `M` (manual), `D` (discount),
 * `S` (samples), `B` (adjust bad debt), `CRUK` (CRUK commission), `AMAZONFEE`, `BANK CHARGES`,
 * and gift vouchers (`gift_0001_20` …). Strings match whole, case-insensitively.
 *
 * @example
 * ```ts
 * import { clean, NON_PRODUCT_PATTERNS } from "recokit";
 * const rows = [{ item: "85123A" }, { item: "POST" }, { item: "FEE-01" }];
 * clean(rows, { steps: [{ step: "nonProduct", patterns: [...NON_PRODUCT_PATTERNS, /^FEE-/] }] }).rows;
 * // [{ item: "85123A" }]
 * ```
 */
export const NON_PRODUCT_PATTERNS: readonly (string | RegExp)[] = Object.freeze([
  "POST",
  "DOT",
  "C2",
  "M",
  "D",
  "S",
  "B",
  "CRUK",
  "AMAZONFEE",
  "BANK CHARGES",
  /^gift_\d+_\d+$/i,
]);

// ---------------------------------------------------------------------------------------------
// non-product lines

/** Plans a {@link CleanNonProductStep}. @internal */
export function planNonProduct(env: PlanEnv, step: CleanNonProductStep): StepPlan {
  const KIND = "nonProduct";
  const field = fieldOption(env, KIND, "field", step.field, "item");
  const patterns = step.patterns ?? NON_PRODUCT_PATTERNS;
  if (!Array.isArray(patterns))
    badOption(env, KIND, "patterns must be an array of strings and regular expressions");
  const exact = new Set<string>();
  const regexps: RegExp[] = [];
  for (const p of patterns) {
    if (typeof p === "string") exact.add(p.trim().toUpperCase());
    else if (p instanceof RegExp) regexps.push(new RegExp(p.source, p.flags.replace(/[gy]/g, "")));
    else badOption(env, KIND, `patterns: ${describeValue(p)} is neither a string nor a regular expression`);
  }
  const action = enumOption(env, KIND, "action", step.action, ["drop", "flag"] as const, "drop");
  const flagField =
    action === "flag" ? newFieldOption(env, KIND, "flagField", step.flagField, "nonProduct") : "";
  const label = step.label ?? `non-product lines (${action})`;
  const reason = "non-product line";
  const matches = (v: unknown): boolean => {
    if (typeof v !== "string" && typeof v !== "number") return false;
    const text = String(v).trim();
    if (exact.has(text.toUpperCase())) return true;
    for (const re of regexps) if (re.test(text)) return true;
    return false;
  };
  return {
    kind: "row",
    step: KIND,
    label,
    create: () => (row, rec, origin) => {
      const hit = matches(row[field]);
      if (action === "drop") return hit ? rec.drop(reason, origin, row) : row;
      if (hit) rec.flag(reason, origin);
      return { ...row, [flagField]: hit };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// numeric range

/** Plans a {@link CleanRangeStep}. @internal */
export function planRange(env: PlanEnv, step: CleanRangeStep): StepPlan {
  const KIND = "range";
  const field = fieldOption(env, KIND, "field", step.field);
  const min = optionalNumber(env, KIND, "min", step.min);
  const max = optionalNumber(env, KIND, "max", step.max);
  const gt = optionalNumber(env, KIND, "greaterThan", step.greaterThan);
  const lt = optionalNumber(env, KIND, "lessThan", step.lessThan);
  if (min === undefined && max === undefined && gt === undefined && lt === undefined)
    badOption(env, KIND, "give at least one of min, max, greaterThan, lessThan");
  if (step.reason !== undefined && (typeof step.reason !== "string" || step.reason.length === 0))
    badOption(env, KIND, "reason must be a non-empty string");
  const bounds = [
    gt === undefined ? "" : `> ${gt}`,
    min === undefined ? "" : `≥ ${min}`,
    lt === undefined ? "" : `< ${lt}`,
    max === undefined ? "" : `≤ ${max}`,
  ].filter((s) => s !== "");
  const onlyPositive = gt === 0 && min === undefined && max === undefined && lt === undefined;
  const onlyNonNegative = min === 0 && gt === undefined && max === undefined && lt === undefined;
  const reason =
    step.reason ??
    (onlyPositive
      ? `non-positive ${field}`
      : onlyNonNegative
        ? `negative ${field}`
        : `${field} out of range`);
  const label = step.label ?? `${field} ${bounds.join(" and ")}`;
  return {
    kind: "row",
    step: KIND,
    label,
    create: () => (row, rec, origin) => {
      const x = numberAt(env.where, label, row, field, origin);
      if (x === null) return row;
      const inside =
        (gt === undefined || x > gt) &&
        (min === undefined || x >= min) &&
        (lt === undefined || x < lt) &&
        (max === undefined || x <= max);
      return inside ? row : rec.drop(reason, origin, row);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// custom filter

/** Plans a {@link CleanFilterStep}. @internal */
export function planFilter(env: PlanEnv, step: CleanFilterStep): StepPlan {
  const KIND = "filter";
  if (typeof step.keep !== "function")
    badOption(env, KIND, "keep must be a function (row, inputIndex) => boolean");
  if (typeof step.reason !== "string" || step.reason.length === 0)
    badOption(env, KIND, "reason must be a non-empty string naming why rows are dropped");
  const { keep, reason } = step;
  return {
    kind: "row",
    step: KIND,
    label: step.label ?? reason,
    create: () => (row, rec, origin) => (keep(row, origin) ? row : rec.drop(reason, origin, row)),
  };
}

// ---------------------------------------------------------------------------------------------
// cancellations and returns

interface ReturnFields {
  invoice: string;
  customer: string;
  item: string;
  quantity: string;
  time: string;
}

/** Plans a {@link CleanReturnsStep}. @internal */
export function planReturns(env: PlanEnv, step: CleanReturnsStep): StepPlan {
  const KIND = "returns";
  const action = enumOption(env, KIND, "action", step.action, ["drop", "net"] as const, "drop");
  const prefixes = step.invoicePrefixes ?? ["C"];
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== "string" || p.length === 0))
    badOption(env, KIND, "invoicePrefixes must be an array of non-empty strings");
  const negativeQuantity = step.negativeQuantity ?? true;
  if (typeof negativeQuantity !== "boolean") badOption(env, KIND, "negativeQuantity must be a boolean");
  const unmatched = enumOption(env, KIND, "unmatched", step.unmatched, ["drop", "keep"] as const, "drop");
  const match = enumOption(env, KIND, "match", step.match, ["latest", "earliest"] as const, "latest");
  const f: ReturnFields = {
    invoice: fieldOption(env, KIND, "invoice", step.invoice, "invoice"),
    customer: action === "net" ? fieldOption(env, KIND, "customer", step.customer, "customer") : "",
    item: action === "net" ? fieldOption(env, KIND, "item", step.item, "item") : "",
    quantity: fieldOption(env, KIND, "quantity", step.quantity, "quantity"),
    time: action === "net" ? fieldOption(env, KIND, "time", step.time, "timestamp") : "",
  };
  const label = step.label ?? `cancellations and returns (${action})`;
  const prefixed = (v: unknown): boolean => {
    if (typeof v !== "string") return false;
    for (const p of prefixes) if (v.startsWith(p)) return true;
    return false;
  };
  if (action === "drop") {
    return {
      kind: "row",
      step: KIND,
      label,
      create: () => (row, rec, origin) => {
        if (prefixed(row[f.invoice])) return rec.drop("cancellation", origin, row);
        if (!negativeQuantity) return row;
        const q = numberAt(env.where, label, row, f.quantity, origin);
        return q !== null && q < 0 ? rec.drop("negative quantity", origin, row) : row;
      },
    };
  }
  return {
    kind: "batch",
    step: KIND,
    label,
    run: (ctx) => netReturns(ctx, label, f, prefixed, negativeQuantity, unmatched, match),
  };
}

/** Quantities closer to zero than this share of the original count as zero (float residue). */
const EPS = 1e-9;

function netReturns(
  ctx: BatchContext,
  label: string,
  f: ReturnFields,
  prefixed: (v: unknown) => boolean,
  negativeQuantity: boolean,
  unmatched: "drop" | "keep",
  match: "latest" | "earliest",
): void {
  const n = ctx.n;
  const qty = new Float64Array(n);
  const time = new Float64Array(n);
  const isReturn = new Uint8Array(n);
  let noCustomer = 0;
  const returns: number[] = [];
  // customers and items as dense ids; a (customer, item) pair as one number
  const customerIds = new Map<unknown, number>();
  const itemIds = new Map<unknown, number>();
  const cid = new Int32Array(n).fill(-1);
  const iid = new Int32Array(n);
  for (let pos = 0; pos < n; pos++) {
    const row = ctx.row(pos);
    const origin = ctx.origin(pos);
    const q = numberAt(ctx.where, label, row, f.quantity, origin);
    const t = numberAt(ctx.where, label, row, f.time, origin);
    qty[pos] = q ?? Number.NaN;
    time[pos] = t ?? Number.NaN;
    const ret = prefixed(row[f.invoice]) || (negativeQuantity && q !== null && q < 0);
    if (ret) {
      isReturn[pos] = 1;
      returns.push(pos);
    } else if (q === null || !(q > 0)) continue;
    const customer = row[f.customer];
    const item = row[f.item];
    if (isMissing(customer) || isMissing(item) || t === null) continue;
    let c = customerIds.get(customer);
    if (c === undefined) customerIds.set(customer, (c = customerIds.size));
    let i = itemIds.get(item);
    if (i === undefined) itemIds.set(item, (i = itemIds.size));
    cid[pos] = c;
    iid[pos] = i;
  }
  const groups = new Map<number, number[]>();
  const nItems = itemIds.size;
  for (let pos = 0; pos < n; pos++) {
    if (cid[pos]! < 0) continue;
    const key = cid[pos]! * nItems + iid[pos]!;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [pos]);
    else list.push(pos);
  }
  const remaining = Float64Array.from(qty, (q) => (Number.isNaN(q) ? 0 : Math.abs(q)));
  const matched = new Float64Array(n);
  let quantityNetted = 0;
  const order = (a: number, b: number): number => time[a]! - time[b]! || isReturn[a]! - isReturn[b]! || a - b;
  for (const positions of groups.values()) {
    if (positions.length < 2) continue;
    positions.sort(order);
    const open: number[] = [];
    let head = 0;
    for (const pos of positions) {
      if (isReturn[pos] === 0) {
        open.push(pos);
        continue;
      }
      let need = remaining[pos]!;
      while (need > 0 && head < open.length) {
        const src = match === "latest" ? open[open.length - 1]! : open[head]!;
        const take = Math.min(need, remaining[src]!);
        remaining[src]! -= take;
        need -= take;
        matched[pos]! += take;
        quantityNetted += take;
        if (remaining[src]! <= EPS * Math.abs(qty[src]!)) {
          remaining[src] = 0;
          if (match === "latest") open.pop();
          else head++;
        }
      }
      remaining[pos] = need;
    }
  }
  let fully = 0;
  let partly = 0;
  let none = 0;
  let quantityReturned = 0;
  let quantityUnmatched = 0;
  for (const pos of returns) {
    const total = Math.abs(qty[pos]!) || 0;
    quantityReturned += total;
    const left = remaining[pos]! <= EPS * total ? 0 : remaining[pos]!;
    quantityUnmatched += left;
    if (isMissing(ctx.row(pos)[f.customer])) noCustomer++;
    if (left === 0) {
      fully++;
      ctx.drop(pos, "return netted");
    } else if (matched[pos]! > 0) {
      partly++;
      if (unmatched === "drop") ctx.drop(pos, "return partly unmatched");
      else {
        ctx.replace(pos, { ...ctx.row(pos), [f.quantity]: -left });
        ctx.modify(pos, "return reduced to its unmatched part");
        ctx.flag(pos, "return partly unmatched");
      }
    } else {
      none++;
      if (unmatched === "drop") ctx.drop(pos, "return unmatched");
      else ctx.flag(pos, "return unmatched");
    }
  }
  let reduced = 0;
  let removed = 0;
  for (let pos = 0; pos < n; pos++) {
    if (isReturn[pos] === 1 || !(qty[pos]! > 0) || remaining[pos] === qty[pos]) continue;
    if (remaining[pos] === 0) {
      removed++;
      ctx.drop(pos, "fully returned");
    } else {
      reduced++;
      ctx.replace(pos, { ...ctx.row(pos), [f.quantity]: remaining[pos]! });
      ctx.modify(pos, "quantity reduced by return");
    }
  }
  Object.assign(ctx.rec.details, {
    returnLines: returns.length,
    fullyMatched: fully,
    partlyMatched: partly,
    unmatched: none,
    unmatchedWithoutCustomer: noCustomer,
    unmatchedAction: unmatched,
    quantityReturned,
    quantityNetted,
    quantityUnmatched,
    purchasesReduced: reduced,
    purchasesFullyReturned: removed,
  });
}
