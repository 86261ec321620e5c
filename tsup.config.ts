import { existsSync, readdirSync } from "node:fs";
import { defineConfig } from "tsup";

/** One entry for the root barrel and one per domain folder that has an index.ts. */
const domains = readdirSync("src", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/${d.name}/index.ts`))
  .map((d) => d.name);

const entry: Record<string, string> = { index: "src/index.ts" };
for (const name of domains) entry[`${name}/index`] = `src/${name}/index.ts`;
// loaded by path from recokit/node's parallel functions, not imported
entry["node/similarity-worker"] = "src/node/similarity-worker.ts";
entry["node/content-worker"] = "src/node/content-worker.ts";

export default defineConfig({
  entry,
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  splitting: true,
  treeshake: true,
  target: "es2022",
  platform: "neutral",
  external: [
    "node:worker_threads",
    "node:os",
    "node:fs",
    "node:zlib",
    "node:readline",
    "node:url",
    "node:path",
  ],
});
