import { type Random, randomNormal } from "../../src/core/index.js";

/** A Gamma(shape, 1) draw: Marsaglia & Tsang (2000), with the U^(1/k) boost for shape < 1. */
export function randomGamma(random: Random, shape: number): number {
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = random();
    return randomGamma(random, shape + 1) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = randomNormal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) draw. */
export function randomBeta(random: Random, a: number, b: number): number {
  const x = randomGamma(random, a);
  return x / (x + randomGamma(random, b));
}

/** An exponential waiting time with the given rate. */
function randomExponential(random: Random, rate: number): number {
  let u = 0;
  while (u === 0) u = random();
  return -Math.log(u) / rate;
}

/**
 * One BG/NBD customer observed for `T` after a first purchase at time 0: purchases arrive as a
 * Poisson process of rate λ ~ Gamma(r, α), and after each repeat purchase the customer drops out
 * with probability p ~ Beta(a, b). Returns (x, tₓ) in the summary's sense.
 */
export function simulateBgNbdCustomer(
  random: Random,
  params: { r: number; alpha: number; a: number; b: number },
  T: number,
): { frequency: number; recency: number; T: number } {
  const lambda = randomGamma(random, params.r) / params.alpha;
  const p = randomBeta(random, params.a, params.b);
  let t = 0;
  let x = 0;
  let last = 0;
  for (;;) {
    t += randomExponential(random, lambda);
    if (t > T) break;
    x++;
    last = t;
    if (random() < p) break;
  }
  return { frequency: x, recency: last, T };
}

/** Purchases of a new BG/NBD customer (alive at 0, no purchase at 0) in (0, t]. */
export function simulateNewCustomerPurchases(
  random: Random,
  params: { r: number; alpha: number; a: number; b: number },
  horizon: number,
): number {
  return simulateBgNbdCustomer(random, params, horizon).frequency;
}
