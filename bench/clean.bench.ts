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

async function childMemory(file: string, runs: number, peakOnly: boolean): Promise<MemoryResult> {
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
  for (let r = 0; r < (peakOnly ? 0 : runs); r++) {
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

/**
 * Runs one form in a fresh process. With `peakOnly`, a single run and nothing else, so that the
 * process's peak RSS is that of one gzip → rows pass (garbage from earlier runs would inflate it).
 */
function runChild(mode: string, file: string, runs: number, peakOnly = false): MemoryResult | StreamResult {
  const args = [
    "--child",
    mode,
    "--file",
    file,
    "--runs",
    String(runs),
    ...(peakOnly ? ["--peak-only"] : []),
  ];
  const res = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
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
    const result =
      child === "memory"
        ? await childMemory(file, runs, hasFlag("--peak-only"))
        : await childStream(file, runs);
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
  // every timed run in a fresh process, like a script that cleans the file once (no garbage or heap
  // growth carried over from earlier runs); the two forms alternate so that both meet the same load
  const mem: MemoryResult[] = [];
  const str: StreamResult[] = [];
  for (let r = 0; r < runs; r++) {
    mem.push(runChild("memory", file, 1, true) as MemoryResult);
    str.push(runChild("stream", file, 1) as StreamResult);
  }
  // the cleaning step against a hand-written filter, netting and audit: warm, in one process
  const extras = runChild("memory", file, smoke ? 1 : 3) as MemoryResult;
  const first = mem[0]!;
  const full = file === FULL;
  const col = (xs: readonly number[][]) => xs.map((x) => x[0]!);
  console.log(
    `Cleaning ${full ? "the UCI Online Retail file" : "the Online Retail sample"}: ${first.rows.toLocaleString("en")} lines → ${first.kept.toLocaleString("en")} kept (transactions preset, drop-everything)`,
  );
  console.log(`  median of ${runs} runs, each in a fresh process (min – max in brackets)`);
  const row = (label: string, xs: number[], note = "") =>
    console.log(
      `  ${label.padEnd(46)} ${fmt(median(xs)).padStart(7)} ms  (${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))})${note}`,
    );
  row("gunzip + decode (readTextFile)", col(mem.map((m) => m.readMs)));
  row("parse CSV (parseCsv)", col(mem.map((m) => m.parseMs)));
  row("clean (schema + 5 steps, full report)", col(mem.map((m) => m.cleanMs)));
  const totals = col(mem.map((m) => m.totalMs));
  const total = median(totals);
  row(
    "in memory: gzip → cleaned rows",
    totals,
    full ? `   target ≤ ${TARGET_MS} ms: ${total <= TARGET_MS ? "met" : "not met"}` : "",
  );
  row("  its CPU time (user + system)", col(mem.map((m) => m.cpuMs)));
  const streamTotals = col(str.map((x) => x.totalMs));
  row("streaming: gzip → cleaned rows (cleanStream)", streamTotals);
  row("  its CPU time (user + system)", col(str.map((x) => x.cpuMs)));
  const memoryPeak = median(mem.map((m) => m.peakRssMb));
  const streamPeak = median(str.map((x) => x.peakRssMb));
  console.log(`  ${"peak RSS, in memory".padEnd(46)} ${String(memoryPeak).padStart(7)} MB`);
  console.log(
    `  ${"peak RSS, streaming".padEnd(46)} ${String(streamPeak).padStart(7)} MB  (${(streamPeak / memoryPeak).toFixed(2)} × in memory)`,
  );
  console.log(`  warm, in one process (median of ${extras.cleanMs.length}):`);
  const naive = median(extras.naiveMs);
  const cleanMs = median(extras.cleanMs);
  row("  clean (schema + 5 steps, full report)", extras.cleanMs);
  row(
    "  hand-written filter, same drops, no report",
    extras.naiveMs,
    `   clean / hand-written = ${(cleanMs / naive).toFixed(2)}`,
  );
  row("  clean with returns netted", extras.netMs);
  row("  audit (fields + every step alone)", extras.auditMs);
  const kept = new Set([...mem.map((m) => m.kept), ...str.map((x) => x.kept), extras.naiveKept]);
  if (kept.size !== 1) console.log(`  !! kept rows differ between forms: ${[...kept].join(", ")}`);
  const file2 = writeResult("clean", {
    file: full ? "online-retail.csv.gz" : "online-retail-sample.csv",
    runs,
    rows: first.rows,
    kept: first.kept,
    medianMs: {
      read: median(col(mem.map((m) => m.readMs))),
      parse: median(col(mem.map((m) => m.parseMs))),
      clean: median(col(mem.map((m) => m.cleanMs))),
      totalInMemory: total,
      totalStreaming: median(streamTotals),
      warmClean: cleanMs,
      handWritten: naive,
      netted: median(extras.netMs),
      audit: median(extras.auditMs),
    },
    allTotalsMs: { inMemory: totals, streaming: streamTotals },
    medianCpuMs: {
      totalInMemory: median(col(mem.map((m) => m.cpuMs))),
      totalStreaming: median(col(str.map((x) => x.cpuMs))),
    },
    cleanOverHandWritten: cleanMs / naive,
    peakRssMb: { inMemory: memoryPeak, streaming: streamPeak },
    targetMs: TARGET_MS,
    targetMet: full ? total <= TARGET_MS : null,
  });
  console.log(`  results: ${file2}`);
}

await main();
