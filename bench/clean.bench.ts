/**
 * Cleaning speed and memory on the UCI Online Retail file (541,909 lines), from the gzip to the
 * cleaned rows: in memory (`readTextFile` → `parseCsv` → `clean`) against streaming
 * (`streamTextFile` → `csvRecords` → `cleanStream`), each in its own process so that peak memory is
 * per form; plus the cost of the cleaning step against a hand-written filter doing the same drops
 * without any accounting, and the cost of netting returns and of the audit.
 *
 * `npx tsx bench/clean.bench.ts` (full file from ../shared/data; skipped, saying so, when absent)
 * `npx tsx bench/clean.bench.ts --smoke` (the committed 3,076-line sample, two runs).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { audit, clean, cleanStream, transactionsPreset } from "../src/clean/index.js";
import { csvRecords, parseCsv } from "../src/datasets/index.js";
import { readTextFile, streamTextFile } from "../src/node/index.js";
import { argValue, hasFlag, median, peakRssMb, writeResult } from "./util.js";

const here = dirname(fileURLToPath(import.meta.url));
const smoke = hasFlag("--smoke");
const FULL = join(here, "../../shared/data/online-retail/online-retail.csv.gz");
const SAMPLE = join(here, "../examples/data/online-retail-sample.csv");
/** The drop-everything configuration of the 392,692-row figure. */
const PRESET = transactionsPreset({ nonProduct: "keep" });
const TARGET_MS = 3000;

interface MemoryResult {
  mode: "memory";
  rows: number;
  kept: number;
  readMs: number[];
  parseMs: number[];
  cleanMs: number[];
  totalMs: number[];
  /** CPU time (user + system) of the whole gzip → rows run: what the machine's load does not inflate as much. */
  cpuMs: number[];
  naiveMs: number[];
  naiveKept: number;
  netMs: number[];
  auditMs: number[];
  peakRssMb: number;
}

interface StreamResult {
  mode: "stream";
  kept: number;
  totalMs: number[];
  cpuMs: number[];
  peakRssMb: number;
}

/** The same drops written by hand: no schema, no report, no accounting. */
function naiveClean(records: readonly Record<string, string>[]): number {
  const seen = new Set<string>();
  let kept = 0;
  for (const r of records) {
    if (r.CustomerID === "") continue;
    const key = JSON.stringify([
      r.InvoiceNo,
      r.StockCode,
      r.Description,
      r.Quantity,
      r.InvoiceDate,
      r.UnitPrice,
      r.CustomerID,
      r.Country,
    ]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!(Number(r.UnitPrice) > 0) || !(Number(r.Quantity) > 0) || r.InvoiceNo!.startsWith("C")) continue;
    kept++;
  }
  return kept;
}

async function childMemory(file: string, runs: number): Promise<MemoryResult> {
  const out: MemoryResult = {
    mode: "memory",
    rows: 0,
    kept: 0,
    readMs: [],
    parseMs: [],
    cleanMs: [],
    totalMs: [],
    cpuMs: [],
    naiveMs: [],
    naiveKept: 0,
    netMs: [],
    auditMs: [],
    peakRssMb: 0,
  };
  let records: Record<string, string>[] = [];
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const text = await readTextFile(file);
    const t1 = performance.now();
    records = parseCsv(text).records;
    const t2 = performance.now();
    const result = clean(records, PRESET);
    const t3 = performance.now();
    out.readMs.push(t1 - t0);
    out.parseMs.push(t2 - t1);
    out.cleanMs.push(t3 - t2);
    out.totalMs.push(t3 - t0);
    const cpu = process.cpuUsage(cpu0);
    out.cpuMs.push((cpu.user + cpu.system) / 1000);
    out.rows = records.length;
    out.kept = result.rows.length;
  }
  out.peakRssMb = peakRssMb(); // before the extra measurements below allocate more
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    out.naiveKept = naiveClean(records);
    out.naiveMs.push(performance.now() - t);
    t = performance.now();
    clean(records, transactionsPreset({ nonProduct: "keep", cancellations: "net" }));
    out.netMs.push(performance.now() - t);
    t = performance.now();
    audit(records, PRESET);
    out.auditMs.push(performance.now() - t);
  }
  return out;
}

async function childStream(file: string, runs: number): Promise<StreamResult> {
  const out: StreamResult = { mode: "stream", kept: 0, totalMs: [], cpuMs: [], peakRssMb: 0 };
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let kept = 0;
    for await (const _row of cleanStream(csvRecords(streamTextFile(file)), PRESET)) kept++;
    out.totalMs.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    out.cpuMs.push((cpu.user + cpu.system) / 1000);
    out.kept = kept;
  }
  out.peakRssMb = peakRssMb();
  return out;
}

