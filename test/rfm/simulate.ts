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
 * Purchase times of one BG/NBD customer after a first purchase at time 0, up to `horizon`:
 * purchases arrive as a Poisson process of rate λ ~ Gamma(r, α), and after each repeat purchase
 * the customer drops out with probability p ~ Beta(a, b).
 */
export function simulateBgNbdTimes(
  random: Random,
  params: { r: number; alpha: number; a: number; b: number },
  horizon: number,
): number[] {
  const lambda = randomGamma(random, params.r) / params.alpha;
  const p = randomBeta(random, params.a, params.b);
  const times: number[] = [];
  let t = 0;
  for (;;) {
    t += randomExponential(random, lambda);
    if (t > horizon) break;
    times.push(t);
    if (random() < p) break;
  }
  return times;
}

/** One simulated customer summarised over (0, T]: (x, tₓ, T). */
export function simulateBgNbdCustomer(
  random: Random,
  params: { r: number; alpha: number; a: number; b: number },
  T: number,
): { frequency: number; recency: number; T: number } {
  const times = simulateBgNbdTimes(random, params, T);
  return { frequency: times.length, recency: times.length === 0 ? 0 : times[times.length - 1]!, T };
}

/** Purchases of a new BG/NBD customer (alive at 0, no purchase at 0) in (0, t]. */
export function simulateNewCustomerPurchases(
  random: Random,
  params: { r: number; alpha: number; a: number; b: number },
  horizon: number,
): number {
  return simulateBgNbdTimes(random, params, horizon).length;
}
