// Worker-thread plumbing shared by the parallel entry points of recokit/node. Not a public module.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { RecokitError } from "../core/errors.js";

/**
 * How to start the worker module `name` (e.g. "similarity-worker"): the built `.js` entry beside
 * this module, or, when running from the TypeScript sources (tests, examples), a tiny bootstrap
 * that registers the tsx loader first.
 */
function workerEntry(where: string, name: string): { script: URL | string; eval: boolean } {
  for (const file of [`./${name}.js`, `./node/${name}.js`]) {
    const url = new URL(file, import.meta.url);
    if (existsSync(fileURLToPath(url))) return { script: url, eval: false };
  }
  const source = new URL(`./${name}.ts`, import.meta.url);
  if (existsSync(fileURLToPath(source))) {
    const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
    return { script: boot, eval: true };
  }
  throw new RecokitError("INTERNAL", where, `cannot find the ${name} module next to recokit/node`);
}

/** A message from a worker: `progress` (rows done by that worker) or a phase it finished. */
export interface WorkerReply {
  readonly type: string;
  readonly done?: number;
}

/** A running group of workers. */
export interface WorkerGroup {
  readonly workers: readonly Worker[];
  /** Resolves with every worker's next reply of this type; rejects when one fails. */
  all(type: string): Promise<WorkerReply[]>;
  /** Stops every worker (also once the work is done). */
  terminate(): void;
}

/**
 * Starts `parts` workers of module `name`, worker i receiving `data(i)` as its `workerData`.
 * Progress replies are summed over the workers and passed to `onProgress` with `total`.
 */
export function startWorkers(
  where: string,
  name: string,
  parts: number,
  data: (part: number) => unknown,
  total: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): WorkerGroup {
  const entry = workerEntry(where, name);
  const doneByPart = new Array<number>(parts).fill(0);
  const workers = Array.from(
    { length: parts },
    (_, part) => new Worker(entry.script, { eval: entry.eval, workerData: data(part) }),
  );
  // every worker's next reply of a given type, or its failure
  const replies = workers.map((worker, part) => {
    const waiting = new Map<string, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
    let failure: Error | undefined;
    const fail = (e: Error): void => {
      failure ??= e;
      for (const w of waiting.values()) w.reject(e);
      waiting.clear();
    };
    worker.on("message", (msg: WorkerReply) => {
      if (msg.type === "progress") {
        doneByPart[part] = msg.done ?? 0;
        onProgress?.(
          doneByPart.reduce((a, b) => a + b, 0),
          total,
        );
        return;
      }
      waiting.get(msg.type)?.resolve(msg);
      waiting.delete(msg.type);
    });
    worker.on("error", (e) =>
      fail(new RecokitError("INTERNAL", where, `worker ${part} failed: ${e.message}`)),
    );
    worker.on("exit", (code) => {
      if (code !== 0) fail(new RecokitError("ABORTED", where, `worker ${part} stopped (exit ${code})`));
    });
    return (type: string): Promise<WorkerReply> =>
      new Promise((resolve, reject) => {
        if (failure !== undefined) reject(failure);
        else waiting.set(type, { resolve, reject });
      });
  });
  return {
    workers,
    all: (type) => Promise.all(replies.map((next) => next(type))),
    terminate: () => {
      for (const w of workers) void w.terminate();
    },
  };
}

/** Allocates shared memory: what the workers read and write without a copy. */
export function sharedMemory(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

/**
 * Waits, in a worker, until each of `parts` workers has called this `round` times: a counter at
 * `slot` of a shared Int32Array, with waits short enough that a terminated worker is not left
 * blocked.
 */
export function barrier(sync: Int32Array, slot: number, parts: number, round: number): void {
  Atomics.add(sync, slot, 1);
  Atomics.notify(sync, slot);
  for (let seen = Atomics.load(sync, slot); seen < parts * round; seen = Atomics.load(sync, slot)) {
    Atomics.wait(sync, slot, seen, 50);
  }
}
