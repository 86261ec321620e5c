// Adds lock entries for platform-specific optional dependencies (other OS/CPU builds of biome,
// rollup, esbuild …) that `npm install` leaves out when the registry it talks to serves only this
// platform's builds; without them `npm ci` refuses the lockfile. Run after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const pk = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pk)) {
  if (!meta.optionalDependencies) continue;
  const base = path === "" ? "" : `${path}/`;
  for (const [name, spec] of Object.entries(meta.optionalDependencies)) {
    // resolution: nested first, then hoisted
    const nested = `${base}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (pk[nested] || pk[top]) continue;
    if (!/^\d+\.\d+\.\d+/.test(spec)) {
      console.log("non-exact", name, spec);
      continue;
    }
    pk[top] = { version: spec, dev: meta.dev, optional: true };
    if (!meta.dev) delete pk[top].dev;
    added++;
  }
}
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log("added", added);