function runChild(mode: string, file: string, runs: number): MemoryResult | StreamResult {
  const res = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--child",
      mode,
      "--file",
      file,
      "--runs",
      String(runs),
    ],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (res.status !== 0) throw new Error(`child ${mode} failed: ${res.stderr}`);
  const last = res.stdout.trim().split("\n").at(-1)!;
  return JSON.parse(last) as MemoryResult | StreamResult;
}

const fmt = (ms: number) => `${Math.round(ms).toLocaleString("en")}`;

async function main(): Promise<void> {
  const child = argValue("--child");
  if (child !== undefined) {
    const file = argValue("--file")!;
    const runs = Number(argValue("--runs"));
    const result = child === "memory" ? await childMemory(file, runs) : await childStream(file, runs);
    console.log(JSON.stringify(result));
    return;
  }
  let file = FULL;
  if (smoke) file = SAMPLE;
  else if (!existsSync(FULL)) {
    console.log(`[skip] full Online Retail file absent (${FULL}); measuring the committed sample instead`);
    file = SAMPLE;
  }
  const runs = smoke ? 2 : 5;
  const memory = runChild("memory", file, runs) as MemoryResult;
  const stream = runChild("stream", file, runs) as StreamResult;
  const full = file === FULL;
  console.log(
    `Cleaning ${full ? "the UCI Online Retail file" : "the Online Retail sample"}: ${memory.rows.toLocaleString("en")} lines → ${memory.kept.toLocaleString("en")} kept (transactions preset, drop-everything); median of ${runs} runs, first run in brackets`,
  );
  const row = (label: string, xs: number[], note = "") =>
    console.log(`  ${label.padEnd(44)} ${fmt(median(xs)).padStart(7)} ms  (${fmt(xs[0]!)})${note}`);
  row("gunzip + decode (readTextFile)", memory.readMs);
  row("parse CSV (parseCsv)", memory.parseMs);
  row("clean (schema + 5 steps, full report)", memory.cleanMs);
  const total = median(memory.totalMs);
  row(
    "in memory, gzip → cleaned rows",
    memory.totalMs,
    full ? `   target ≤ ${TARGET_MS} ms: ${total <= TARGET_MS ? "met" : "not met"}` : "",
  );
  row("  CPU time of that run (user + system)", memory.cpuMs);
  row("streaming, gzip → cleaned rows (cleanStream)", stream.totalMs);
  row("  CPU time of that run (user + system)", stream.cpuMs);
  console.log(`  ${"peak RSS, in memory".padEnd(44)} ${String(memory.peakRssMb).padStart(7)} MB`);
  console.log(
    `  ${"peak RSS, streaming".padEnd(44)} ${String(stream.peakRssMb).padStart(7)} MB  (${(stream.peakRssMb / memory.peakRssMb).toFixed(2)} × in memory)`,
  );
  const naive = median(memory.naiveMs);
  const cleanMs = median(memory.cleanMs);
  row(
    "hand-written filter, same drops, no report",
    memory.naiveMs,
    `   clean / hand-written = ${(cleanMs / naive).toFixed(2)}`,
  );
  row("clean with returns netted", memory.netMs);
  row("audit (fields + every step alone)", memory.auditMs);
  if (memory.kept !== stream.kept || memory.kept !== memory.naiveKept)
    console.log(
      `  !! kept rows differ: memory ${memory.kept}, stream ${stream.kept}, hand-written ${memory.naiveKept}`,
    );
  const file2 = writeResult("clean", {
    file: full ? "online-retail.csv.gz" : "online-retail-sample.csv",
    runs,
    rows: memory.rows,
    kept: memory.kept,
    medianMs: {
      read: median(memory.readMs),
      parse: median(memory.parseMs),
      clean: cleanMs,
      totalInMemory: total,
      totalStreaming: median(stream.totalMs),
      handWritten: naive,
      netted: median(memory.netMs),
      audit: median(memory.auditMs),
    },
    medianCpuMs: { totalInMemory: median(memory.cpuMs), totalStreaming: median(stream.cpuMs) },
    firstRunMs: { totalInMemory: memory.totalMs[0], totalStreaming: stream.totalMs[0] },
    cleanOverHandWritten: cleanMs / naive,
    peakRssMb: { inMemory: memory.peakRssMb, streaming: stream.peakRssMb },
    targetMs: TARGET_MS,
    targetMet: full ? total <= TARGET_MS : null,
  });
  console.log(`  results: ${file2}`);
}

await main();
