import { colCounts, colSums, csrFromTriplets, rowCounts, rowSums, transpose } from "../../core/csr.js";
import { RecokitError } from "../../core/errors.js";
import { describeValue, IdIndexBuilder } from "../../core/id-index.js";
import { type BatchContext, isMissing, numberAt, type StepPlan } from "../engine.js";
import type { CleanBotsStep, CleanDwellStep, CleanKCoreStep } from "../types.js";
import {
  enumOption,
  fieldOption,
  newFieldOption,
  numberOption,
  optionalNumber,
  type PlanEnv,
} from "./common.js";

/** Largest number of bot users the report lists. */
const MAX_LISTED_USERS = 100;

/** Positions of the rows of each non-missing value of `field`. */
function positionsBy(ctx: BatchContext, field: string): Map<unknown, number[]> {
  const groups = new Map<unknown, number[]>();
  for (let pos = 0; pos < ctx.n; pos++) {
    const v = ctx.row(pos)[field];
    if (isMissing(v)) continue;
    const list = groups.get(v);
    if (list === undefined) groups.set(v, [pos]);
    else list.push(pos);
  }
  return groups;
}

/** Sorted times (ms) of the given rows; rows without a time are left out. */
function sortedTimes(
  ctx: BatchContext,
  label: string,
  field: string,
  positions: readonly number[],
): Float64Array {
  const times: number[] = [];
  for (const pos of positions) {
    const t = numberAt(ctx.where, label, ctx.row(pos), field, ctx.origin(pos));
    if (t !== null) times.push(t);
  }
  return Float64Array.from(times).sort();
}

/** Largest number of sorted times inside any half-open window [t, t + width). */
export function peakInWindow(sorted: Float64Array, width: number): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= width) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** Plans a {@link CleanBotsStep}. @internal */
export function planBots(env: PlanEnv, step: CleanBotsStep): StepPlan {
  const KIND = "bots";
  const user = fieldOption(env, KIND, "user", step.user, "user");
  const time = fieldOption(env, KIND, "time", step.time, "timestamp");
  const maxRate = numberOption(env, KIND, "maxEventsPerMinute", step.maxEventsPerMinute, 15, 1);
  const windowMs = numberOption(env, KIND, "windowMs", step.windowMs, 60_000, 1);
  const maxEvents = optionalNumber(env, KIND, "maxEvents", step.maxEvents, 1);
  const maxShare = optionalNumber(env, KIND, "maxShare", step.maxShare, 0, 1);
  const action = enumOption(env, KIND, "action", step.action, ["drop", "flag"] as const, "drop");
  const flagField = action === "flag" ? newFieldOption(env, KIND, "flagField", step.flagField, "bot") : "";
  const label =
    step.label ??
    `bots (> ${maxRate} events in ${windowMs / 1000} s${maxEvents === undefined ? "" : `, > ${maxEvents} events`}${maxShare === undefined ? "" : `, > ${maxShare} of events`})`;
  return {
    kind: "batch",
    step: KIND,
    label,
    run(ctx) {
      const listed: { user: unknown; events: number; peak: number; share: number; rule: string }[] = [];
      const reasonOf = new Map<number, string>();
      let bots = 0;
      for (const [id, positions] of positionsBy(ctx, user)) {
        const peak = peakInWindow(sortedTimes(ctx, label, time, positions), windowMs);
        const share = positions.length / ctx.n;
        const rule =
          peak > maxRate
            ? "bot (event rate)"
            : maxEvents !== undefined && positions.length > maxEvents
              ? "bot (volume)"
              : maxShare !== undefined && share > maxShare
                ? "bot (share)"
                : undefined;
        if (rule === undefined) continue;
        bots++;
        listed.push({ user: id, events: positions.length, peak, share, rule });
        for (const pos of positions) reasonOf.set(pos, rule);
      }
      for (let pos = 0; pos < ctx.n; pos++) {
        const rule = reasonOf.get(pos);
        if (action === "drop") {
          if (rule !== undefined) ctx.drop(pos, rule);
          continue;
        }
        ctx.replace(pos, { ...ctx.row(pos), [flagField]: rule !== undefined });
        if (rule !== undefined) ctx.flag(pos, rule);
      }
      listed.sort((a, b) => b.events - a.events);
      Object.assign(ctx.rec.details, { botUsers: bots, users: listed.slice(0, MAX_LISTED_USERS) });
    },
  };
}

