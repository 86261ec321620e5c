import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Folder of the real public data sets, beside the project's root (never inside it). */
export const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/data");

/** Absolute path of a file under the shared data folder. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/**
 * Whether a shared data file is present; when it is not, prints why the suite skips.
 * Use as `describe.skipIf(!hasSharedData("ml-100k/u.data", "MovieLens suite"))(…)`.
 */
export function hasSharedData(relative: string, suite: string): boolean {
  const ok = existsSync(sharedPath(relative));
  if (!ok)
    console.warn(
      `[skip] ${suite}: ${sharedPath(relative)} is absent (the real data sets live in ../shared/data)`,
    );
  return ok;
}

/**
 * The text of a shared data file, or "" when it is absent. Vitest runs the body of a skipped
 * `describe` while collecting tests, so suites read their data through this instead of failing
 * there when the folder is missing.
 */
export function readSharedText(relative: string, encoding: BufferEncoding = "utf8"): string {
  const file = sharedPath(relative);
  return existsSync(file) ? readFileSync(file, encoding) : "";
}
