import { assertInteger, RecokitError } from "./errors.js";

/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/**
 * A seeded pseudo-random generator: SplitMix32 seeding into sfc32 (Chris Doty-Humphrey's Small
 * Fast Counter, as in PractRand). Same seed, same sequence, in every JavaScript runtime.
 *
 * @param seed - any integer (taken modulo 2³²)
 * @returns a function returning uniform numbers in [0, 1)
 * @example
 * ```ts
 * import { createRandom } from "recokit";
 * const rand = createRandom(42);
 * const a = rand(); // same value on every run
 * ```
 */
export function createRandom(seed: number): Random {
  assertInteger("createRandom", "seed", seed);
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Resolves the `seed` / `random` options shared by every randomised function. @internal */
export function resolveRandom(
  where: string,
  options: { seed?: number; random?: Random },
  defaultSeed = 42,
): Random {
  if (options.random !== undefined) {
    if (typeof options.random !== "function")
      throw new RecokitError("INVALID_INPUT", where, "random must be a function");
    return options.random;
  }
  return createRandom(options.seed ?? defaultSeed);
}

/**
 * A uniform integer in `[0, n)`.
 * @example
 * ```ts
 * import { createRandom, randomInt } from "recokit";
 * randomInt(createRandom(1), 6); // 0 … 5
 * ```
 */
export function randomInt(random: Random, n: number): number {
  assertInteger("randomInt", "n", n, 1);
  return Math.floor(random() * n);
}

/**
 * A standard normal draw (Box–Muller).
 * @example
 * ```ts
 * import { createRandom, randomNormal } from "recokit";
 * randomNormal(createRandom(1)); // e.g. -0.43
 * ```
 */
export function randomNormal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A shuffled copy of `items` (Fisher–Yates); the input is not modified.
 * @example
 * ```ts
 * import { createRandom, shuffled } from "recokit";
 * shuffled(createRandom(7), [1, 2, 3, 4]); // a permutation, the same for seed 7 every time
 * ```
 */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}

/**
 * A random permutation of `0 … n-1` as an Int32Array.
 * @example
 * ```ts
 * import { createRandom, permutation } from "recokit";
 * permutation(createRandom(3), 5); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function permutation(random: Random, n: number): Int32Array {
  assertInteger("permutation", "n", n, 0);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
