import { RecokitError } from "../core/errors.js";

/** Options of {@link parseCsv} and {@link csvRecords}. */
export interface CsvOptions {
  /** Field separator (default `","`). */
  readonly separator?: string;
}

/**
 * Splits CSV text into rows of fields (RFC 4180: quoted fields may hold separators, newlines and
 * doubled quotes; `\n` or `\r\n` line ends). A final empty line is ignored. O(length).
 *
 * @throws RecokitError `INVALID_INPUT` for an unterminated quoted field.
 * @example
 * ```ts
 * import { parseCsvRows } from "recokit";
 * parseCsvRows('a,b\n1,"x, ""y"""\n'); // [["a", "b"], ["1", 'x, "y"']]
 * ```
 */
export function parseCsvRows(text: string, options: CsvOptions = {}): string[][] {
  const splitter = new CsvSplitter(options.separator ?? ",");
  const rows = splitter.push(text);
  rows.push(...splitter.end());
  return rows;
}

/**
 * Parses CSV text with a header line into records keyed by the header's names (all values are
 * strings; coercion is the cleaning module's job). A row with more or fewer fields than the
 * header is kept, padded with "" or truncated, and counted in `ragged`.
 *
 * @example
 * ```ts
 * import { parseCsv } from "recokit";
 * parseCsv("id,name\n1,tea\n").records; // [{ id: "1", name: "tea" }]
 * ```
 */
export function parseCsv(
  text: string,
  options: CsvOptions = {},
): { header: string[]; records: Record<string, string>[]; ragged: number } {
  const rows = parseCsvRows(text, options);
  const header = rows.shift() ?? [];
  const toRecord = recordMaker(header);
  let ragged = 0;
  const records = rows.map((row) => {
    if (row.length !== header.length) ragged++;
    return toRecord(row);
  });
  return { header, records, ragged };
}

function recordMaker(header: readonly string[]): (row: readonly string[]) => Record<string, string> {
  return (row) => {
    const rec: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) rec[header[i]!] = row[i] ?? "";
    return rec;
  };
}

/**
 * Streams CSV records keyed by the header from an async iterable of text chunks (chunks may split
 * anywhere, even inside a quoted field), with memory bounded by the longest record.
 *
 * @example
 * ```ts
 * import { csvRecords } from "recokit";
 * async function* chunks() { yield "id,na"; yield "me\n1,tea\n"; }
 * for await (const r of csvRecords(chunks())) console.log(r); // { id: "1", name: "tea" }
 * ```
 */
export async function* csvRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
  options: CsvOptions = {},
): AsyncGenerator<Record<string, string>> {
  const splitter = new CsvSplitter(options.separator ?? ",");
  let toRecord: ((row: readonly string[]) => Record<string, string>) | undefined;
  const emit = function* (rows: string[][]): Generator<Record<string, string>> {
    for (const row of rows) {
      if (toRecord === undefined) toRecord = recordMaker(row);
      else yield toRecord(row);
    }
  };
  for await (const chunk of chunks) yield* emit(splitter.push(chunk));
  yield* emit(splitter.end());
}

/** An incremental RFC 4180 splitter. @internal */
class CsvSplitter {
  readonly #sep: string;
  #field = "";
  #row: string[] = [];
  #inQuotes = false;
  #quotePending = false;
  #sawAny = false;

  constructor(separator: string) {
    if (separator.length !== 1 || separator === '"' || separator === "\n" || separator === "\r") {
      throw new RecokitError(
        "INVALID_INPUT",
        "parseCsv",
        `separator must be one character other than a quote or newline`,
      );
    }
    this.#sep = separator;
  }

  push(text: string): string[][] {
    const rows: string[][] = [];
    const sep = this.#sep;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.#quotePending) {
        this.#quotePending = false;
        if (ch === '"') {
          this.#field += '"';
          start = i + 1;
          continue;
        }
        this.#inQuotes = false;
      }
      if (this.#inQuotes) {
        if (ch === '"') {
          this.#field += text.slice(start, i);
          this.#quotePending = true;
          start = i + 1;
        }
        continue;
      }
      if (ch === '"' && this.#field === "" && start === i) {
        this.#inQuotes = true;
        this.#sawAny = true;
        start = i + 1;
      } else if (ch === sep) {
        this.#row.push(this.#field + text.slice(start, i));
        this.#field = "";
        this.#sawAny = true;
        start = i + 1;
      } else if (ch === "\n") {
        let end = i;
        if (end > start && text[end - 1] === "\r") end--;
        else if (end === start && this.#field.endsWith("\r")) this.#field = this.#field.slice(0, -1);
        this.#row.push(this.#field + text.slice(start, end));
        rows.push(this.#row);
        this.#row = [];
        this.#field = "";
        this.#sawAny = false;
        start = i + 1;
      } else {
        this.#sawAny = true;
      }
    }
    if (start < text.length) this.#field += text.slice(start);
    return rows;
  }

  end(): string[][] {
    if (this.#inQuotes && !this.#quotePending) {
      throw new RecokitError("INVALID_INPUT", "parseCsv", "unterminated quoted field at end of input");
    }
    if (!this.#sawAny && this.#field === "" && this.#row.length === 0) return [];
    let last = this.#field;
    if (last.endsWith("\r")) last = last.slice(0, -1);
    const row = [...this.#row, last];
    this.#row = [];
    this.#field = "";
    this.#sawAny = false;
    this.#quotePending = false;
    this.#inQuotes = false;
    return [row];
  }
}