/** Plans a {@link CleanDwellStep}. @internal */
export function planDwell(env: PlanEnv, step: CleanDwellStep): StepPlan {
  const KIND = "dwell";
  const session = step.session === undefined ? undefined : fieldOption(env, KIND, "session", step.session);
  const userDefault =
    session === undefined || env.known === null || env.known.has("user") ? "user" : undefined;
  const user =
    step.user === undefined && userDefault === undefined
      ? undefined
      : fieldOption(env, KIND, "user", step.user, userDefault);
  const time = fieldOption(env, KIND, "time", step.time, "timestamp");
  const gapMs = numberOption(env, KIND, "gapMs", step.gapMs, 30 * 60_000, 0);
  const minDwellMs = numberOption(env, KIND, "minDwellMs", step.minDwellMs, 1000, 0);
  const minEvents = numberOption(env, KIND, "minEvents", step.minEvents, 2, 1, 2 ** 31, true);
  const action = enumOption(env, KIND, "action", step.action, ["drop", "flag"] as const, "drop");
  const flagField =
    action === "flag" ? newFieldOption(env, KIND, "flagField", step.flagField, "noDwell") : "";
  const label = step.label ?? `sessions without dwell (≥ ${minEvents} events within ${minDwellMs} ms)`;
  const reason = "session without dwell";
  return {
    kind: "batch",
    step: KIND,
    label,
    run(ctx) {
      const hit = new Uint8Array(ctx.n);
      const times = new Float64Array(ctx.n);
      for (let pos = 0; pos < ctx.n; pos++)
        times[pos] = numberAt(ctx.where, label, ctx.row(pos), time, ctx.origin(pos)) ?? Number.NaN;
      let sessions = 0;
      let without = 0;
      const judge = (positions: readonly number[]): void => {
        let first = Number.POSITIVE_INFINITY;
        let last = Number.NEGATIVE_INFINITY;
        for (const p of positions) {
          const t = times[p]!;
          if (Number.isNaN(t)) continue;
          first = Math.min(first, t);
          last = Math.max(last, t);
        }
        if (!(last >= first)) return;
        sessions++;
        if (positions.length >= minEvents && last - first < minDwellMs) {
          without++;
          for (const p of positions) hit[p] = 1;
        }
      };
      // rows with a session id form that session; the others are split per user at long gaps
      const byUser = new Map<unknown, number[]>();
      const bySession = new Map<unknown, number[]>();
      for (let pos = 0; pos < ctx.n; pos++) {
        const row = ctx.row(pos);
        const s = session === undefined ? null : row[session];
        const target = !isMissing(s)
          ? bySession
          : user !== undefined && !isMissing(row[user])
            ? byUser
            : undefined;
        if (target === undefined) continue;
        const key = target === bySession ? s : row[user!];
        const list = target.get(key);
        if (list === undefined) target.set(key, [pos]);
        else list.push(pos);
      }
      for (const positions of bySession.values()) judge(positions);
      for (const positions of byUser.values()) {
        const timed = positions.filter((p) => !Number.isNaN(times[p]!));
        timed.sort((a, b) => times[a]! - times[b]! || a - b);
        let start = 0;
        for (let k = 1; k <= timed.length; k++) {
          if (k < timed.length && times[timed[k]!]! - times[timed[k - 1]!]! <= gapMs) continue;
          judge(timed.slice(start, k));
          start = k;
        }
      }
      for (let pos = 0; pos < ctx.n; pos++) {
        if (action === "drop") {
          if (hit[pos] === 1) ctx.drop(pos, reason);
          continue;
        }
        ctx.replace(pos, { ...ctx.row(pos), [flagField]: hit[pos] === 1 });
        if (hit[pos] === 1) ctx.flag(pos, reason);
      }
      Object.assign(ctx.rec.details, { sessions, sessionsWithoutDwell: without });
    },
  };
}

