import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/core/index.js";
import {
  bgNbdExpectedPurchases,
  customerLifetimeValue,
  fitGammaGamma,
  type GammaGammaParameters,
  gammaGammaExpectedValue,
  gammaGammaLogLikelihood,
} from "../../src/rfm/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";
import { randomGamma } from "./simulate.js";

describe("gammaGammaLogLikelihood", () => {
  it("matches hand computations", () => {
    // p = q = γ = 1, x = 1, m̄ = 1: lnΓ(2) − 2 lnΓ(1) + 0 + 0 + 0 − 2 ln 2 = ln(1/4)
    expect(gammaGammaLogLikelihood({ p: 1, q: 1, gamma: 1 }, { frequency: 1, monetary: 1 })).toBeCloseTo(
      Math.log(0.25),
      13,
    );
    // p = 2, q = 3, γ = 4, x = 2, m̄ = 3: px = 4;
    // Γ(7)/(Γ(4)Γ(3)) · 4³ · 3³ · 2⁴ / 10⁷ = 720/12 · 64 · 27 · 16 / 10⁷ = 0.165888
    expect(gammaGammaLogLikelihood({ p: 2, q: 3, gamma: 4 }, { frequency: 2, monetary: 3 })).toBeCloseTo(
      Math.log(0.165888),
      12,
    );
  });

  it("refuses customers outside the model", () => {
    const p = { p: 1, q: 1, gamma: 1 };
    expectRecokitError(
      () => gammaGammaLogLikelihood(p, { frequency: 0, monetary: 3 }),
      "INVALID_INPUT",
      /frequency ≥ 1/,
    );
    expectRecokitError(
      () => gammaGammaLogLikelihood(p, { frequency: 2, monetary: 0 }),
      "INVALID_INPUT",
      /must be positive/,
    );
    expectRecokitError(
      () => gammaGammaLogLikelihood({ ...p, q: -1 }, { frequency: 2, monetary: 1 }),
      "INVALID_INPUT",
    );
  });
});

describe("gammaGammaExpectedValue", () => {
  it("is the credibility-weighted mean p(γ + m̄x)/(px + q − 1)", () => {
    const m: GammaGammaParameters = { p: 6.25, q: 3.74, gamma: 15.44 };
    const population = (6.25 * 15.44) / 2.74;
    expect(gammaGammaExpectedValue(m, { frequency: 0, monetary: 0 })).toBeCloseTo(population, 12);
    expect(gammaGammaExpectedValue(m, { frequency: 10, monetary: 50 })).toBeCloseTo(
      (6.25 * (15.44 + 500)) / (62.5 + 2.74),
      12,
    );
    // between the customer's own mean and the population mean, leaning on the customer as x grows
    const few = gammaGammaExpectedValue(m, { frequency: 1, monetary: 100 });
    const many = gammaGammaExpectedValue(m, { frequency: 50, monetary: 100 });
    expect(few).toBeGreaterThan(population);
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThan(100);
  });

  it("refuses parameters with an infinite population mean for a customer without repeats", () => {
    expectRecokitError(
      () => gammaGammaExpectedValue({ p: 2, q: 0.8, gamma: 3 }, { frequency: 0, monetary: 0 }),
      "INVALID_INPUT",
      /population mean spend is infinite/,
    );
    expect(gammaGammaExpectedValue({ p: 2, q: 0.8, gamma: 3 }, { frequency: 1, monetary: 5 })).toBeCloseTo(
      (2 * 8) / 1.8,
      12,
    );
  });
});

