import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The value after a command-line flag, e.g. `--n 100`. */
export function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Whether a flag is present on the command line. */
export function hasFlag(flag: string): boolean {
  return process.argv.includes(flag);
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `fn` `runs` times and returns the median wall time in ms and the last result. */
export function timeMedian<T>(runs: number, fn: () => T): { ms: number; result: T; all: number[] } {
  const all: number[] = [];
  let result!: T;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = fn();
    all.push(performance.now() - t0);
  }
  return { ms: median(all), result, all };
}

/** Writes a JSON result under bench/results/ (`NAME.smoke.json` for smoke runs, not committed). */
export function writeResult(name: string, value: unknown): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, hasFlag("--smoke") ? `${name}.smoke.json` : `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...(value as object) }, null, 2)}\n`,
  );
  return file;
}