/** Plans a {@link CleanKCoreStep}. @internal */
export function planKCore(env: PlanEnv, step: CleanKCoreStep): StepPlan {
  const KIND = "kcore";
  const user = fieldOption(env, KIND, "user", step.user, "user");
  const item = fieldOption(env, KIND, "item", step.item, "item");
  const minUser = numberOption(env, KIND, "minPerUser", step.minPerUser, 5, 0, 2 ** 31, true);
  const minItem = numberOption(env, KIND, "minPerItem", step.minPerItem, 5, 0, 2 ** 31, true);
  const count = enumOption(env, KIND, "count", step.count, ["rows", "distinct"] as const, "rows");
  const label =
    step.label ??
    `k-core (users ≥ ${minUser}, items ≥ ${minItem} ${count === "rows" ? "rows" : "distinct partners"})`;
  return {
    kind: "batch",
    step: KIND,
    label,
    run(ctx) {
      const users = new IdIndexBuilder();
      const items = new IdIndexBuilder();
      const positions: number[] = [];
      const u: number[] = [];
      const i: number[] = [];
      for (let pos = 0; pos < ctx.n; pos++) {
        const row = ctx.row(pos);
        const a = row[user];
        const b = row[item];
        if (isMissing(a) || isMissing(b)) {
          ctx.drop(pos, "missing user or item");
          continue;
        }
        for (const [name, v] of [
          [user, a],
          [item, b],
        ] as const) {
          if (typeof v !== "string" && typeof v !== "number") {
            throw new RecokitError(
              "INVALID_INPUT",
              ctx.where,
              `${label}: row ${ctx.origin(pos)}: ${name} ${describeValue(v)} is not a string or number id`,
            );
          }
        }
        positions.push(pos);
        u.push(users.add(a as string | number));
        i.push(items.add(b as string | number));
      }
      const nUsers = users.size;
      const nItems = items.size;
      const m = csrFromTriplets(
        { rows: Int32Array.from(u), cols: Int32Array.from(i) },
        { nRows: nUsers, nCols: nItems, duplicates: "count" },
      );
      const mt = transpose(m);
      const degU = count === "rows" ? rowSums(m) : Float64Array.from(rowCounts(m));
      const degI = count === "rows" ? colSums(m) : Float64Array.from(colCounts(m));
      const aliveU = new Uint8Array(nUsers).fill(1);
      const aliveI = new Uint8Array(nItems).fill(1);
      let rounds = 0;
      for (;;) {
        const dropU: number[] = [];
        const dropI: number[] = [];
        for (let x = 0; x < nUsers; x++) if (aliveU[x] === 1 && degU[x]! < minUser) dropU.push(x);
        for (let x = 0; x < nItems; x++) if (aliveI[x] === 1 && degI[x]! < minItem) dropI.push(x);
        if (dropU.length === 0 && dropI.length === 0) break;
        rounds++;
        for (const x of dropU) aliveU[x] = 0;
        for (const x of dropI) aliveI[x] = 0;
        for (const x of dropU) {
          for (let j = m.indptr[x]!; j < m.indptr[x + 1]!; j++) {
            const y = m.indices[j]!;
            if (aliveI[y] === 1) degI[y]! -= count === "rows" ? m.data[j]! : 1;
          }
        }
        for (const y of dropI) {
          for (let j = mt.indptr[y]!; j < mt.indptr[y + 1]!; j++) {
            const x = mt.indices[j]!;
            if (aliveU[x] === 1) degU[x]! -= count === "rows" ? mt.data[j]! : 1;
          }
        }
      }
      for (let k = 0; k < positions.length; k++) {
        if (aliveU[u[k]!] === 0 || aliveI[i[k]!] === 0) ctx.drop(positions[k]!, "outside the k-core");
      }
      const keptU = aliveU.reduce((s, a) => s + a, 0);
      const keptI = aliveI.reduce((s, a) => s + a, 0);
      Object.assign(ctx.rec.details, {
        rounds,
        usersBefore: nUsers,
        itemsBefore: nItems,
        usersKept: keptU,
        itemsKept: keptI,
      });
    },
  };
}
