import { RecokitError } from "../core/errors.js";
import type { CleanDetailLevel, CleaningReport, CleaningStepReport, CleanRow } from "./types.js";

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Collects what one step does: counts by reason and, at higher detail levels, input indices and
 * dropped rows. Every drop, change and flag in the pipeline goes through a recorder. @internal
 */
export class StepRecorder {
  input = 0;
  output = 0;
  readonly dropped = new Map<string, number>();
  readonly modified = new Map<string, number>();
  readonly flagged = new Map<string, number>();
  readonly details: Record<string, unknown> = {};
  readonly #droppedIdx = new Map<string, number[]>();
  readonly #modifiedIdx = new Map<string, number[]>();
  readonly #flaggedIdx = new Map<string, number[]>();
  readonly #droppedRows = new Map<string, CleanRow[]>();
  readonly #indices: boolean;
  readonly #rows: boolean;

  constructor(
    readonly index: number,
    readonly step: string,
    readonly label: string,
    detail: CleanDetailLevel,
  ) {
    this.#indices = detail !== "counts";
    this.#rows = detail === "rows";
  }

  /** Records that the row with input index `origin` is dropped for `reason`; returns null. */
  drop(reason: string, origin: number, row: CleanRow): null {
    bump(this.dropped, reason);
    if (this.#indices) pushTo(this.#droppedIdx, reason, origin);
    if (this.#rows) pushTo(this.#droppedRows, reason, row);
    return null;
  }

  /** Records that the row with input index `origin` was changed for `reason`. */
  modify(reason: string, origin: number): void {
    const n = this.modified.get(reason);
    this.modified.set(reason, n === undefined ? 1 : n + 1);
    if (this.#indices) pushTo(this.#modifiedIdx, reason, origin);
  }

  /** Records that the row with input index `origin` was flagged for `reason`. */
  flag(reason: string, origin: number): void {
    bump(this.flagged, reason);
    if (this.#indices) pushTo(this.#flaggedIdx, reason, origin);
  }

  /** Total rows dropped so far. */
  droppedTotal(): number {
    let total = 0;
    for (const n of this.dropped.values()) total += n;
    return total;
  }

  toReport(): CleaningStepReport {
    const base = {
      index: this.index,
      step: this.step,
      label: this.label,
      input: this.input,
      output: this.output,
      dropped: Object.fromEntries(this.dropped),
      modified: Object.fromEntries(this.modified),
      flagged: Object.fromEntries(this.flagged),
      details: this.details,
    };
    if (!this.#indices) return base;
    const withIdx = {
      ...base,
      droppedIndices: sortedIndices(this.#droppedIdx),
      modifiedIndices: sortedIndices(this.#modifiedIdx),
      flaggedIndices: sortedIndices(this.#flaggedIdx),
    };
    return this.#rows ? { ...withIdx, droppedRows: Object.fromEntries(this.#droppedRows) } : withIdx;
  }
}

function sortedIndices(map: Map<string, number[]>): Record<string, Int32Array> {
  const out: Record<string, Int32Array> = {};
  for (const [reason, list] of map) out[reason] = Int32Array.from(list).sort();
  return out;
}

function addInto(total: Record<string, number>, part: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(part)) total[k] = (total[k] ?? 0) + v;
}

/**
 * Assembles the report and checks the accounting identities: for every step
 * `input = output + Σ dropped`, each step's input is the previous step's output, and overall
 * `input = output + dropped`.
 * @throws RecokitError `INTERNAL` when an identity does not hold (a bug in recokit).
 * @internal
 */
export function buildReport(
  where: string,
  input: number,
  output: number,
  recorders: readonly StepRecorder[],
  detail: CleanDetailLevel,
  ms: number,
): CleaningReport {
  const steps = recorders.map((r) => r.toReport());
  const droppedByReason: Record<string, number> = {};
  const modifiedByReason: Record<string, number> = {};
  const flaggedByReason: Record<string, number> = {};
  let dropped = 0;
  let expectedInput = input;
  for (const s of steps) {
    const stepDropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    if (s.input !== expectedInput || s.input !== s.output + stepDropped) {
      throw new RecokitError(
        "INTERNAL",
        where,
        `accounting failed at step ${s.index} (${s.label}): ${s.input} in, ${s.output} out, ${stepDropped} dropped, ${expectedInput} expected in`,
      );
    }
    expectedInput = s.output;
    dropped += stepDropped;
    addInto(droppedByReason, s.dropped);
    addInto(modifiedByReason, s.modified);
    addInto(flaggedByReason, s.flagged);
  }
  if (expectedInput !== output || input !== output + dropped) {
    throw new RecokitError(
      "INTERNAL",
      where,
      `accounting failed: ${input} in, ${output} out, ${dropped} dropped`,
    );
  }
  return {
    input,
    output,
    dropped,
    droppedByReason,
    modifiedByReason,
    flaggedByReason,
    steps,
    details: detail,
    ms,
  };
}
