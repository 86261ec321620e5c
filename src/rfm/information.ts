import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { RecokitError } from "../core/errors.js";

/**
 * Asymptotic standard errors of a maximum-likelihood estimate from the observed information:
 * √diag(H⁻¹), with H the Hessian of the negative log-likelihood at `at`, by central differences
 * with steps of 10⁻³ of each coordinate (Cholesky solve, ml-matrix). Returns null when H is not
 * positive definite (an estimate on a boundary, or a flat direction): no standard error, never NaN.
 * O(d²) evaluations.
 * @internal
 */
export function standardErrors(
  negativeLogLikelihood: (x: Float64Array) => number,
  at: ArrayLike<number>,
): Float64Array | null {
  const d = at.length;
  const x = Float64Array.from(at);
  const h = Float64Array.from(x, (v) => 1e-3 * Math.max(Math.abs(v), 1e-8));
  const f = (di: number, si: number, dj: number, sj: number): number => {
    const y = x.slice();
    if (si !== 0) y[di]! += si * h[di]!;
    if (sj !== 0) y[dj]! += sj * h[dj]!;
    return negativeLogLikelihood(y);
  };
  const f0 = negativeLogLikelihood(x);
  const hessian = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) {
    hessian.set(i, i, (f(i, 1, i, 0) - 2 * f0 + f(i, -1, i, 0)) / (h[i]! * h[i]!));
    for (let j = 0; j < i; j++) {
      const v = (f(i, 1, j, 1) - f(i, 1, j, -1) - f(i, -1, j, 1) + f(i, -1, j, -1)) / (4 * h[i]! * h[j]!);
      hessian.set(i, j, v);
      hessian.set(j, i, v);
    }
  }
  for (const v of hessian.to1DArray()) if (!Number.isFinite(v)) return null;
  const cholesky = new CholeskyDecomposition(hessian);
  if (!cholesky.isPositiveDefinite()) return null;
  const covariance = cholesky.solve(Matrix.eye(d, d));
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const variance = covariance.get(i, i);
    if (!(variance > 0) || !Number.isFinite(variance)) return null;
    out[i] = Math.sqrt(variance);
  }
  return out;
}

/**
 * Checks that `params` holds every name in `names` as a positive finite number (the parameters of
 * BG/NBD and Gamma-Gamma are all positive). @internal
 */
export function assertPositiveParameters(where: string, params: unknown, names: readonly string[]): void {
  if (params === null || typeof params !== "object")
    throw new RecokitError("INVALID_INPUT", where, `parameters must be an object { ${names.join(", ")} }`);
  for (const k of names) {
    const v = (params as Record<string, unknown>)[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `parameter ${k} must be a positive finite number, got ${String(v)}`,
      );
  }
}
