import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";

/** Options of {@link minimizeNelderMead}. */
export interface NelderMeadOptions {
  /** Iteration cap over all restarts (default 2000 × dimension). */
  readonly maxIterations?: number;
  /** Stop when every vertex is within this distance (∞-norm) of the best one (default 1e-10). */
  readonly xTolerance?: number;
  /** …and every vertex's value is within `fTolerance · max(1, |best value|)` of the best value (default 1e-12). */
  readonly fTolerance?: number;
  /** Edge length of the initial simplex, one for all or one per coordinate (default 0.1). */
  readonly initialStep?: number | readonly number[];
  /**
   * After convergence, restart from the best point with a fresh simplex, up to this many times,
   * while a restart still improves the value (default 3). Guards against a collapsed simplex.
   */
  readonly restarts?: number;
  /** Called every iteration with (iteration, maxIterations). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborts the work (a `RecokitError` with code `ABORTED`) when it fires. */
  readonly signal?: AbortSignal;
}

/** The result of {@link minimizeNelderMead}. */
export interface NelderMeadResult {
  /** Best point found. */
  readonly x: Float64Array;
  /** Objective value at `x`. */
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
  /** Whether the tolerances were met (false: stopped by `maxIterations`). */
  readonly converged: boolean;
}

const WHERE = "minimizeNelderMead";

/**
 * Minimises `f` with the Nelder–Mead downhill simplex method (Nelder & Mead 1965), in the variant
 * analysed by Lagarias, Reeds, Wright & Wright (1998): reflection 1, expansion 2, contraction ½,
 * shrink ½, with outside and inside contractions. Derivative-free and robust for the few smooth
 * parameters of a likelihood. A non-finite `f(x)` (NaN, ±Infinity) counts as +Infinity, so the
 * simplex walks away from invalid regions. Stops when both the simplex's size and its spread of
 * values fall under the tolerances, then restarts from the best point (see `restarts`).
 * Cost: about 1–2 evaluations of `f` per iteration.
 *
 * @param f - objective; receives a scratch vector it must not keep
 * @param x0 - starting point (finite)
 * @param options - tolerances, iteration cap, initial step, restarts, progress, abort signal
 * @returns the best point, its value and convergence details
 * @throws RecokitError `INVALID_INPUT` for an empty or non-finite start, or bad options;
 * `ABORTED` when the signal fires.
 * @example
 * ```ts
 * import { minimizeNelderMead } from "recokit";
 * const { x, value } = minimizeNelderMead((p) => (p[0]! - 3) ** 2 + (p[1]! + 1) ** 2, [0, 0]);
 * // x ≈ [3, -1], value ≈ 0
 * ```
 */
export function minimizeNelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions = {},
): NelderMeadResult {
  if (typeof f !== "function") throw new RecokitError("INVALID_INPUT", WHERE, "f must be a function");
  const dim = x0?.length;
  if (typeof dim !== "number" || dim === 0)
    throw new RecokitError("INVALID_INPUT", WHERE, "x0 must be a non-empty array of numbers");
  for (let d = 0; d < dim; d++) assertFinite(WHERE, `x0[${d}]`, x0[d]);
  const maxIterations = options.maxIterations ?? 2000 * dim;
  assertInteger(WHERE, "maxIterations", maxIterations, 1);
  const xTol = options.xTolerance ?? 1e-10;
  const fTol = options.fTolerance ?? 1e-12;
  assertFinite(WHERE, "xTolerance", xTol, 0);
  assertFinite(WHERE, "fTolerance", fTol, 0);
  const restarts = options.restarts ?? 3;
  assertInteger(WHERE, "restarts", restarts, 0);
  const steps = stepVector(options.initialStep ?? 0.1, dim);

  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };

  let best: Float64Array = Float64Array.from(x0);
  let bestValue = evaluate(best);
  let iterations = 0;
  let converged = false;
  for (let attempt = 0; attempt <= restarts; attempt++) {
    const run = descend(evaluate, best, steps, {
      xTol,
      fTol,
      budget: maxIterations - iterations,
      onIteration: () => {
        iterations++;
        options.onProgress?.(iterations, maxIterations);
        throwIfAborted(WHERE, options.signal);
      },
    });
    const improved = bestValue - run.value > fTol * Math.max(1, Math.abs(bestValue));
    if (run.value <= bestValue) {
      best = run.x;
      bestValue = run.value;
    }
    converged = run.converged;
    if (!run.converged || !improved || iterations >= maxIterations) break;
  }
  return { x: best, value: bestValue, iterations, evaluations, converged };
}

