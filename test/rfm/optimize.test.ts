import { gammaln } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { minimizeNelderMead } from "../../src/rfm/index.js";
import { standardErrors } from "../../src/rfm/information.js";
import { hypergeometric2F1, hypergeometricExcessOverQ, logAddExp } from "../../src/rfm/special.js";
import { expectClose, expectRecokitError } from "../helpers.js";

describe("minimizeNelderMead", () => {
  it("finds the minimum of a shifted quadratic", () => {
    const r = minimizeNelderMead((x) => (x[0]! - 3) ** 2 + 10 * (x[1]! + 1) ** 2 + 2, [0, 0]);
    expect(r.converged).toBe(true);
    expectClose(r.x, [3, -1], 1e-6);
    expect(r.value).toBeCloseTo(2, 12);
    expect(r.evaluations).toBeGreaterThan(r.iterations);
  });

  it("solves the Rosenbrock valley from the classic start (−1.2, 1)", () => {
    const r = minimizeNelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1]);
    expect(r.converged).toBe(true);
    expectClose(r.x, [1, 1], 1e-6);
  });

  it("minimises in 4 dimensions and in 1", () => {
    const target = [0.5, -2, 4, 1e-3];
    const r4 = minimizeNelderMead(
      (x) => x.reduce((s, v, i) => s + (i + 1) * (v - target[i]!) ** 2, 0),
      [0, 0, 0, 0],
    );
    expectClose(r4.x, target, 1e-6);
    const r1 = minimizeNelderMead((x) => Math.cosh(x[0]! - 0.25), [5]);
    expectClose(r1.x, [0.25], 1e-6);
  });

  it("walks away from regions where the objective is not finite", () => {
    const f = (x: Float64Array) => (x[0]! < 1 ? Number.NaN : (x[0]! - 2) ** 2);
    const r = minimizeNelderMead(f, [1.05], { initialStep: -0.5 });
    expectClose(r.x, [2], 1e-6);
    expect(Number.isFinite(r.value)).toBe(true);
  });

  it("stops at the iteration cap without claiming convergence", () => {
    const r = minimizeNelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1], {
      maxIterations: 5,
    });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(5);
  });

  it("reports progress, aborts, and validates its input", () => {
    let calls = 0;
    minimizeNelderMead((x) => x[0]! ** 2, [1], { onProgress: () => calls++ });
    expect(calls).toBeGreaterThan(0);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(
      () => minimizeNelderMead((x) => x[0]! ** 2, [1], { signal: controller.signal }),
      "ABORTED",
    );
    expectRecokitError(() => minimizeNelderMead((x) => x[0]!, []), "INVALID_INPUT", /x0/);
    expectRecokitError(() => minimizeNelderMead((x) => x[0]!, [Number.NaN]), "INVALID_INPUT", /x0\[0\]/);
    expectRecokitError(() => minimizeNelderMead((x) => x[0]!, [1], { initialStep: [1, 2] }), "INVALID_INPUT");
    expectRecokitError(() => minimizeNelderMead((x) => x[0]!, [1], { initialStep: 0 }), "INVALID_INPUT");
    expectRecokitError(() => minimizeNelderMead("f" as unknown as () => number, [1]), "INVALID_INPUT");
  });
});

