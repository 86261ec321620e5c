import { expect } from "vitest";
import {
  type Csr,
  createRandom,
  csrFromTriplets,
  RecokitError,
  type RecokitErrorCode,
} from "../src/core/index.js";

/** Asserts that `fn` throws a RecokitError with `code` (and, optionally, a message fragment). */
export function expectRecokitError(
  fn: () => unknown,
  code: RecokitErrorCode,
  fragment?: string | RegExp,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a RecokitError to be thrown").toBeInstanceOf(RecokitError);
  expect((caught as RecokitError).code).toBe(code);
  if (fragment !== undefined) expect((caught as RecokitError).message).toMatch(fragment);
}

/** Deeply freezes an object graph (typed arrays cannot be frozen and are checked by copy instead). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A dense row-major copy of a CSR matrix as plain arrays. */
export function denseOf(m: Csr): number[][] {
  const out = Array.from({ length: m.nRows }, () => new Array<number>(m.nCols).fill(0));
  for (let r = 0; r < m.nRows; r++) {
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) out[r]![m.indices[j]!] = m.data[j]!;
  }
  return out;
}

/** Float tolerance used by tests comparing computed values with hand-computed ones. */
export const TOL = 1e-12;

/** Element-wise closeness of two number arrays. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Math.abs(a - e) > tol) expect.fail(`index ${i}: ${a} differs from ${e} by more than ${tol}`);
  }
}

/**
 * A random items × features matrix with skewed feature frequencies: feature f is present in an
 * item with probability ≈ 0.9 / (f + 1)^skew, so a few features are shared by most items and most
 * by a handful. Weights are small integers (many exact ties) or doubles.
 */
export function skewedMatrix(
  seed: number,
  nItems: number,
  nFeatures: number,
  skew: number,
  integer: boolean,
): Csr {
  const random = createRandom(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < nItems; i++) {
    for (let f = 0; f < nFeatures; f++) {
      if (random() < 0.9 / (f + 1) ** skew) {
        rows.push(i);
        cols.push(f);
        values.push(integer ? 1 + Math.floor(random() * 3) : 0.05 + random());
      }
    }
  }
  return csrFromTriplets({ rows, cols, values }, { nRows: nItems, nCols: nFeatures });
}
