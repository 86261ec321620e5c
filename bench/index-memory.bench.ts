/**
 * Memory of `indexInteractions` on millions of synthetic interaction rows: bytes per stored non-zero
 * of the resulting matrix, and the process's peak RSS. `npm run bench:index [-- --n 5000000]`.
 */
import { csrBytes, indexInteractions, nnz } from "../src/core/index.js";
import { syntheticInteractions } from "../src/datasets/index.js";
import { argValue, hasFlag, peakRssMb, writeResult } from "./util.js";

const n = Number(argValue("--n") ?? (hasFlag("--smoke") ? 50_000 : 5_000_000));
const data = syntheticInteractions({ seed: 7, users: 200_000, items: 30_000, interactions: n });
const rows = new Array<{ user: string; item: number; value: number; timestamp: number }>(n);
for (let i = 0; i < n; i++) {
  rows[i] = {
    user: `u${data.users[i]}`,
    item: data.items[i]!,
    value: data.values[i]!,
    timestamp: data.timestamps[i]!,
  };
}
const t0 = performance.now();
const out = indexInteractions(rows);
const ms = performance.now() - t0;
const stored = nnz(out.matrix);
const matrixBytes = csrBytes(out.matrix);
const result = {
  rows: n,
  users: out.users.size,
  items: out.items.size,
  nnz: stored,
  matrixBytes,
  bytesPerNnz: matrixBytes / stored,
  timestampBytesPerNnz: (out.timestamps?.byteLength ?? 0) / stored,
  indexMs: Math.round(ms),
  peakRssMb: peakRssMb(),
};
console.log(
  `indexInteractions on ${n.toLocaleString("en")} rows → ${out.users.size} users × ${out.items.size} items`,
);
console.log(`  stored non-zeros        ${stored.toLocaleString("en")}`);
console.log(
  `  matrix bytes / non-zero ${result.bytesPerNnz.toFixed(2)}  (indptr + Int32 indices + Float64 data)`,
);
console.log(
  `  timestamps / non-zero   ${result.timestampBytesPerNnz.toFixed(2)}  (optional aligned Float64)`,
);
console.log(`  time                    ${result.indexMs} ms`);
console.log(
  `  peak RSS (process)      ${result.peakRssMb} MB (includes the ${n.toLocaleString("en")} input row objects)`,
);
writeResult("index-memory", result);
