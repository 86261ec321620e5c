import { RecokitError } from "../core/errors.js";

const MAX_TERMS = 1_000_000;
const EPS = 1e-16;

/**
 * Gauss's hypergeometric function ₂F₁(a, b; c; z) by its power series Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ,
 * for 0 ≤ z < 1 (terms are summed until they fall under 1e-16 of the sum).
 * @throws RecokitError `INVALID_INPUT` outside [0, 1), for c a non-positive integer, or when the
 * series has not converged after 10⁶ terms.
 * @internal
 */
export function hypergeometric2F1(where: string, a: number, b: number, c: number, z: number): number {
  checkSeries(where, c, z);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_TERMS; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) <= EPS * Math.abs(sum)) return sum;
  }
  throw notConverged(where, z);
}

/**
 * `(₂F₁(p, q; c; z) − 1) / q`, by the series Σₙ≥₁ (p)ₙ (q+1)ₙ₋₁ / ((c)ₙ n!) zⁿ, exact also at
 * q = 0 (where the quotient has a finite limit). Used by the BG/NBD expectations after Euler's
 * transformation, which leaves only small numerator parameters, so no term overflows.
 * @internal
 */
export function hypergeometricExcessOverQ(where: string, p: number, q: number, c: number, z: number): number {
  checkSeries(where, c, z);
  if (z === 0) return 0;
  let term = (p * z) / c;
  let sum = term;
  for (let n = 1; n < MAX_TERMS; n++) {
    if (term === 0) return sum;
    term *= ((p + n) * (q + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) <= EPS * Math.abs(sum)) return sum;
  }
  throw notConverged(where, z);
}

function checkSeries(where: string, c: number, z: number): void {
  if (!(z >= 0 && z < 1))
    throw new RecokitError("INVALID_INPUT", where, `hypergeometric argument z = ${z} is outside [0, 1)`);
  if (Number.isInteger(c) && c <= 0)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `hypergeometric parameter c = ${c} is a non-positive integer`,
    );
}

function notConverged(where: string, z: number): RecokitError {
  return new RecokitError(
    "INVALID_INPUT",
    where,
    `the hypergeometric series did not converge at z = ${z}: the horizon is too long for the fitted time scale`,
  );
}

/** ln(eᵃ + eᵇ) without overflow. @internal */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}
