import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createGunzip, gunzipSync } from "node:zlib";

/** Text encodings the readers accept. */
export type TextEncoding = "utf8" | "latin1";

/**
 * Reads a whole text file; `.gz` files are gunzipped. Node only.
 * @example
 * ```ts
 * import { readTextFile } from "recokit/node";
 * const text = await readTextFile("online-retail.csv.gz");
 * ```
 */
export async function readTextFile(path: string, encoding: TextEncoding = "utf8"): Promise<string> {
  const bytes = await readFile(path);
  const raw = path.endsWith(".gz") ? gunzipSync(bytes) : bytes;
  return raw.toString(encoding);
}

/**
 * Streams a text file as string chunks (gunzipping `.gz` on the fly), for logs larger than memory.
 * Pair it with `csvRecords` and `cleanStream`. Node only.
 * @example
 * ```ts
 * import { csvRecords } from "recokit";
 * import { streamTextFile } from "recokit/node";
 * for await (const row of csvRecords(streamTextFile("online-retail.csv.gz"))) { … }
 * ```
 */
export async function* streamTextFile(path: string, encoding: TextEncoding = "utf8"): AsyncGenerator<string> {
  const source = createReadStream(path);
  const stream = path.endsWith(".gz") ? source.pipe(createGunzip()) : source;
  stream.setEncoding(encoding);
  for await (const chunk of stream) yield chunk as string;
}