describe("special functions", () => {
  it("simple-statistics' gammaln matches known values, including small arguments", () => {
    expect(gammaln(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(gammaln(10)).toBeCloseTo(Math.log(362880), 12);
    expect(gammaln(1)).toBeCloseTo(0, 13);
    // reflection: Γ(z)Γ(1 − z) = π / sin(πz), for the small shapes BG/NBD meets (r ≈ 0.24)
    for (const z of [0.05, 0.243, 0.4]) {
      expect(gammaln(z) + gammaln(1 - z)).toBeCloseTo(Math.log(Math.PI / Math.sin(Math.PI * z)), 12);
    }
  });

  it("₂F₁ satisfies closed forms", () => {
    for (const z of [0, 0.1, 0.5, 0.9, 0.99]) {
      const w = "test";
      expect(hypergeometric2F1(w, 1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 12);
      expect(hypergeometric2F1(w, 2.5, 1.3, 1.3, z) * (1 - z) ** 2.5).toBeCloseTo(1, 12);
      const s = Math.sqrt(z);
      expect(hypergeometric2F1(w, 0.5, 1, 1.5, z)).toBeCloseTo(z === 0 ? 1 : Math.atanh(s) / s, 11);
    }
  });

  it("(₂F₁ − 1) / q agrees with the direct series and has the right limit at q = 0", () => {
    for (const [p, q, c, z] of [
      [1.7, 0.4, 3.2, 0.6],
      [-0.3, -0.2, 2.5, 0.3],
      [2.9, 1.5, 40, 0.8],
    ] as const) {
      const direct = (hypergeometric2F1("test", p, q, c, z) - 1) / q;
      expect(hypergeometricExcessOverQ("test", p, q, c, z)).toBeCloseTo(direct, 11);
    }
    // at q = 0: Σₙ≥₁ (p)ₙ (n−1)! zⁿ / ((c)ₙ n!) = Σ (p)ₙ zⁿ / ((c)ₙ n); with p = c it is −ln(1 − z)
    expect(hypergeometricExcessOverQ("test", 2, 0, 2, 0.5)).toBeCloseTo(-Math.log(0.5), 13);
    const eps = 1e-7;
    const near =
      (hypergeometricExcessOverQ("test", 1.2, eps, 3, 0.7) +
        hypergeometricExcessOverQ("test", 1.2, -eps, 3, 0.7)) /
      2;
    expect(hypergeometricExcessOverQ("test", 1.2, 0, 3, 0.7)).toBeCloseTo(near, 9);
  });

  it("refuses arguments outside the series' domain", () => {
    expectRecokitError(() => hypergeometric2F1("f", 1, 1, 2, 1), "INVALID_INPUT", /outside \[0, 1\)/);
    expectRecokitError(() => hypergeometric2F1("f", 1, 1, -2, 0.5), "INVALID_INPUT", /non-positive integer/);
    expectRecokitError(() => hypergeometricExcessOverQ("f", 1, 1, 2, -0.1), "INVALID_INPUT");
  });

  it("logAddExp is ln(eᵃ + eᵇ) without overflow", () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 2)).toBe(2);
    expect(logAddExp(-3, Number.NEGATIVE_INFINITY)).toBe(-3);
  });
});

describe("standardErrors (observed information)", () => {
  it("inverts the Hessian of a quadratic by hand", () => {
    // f = x²/2 + xy/2 + 2y²: H = [[1, ½], [½, 4]], H⁻¹ = [[4, −½], [−½, 1]] / 3.75
    const se = standardErrors((v) => v[0]! ** 2 / 2 + (v[0]! * v[1]!) / 2 + 2 * v[1]! ** 2, [0.3, -0.2]);
    expectClose(se!, [Math.sqrt(4 / 3.75), Math.sqrt(1 / 3.75)], 1e-6);
  });

  it("gives σ/√n for the mean of a normal sample", () => {
    const xs = [1.2, 0.7, 2.5, 1.9, 0.4, 1.1, 1.6, 2.2];
    const sigma = 0.8;
    const nll = (v: Float64Array) => xs.reduce((s, x) => s + (x - v[0]!) ** 2 / (2 * sigma * sigma), 0);
    expectClose(standardErrors(nll, [1.45])!, [sigma / Math.sqrt(xs.length)], 1e-7);
  });

  it("returns null, not NaN, when the information is not positive definite", () => {
    expect(standardErrors((v) => v[0]! ** 2 - v[1]! ** 2, [1, 1])).toBeNull();
    expect(standardErrors((v) => v[0]! ** 2, [1, 1])).toBeNull();
    expect(standardErrors(() => Number.NaN, [1])).toBeNull();
  });
});