function stepVector(step: number | readonly number[], dim: number): Float64Array {
  const steps = typeof step === "number" ? new Array<number>(dim).fill(step) : step;
  if (!Array.isArray(steps) || steps.length !== dim)
    throw new RecokitError("INVALID_INPUT", WHERE, `initialStep must be a number or ${dim} numbers`);
  steps.forEach((s, d) => {
    if (!Number.isFinite(s) || s === 0)
      throw new RecokitError("INVALID_INPUT", WHERE, `initialStep[${d}] must be a finite non-zero number`);
  });
  return Float64Array.from(steps);
}

interface DescendOptions {
  readonly xTol: number;
  readonly fTol: number;
  readonly budget: number;
  readonly onIteration: () => void;
}

/** One Nelder–Mead descent from `start` with an axis-aligned initial simplex. */
function descend(
  evaluate: (x: Float64Array) => number,
  start: Float64Array,
  steps: Float64Array,
  opts: DescendOptions,
): { x: Float64Array; value: number; converged: boolean } {
  const dim = start.length;
  const simplex: Float64Array[] = [start.slice()];
  for (let d = 0; d < dim; d++) {
    const v = start.slice();
    v[d]! += steps[d]!;
    simplex.push(v);
  }
  const values = simplex.map(evaluate);
  const centroid = new Float64Array(dim);
  const point = (from: Float64Array, toward: Float64Array, t: number): Float64Array => {
    const out = new Float64Array(dim);
    for (let d = 0; d < dim; d++) out[d] = from[d]! + t * (toward[d]! - from[d]!);
    return out;
  };

  for (let it = 0; it < opts.budget; it++) {
    sortSimplex(simplex, values);
    if (hasConverged(simplex, values, opts.xTol, opts.fTol))
      return { x: simplex[0]!, value: values[0]!, converged: true };
    opts.onIteration();
    const worst = simplex[dim]!;
    centroid.fill(0);
    for (let v = 0; v < dim; v++) for (let d = 0; d < dim; d++) centroid[d]! += simplex[v]![d]! / dim;

    const reflected = point(centroid, worst, -1);
    const fr = evaluate(reflected);
    if (fr < values[0]!) {
      const expanded = point(centroid, worst, -2);
      const fe = evaluate(expanded);
      if (fe < fr) replaceWorst(simplex, values, expanded, fe);
      else replaceWorst(simplex, values, reflected, fr);
    } else if (fr < values[dim - 1]!) {
      replaceWorst(simplex, values, reflected, fr);
    } else {
      // contraction: outside when the reflection beat the worst point, inside otherwise
      const outside = fr < values[dim]!;
      const contracted = point(centroid, worst, outside ? -0.5 : 0.5);
      const fc = evaluate(contracted);
      if (outside ? fc <= fr : fc < values[dim]!) replaceWorst(simplex, values, contracted, fc);
      else shrink(simplex, values, evaluate);
    }
  }
  sortSimplex(simplex, values);
  return { x: simplex[0]!, value: values[0]!, converged: false };
}

function replaceWorst(simplex: Float64Array[], values: number[], x: Float64Array, fx: number): void {
  simplex[simplex.length - 1] = x;
  values[values.length - 1] = fx;
}

function shrink(simplex: Float64Array[], values: number[], evaluate: (x: Float64Array) => number): void {
  const bestPoint = simplex[0]!;
  for (let v = 1; v < simplex.length; v++) {
    const x = simplex[v]!;
    for (let d = 0; d < x.length; d++) x[d] = bestPoint[d]! + 0.5 * (x[d]! - bestPoint[d]!);
    values[v] = evaluate(x);
  }
}

/** Sorts vertices by value, ascending (insertion sort: the simplex is small and nearly sorted). */
function sortSimplex(simplex: Float64Array[], values: number[]): void {
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    const x = simplex[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      simplex[j + 1] = simplex[j]!;
      j--;
    }
    values[j + 1] = v;
    simplex[j + 1] = x;
  }
}

function hasConverged(simplex: Float64Array[], values: number[], xTol: number, fTol: number): boolean {
  const best = simplex[0]!;
  for (let v = 1; v < simplex.length; v++) {
    if (!(Math.abs(values[v]! - values[0]!) <= fTol * Math.max(1, Math.abs(values[0]!)))) return false;
    const x = simplex[v]!;
    for (let d = 0; d < x.length; d++) if (Math.abs(x[d]! - best[d]!) > xTol) return false;
  }
  return true;
}
