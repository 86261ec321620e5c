// Packs the package, installs the tarball into a fresh folder, and imports it with ESM and CJS.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "recokit-smoke-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], root));
const tarball = join(dir, packed[0].filename);
console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files, ${packed[0].size} bytes`);
writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "smoke", private: true, type: "module" }));
run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], dir);

const esm = `
import { indexInteractions, IdIndex } from "recokit";
import { topK } from "recokit/core";
import { syntheticShop } from "recokit/datasets";
const { matrix, users } = indexInteractions([{ user: "a", item: "x" }, { user: "b", item: "x" }]);
if (matrix.nRows !== 2 || !(users instanceof IdIndex)) throw new Error("esm import failed");
if (topK([1, 3, 2], 1).ids[0] !== 1) throw new Error("esm subpath failed");
if (syntheticShop({ users: 3, items: 12, events: 10 }).events.length !== 10) throw new Error("esm datasets failed");
const { topKSimilarityParallel } = await import("recokit/node");
const { csrFromDense, topKSimilarity } = await import("recokit");
const m = csrFromDense([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]]);
const par = await topKSimilarityParallel(m, { k: 2, workers: 2 });
if (JSON.stringify(Array.from(par.indices)) !== JSON.stringify(Array.from(topKSimilarity(m, { k: 2 }).indices))) throw new Error("esm workers failed");
const { contentNeighborListsParallel } = await import("recokit/node");
const { contentNeighborLists, csrFromTriplets } = await import("recokit");
// 60 items: feature 0 in all (common at maxDf 0.1), two selective features each: the bounded search runs
const rows = [], cols = [];
for (let i = 0; i < 60; i++) for (const f of [0, 1 + (i % 7), 8 + (i % 5)]) { rows.push(i); cols.push(f); }
const items = csrFromTriplets({ rows, cols });
let method;
const lists = await contentNeighborListsParallel(items, { k: 3, maxDf: 0.1, workers: 2, onStats: (s) => (method = s.method) });
const one = contentNeighborLists(items, { k: 3, maxDf: 0.1 });
if (method !== "bounded" || JSON.stringify(Array.from(lists.indices)) !== JSON.stringify(Array.from(one.indices))) throw new Error("esm content workers failed");
console.log("ESM import ok (worker threads too)");
`;
const cjs = `
const { indexInteractions } = require("recokit");
const core = require("recokit/core");
const { matrix } = indexInteractions([{ user: "a", item: "x" }]);
if (matrix.nCols !== 1 || typeof core.csrFromTriplets !== "function") throw new Error("cjs require failed");
const { topKSimilarityParallel, contentNeighborListsParallel } = require("recokit/node");
const { contentNeighborLists } = require("recokit");
const rows = [], cols = [];
for (let i = 0; i < 60; i++) for (const f of [0, 1 + (i % 7), 8 + (i % 5)]) { rows.push(i); cols.push(f); }
const items = core.csrFromTriplets({ rows, cols });
topKSimilarityParallel(core.csrFromDense([[1, 1], [1, 0]]), { k: 1, workers: 2 })
  .then((r) => {
    if (r.indices[0] !== 1) throw new Error("cjs workers failed");
    return contentNeighborListsParallel(items, { k: 3, maxDf: 0.1, workers: 2 });
  })
  .then((lists) => {
    const one = contentNeighborLists(items, { k: 3, maxDf: 0.1 });
    if (JSON.stringify(Array.from(lists.indices)) !== JSON.stringify(Array.from(one.indices))) throw new Error("cjs content workers failed");
    console.log("CJS require ok (worker threads too)");
  });
`;
writeFileSync(join(dir, "esm.mjs"), esm);
writeFileSync(join(dir, "cjs.cjs"), cjs);
process.stdout.write(run("node", ["esm.mjs"], dir));
process.stdout.write(run("node", ["cjs.cjs"], dir));
