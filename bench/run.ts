/**
 * Runs every benchmark (`bench/*.bench.ts`) one after another, each in its own process so that
 * peak-memory figures are per benchmark. `npm run bench` for full sizes, `npm run bench:smoke`
 * (`--smoke`) for a quick pass with tiny sizes, as CI does. `--only name` runs one.
 *
 * Each benchmark is first bundled by esbuild (`bench/<name>.bench.js`, with the similarity worker
 * beside it), the compiler the published build uses, and the bundle runs on plain `node`: the
 * figures are those of the code users install. Running a `.bench.ts` file through `tsx` directly
 * also works, but its module loader makes the hot loops measurably slower.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { argValue, hasFlag } from "./util.js";

const here = dirname(fileURLToPath(import.meta.url));
const only = argValue("--only");
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only === undefined || f.startsWith(only))
  .sort();
const extra = hasFlag("--smoke") ? ["--smoke"] : [];

const entryPoints: Record<string, string> = {
  "similarity-worker": join(here, "../src/node/similarity-worker.ts"),
  "content-worker": join(here, "../src/node/content-worker.ts"),
};
for (const file of files) entryPoints[file.replace(/\.ts$/, "")] = join(here, file);
await build({
  entryPoints,
  outdir: here,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});

let failed = 0;
for (const file of files) {
  console.log(`\n### ${file}${extra.length ? " (smoke)" : ""}`);
  const res = spawnSync(process.execPath, [join(here, file.replace(/\.ts$/, ".js")), ...extra], {
    stdio: "inherit",
  });
  if (res.status !== 0) {
    failed++;
    console.log(`!!! ${file} exited with ${res.status ?? res.signal}`);
  }
}
// a benchmark that crashes is a bug; a slow one is not, and never fails the run
if (failed > 0) process.exit(1);