describe("fitGammaGamma", () => {
  const truth: GammaGammaParameters = { p: 6, q: 4, gamma: 15 };
  const random = createRandom(5);
  const data = Array.from({ length: 3000 }, (_, i) => {
    const x = 1 + (i % 8);
    const nu = randomGamma(random, truth.q) / truth.gamma;
    let total = 0;
    for (let k = 0; k < x; k++) total += randomGamma(random, truth.p) / nu;
    return { frequency: x, monetary: total / x };
  });
  const withZeros = deepFreeze([...data, { frequency: 0, monetary: 0 }, { frequency: 0, monetary: 0 }]);
  const sumLL = (p: GammaGammaParameters) => data.reduce((s, c) => s + gammaGammaLogLikelihood(p, c), 0);

  it("maximises the likelihood on repeat buyers and counts the others", () => {
    const model = fitGammaGamma(withZeros);
    expect(model.kind).toBe("gamma-gamma");
    expect(model.converged).toBe(true);
    expect(model.customers).toBe(3000);
    expect(model.excluded).toBe(2);
    expect(model.logLikelihood).toBeCloseTo(sumLL(model), 6);
    expect(model.logLikelihood).toBeGreaterThanOrEqual(sumLL(truth));
    for (const k of ["p", "q", "gamma"] as const)
      for (const f of [0.99, 1.01])
        expect(sumLL({ ...model, [k]: model[k] * f })).toBeLessThan(model.logLikelihood);
    const se = model.standardErrors!;
    for (const k of ["p", "q", "gamma"] as const)
      expect(Math.abs(model[k] - truth[k]), k).toBeLessThan(4 * se[k]);
    // spend was simulated independently of frequency
    expect(Math.abs(model.frequencyMonetaryCorrelation)).toBeLessThan(0.1);
    // the population mean spend pγ/(q−1) is well identified: truth 30
    expect((model.p * model.gamma) / (model.q - 1)).toBeGreaterThan(27);
    expect((model.p * model.gamma) / (model.q - 1)).toBeLessThan(33);
  });

  it("reads columns as records, and refuses what it cannot fit", () => {
    const cols = { frequency: withZeros.map((c) => c.frequency), monetary: withZeros.map((c) => c.monetary) };
    expect(fitGammaGamma(cols)).toEqual(fitGammaGamma(withZeros));
    expectRecokitError(() => fitGammaGamma([]), "EMPTY_DATA");
    expectRecokitError(
      () => fitGammaGamma([{ frequency: 0, monetary: 0 }]),
      "EMPTY_DATA",
      /no customer has a repeat purchase/,
    );
    expectRecokitError(
      () =>
        fitGammaGamma([
          { frequency: 2, monetary: 10 },
          { frequency: 1, monetary: -4 },
        ]),
      "INVALID_INPUT",
      /row 1: monetary -4 must be positive/,
    );
    expectRecokitError(() => fitGammaGamma({ frequency: [1], monetary: [] }), "INVALID_INPUT");
  });
});

describe("customerLifetimeValue", () => {
  const purchases = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const spend = { p: 6.25, q: 3.74, gamma: 15.44 };
  const customers = deepFreeze([
    { frequency: 2, recency: 30.43, T: 38.86, monetary: 22.35 },
    { frequency: 0, recency: 0, T: 38.86, monetary: 0 },
    { frequency: 10, recency: 38, T: 39, monetary: 60 },
  ]);

  it("without discounting, is margin × expected value × expected purchases over the horizon", () => {
    const v = customerLifetimeValue(purchases, spend, customers, {
      periods: 4,
      periodLength: 13,
      margin: 0.3,
    });
    customers.forEach((c, i) => {
      const value = gammaGammaExpectedValue(spend, c);
      const count = bgNbdExpectedPurchases(purchases, 52, c);
      expect(v.expectedOrderValue[i]).toBeCloseTo(value, 12);
      expect(v.expectedPurchases[i]).toBeCloseTo(count, 12);
      expect(v.clv[i]).toBeCloseTo(0.3 * value * count, 10);
    });
    expect(v.probabilityAlive[1]).toBe(1);
  });

  it("discounts each period's increment by (1 + d)^j", () => {
    const d = 0.02;
    const v = customerLifetimeValue(purchases, spend, customers, {
      periods: 3,
      periodLength: 4,
      discountRate: d,
    });
    const c = customers[0]!;
    const value = gammaGammaExpectedValue(spend, c);
    const y = [0, 4, 8, 12].map((t) => bgNbdExpectedPurchases(purchases, t, c));
    const expected =
      value * ((y[1]! - y[0]!) / 1.02 + (y[2]! - y[1]!) / 1.02 ** 2 + (y[3]! - y[2]!) / 1.02 ** 3);
    expect(v.clv[0]).toBeCloseTo(expected, 10);
    const undiscounted = customerLifetimeValue(purchases, spend, customers, { periods: 3, periodLength: 4 });
    for (let i = 0; i < 3; i++) expect(v.clv[i]!).toBeLessThan(undiscounted.clv[i]!);
  });

  it("refuses bad options and data", () => {
    expectRecokitError(
      () => customerLifetimeValue(purchases, spend, customers, { periods: 0 }),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => customerLifetimeValue(purchases, spend, customers, { discountRate: -0.1 }),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => customerLifetimeValue(purchases, spend, customers, { periodLength: 0 }),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => customerLifetimeValue({ ...purchases, r: 0 }, spend, customers),
      "INVALID_INPUT",
      /parameter r/,
    );
    expectRecokitError(
      () => customerLifetimeValue(purchases, spend, [{ frequency: 1, recency: 1, T: 2 }]),
      "INVALID_INPUT",
      /monetary/,
    );
    expectRecokitError(
      () => customerLifetimeValue(purchases, spend, [{ frequency: 1, recency: 1, T: 2, monetary: 0 }]),
      "INVALID_INPUT",
      /row 0: monetary 0 must be positive/,
    );
    expectRecokitError(() => customerLifetimeValue(purchases, spend, []), "EMPTY_DATA");
  });
});
