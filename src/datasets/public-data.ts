import { RecokitError } from "../core/errors.js";
import { parseCsv } from "./csv.js";

/** A MovieLens rating. */
export interface MovieLensRating {
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

/** A MovieLens movie. */
export interface MovieLensMovie {
  readonly id: number;
  readonly title: string;
  /** Release year, or null when the file gives none. */
  readonly year: number | null;
  readonly genres: readonly string[];
}

/** A MovieLens user. */
export interface MovieLensUser {
  readonly id: number;
  readonly age: number;
  readonly gender: string;
  readonly occupation: string;
  readonly zip: string;
}

/** The 19 MovieLens 100K genres, in file order. */
export const MOVIELENS_GENRES = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
] as const;

function bad(where: string, line: number, detail: string): never {
  throw new RecokitError("INVALID_INPUT", where, `line ${line}: ${detail}`);
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.length > 0);
}

/**
 * Parses MovieLens 100K `u.data` (tab-separated `user item rating timestamp`; the file itself is
 * not shipped with recokit: read it from your copy).
 * @throws RecokitError `INVALID_INPUT` naming the first malformed line.
 * @example
 * ```ts
 * import { parseMovieLensRatings } from "recokit";
 * parseMovieLensRatings("196\t242\t3\t881250949\n")[0]; // { user: 196, item: 242, rating: 3, timestamp: 881250949000 }
 * ```
 */
export function parseMovieLensRatings(text: string): MovieLensRating[] {
  return lines(text).map((l, i) => {
    const f = l.split("\t");
    const [user, item, rating, ts] = f.map(Number);
    if (f.length !== 4 || ![user, item, rating, ts].every((x) => Number.isFinite(x)))
      bad("parseMovieLensRatings", i + 1, `malformed "${l}"`);
    return { user: user!, item: item!, rating: rating!, timestamp: ts! * 1000 };
  });
}

/**
 * Parses MovieLens 100K `u.item` (`|`-separated; decode the file as latin1).
 * @example
 * ```ts
 * import { parseMovieLensItems } from "recokit";
 * parseMovieLensItems("1|Toy Story (1995)|01-Jan-1995||url|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n")[0]?.genres;
 * // ["Animation", "Children's", "Comedy"]
 * ```
 */
export function parseMovieLensItems(text: string): MovieLensMovie[] {
  return lines(text).map((l, i) => {
    const f = l.split("|");
    if (f.length !== 5 + MOVIELENS_GENRES.length)
      bad("parseMovieLensItems", i + 1, `expected 24 fields, got ${f.length}`);
    const id = Number(f[0]);
    if (!Number.isInteger(id)) bad("parseMovieLensItems", i + 1, `bad id "${f[0]}"`);
    const yearMatch = /(\d{4})$/.exec(f[2] ?? "");
    const genres = MOVIELENS_GENRES.filter((_, g) => f[5 + g] === "1");
    return { id, title: f[1] ?? "", year: yearMatch ? Number(yearMatch[1]) : null, genres };
  });
}

/**
 * Parses MovieLens 100K `u.user` (`id|age|gender|occupation|zip`).
 * @example
 * ```ts
 * import { parseMovieLensUsers } from "recokit";
 * parseMovieLensUsers("1|24|M|technician|85711\n")[0]?.occupation; // "technician"
 * ```
 */
export function parseMovieLensUsers(text: string): MovieLensUser[] {
  return lines(text).map((l, i) => {
    const f = l.split("|");
    if (f.length !== 5) bad("parseMovieLensUsers", i + 1, `expected 5 fields, got ${f.length}`);
    return { id: Number(f[0]), age: Number(f[1]), gender: f[2]!, occupation: f[3]!, zip: f[4]! };
  });
}

/** One customer's summary for BG/NBD: repeat purchases, recency and age in the calibration period. */
export interface CdnowSummaryRow {
  readonly id: string;
  readonly frequency: number;
  readonly recency: number;
  readonly T: number;
}

/**
 * Parses the CDNOW customer summary CSV (`ID,frequency,recency,T`, weeks).
 * @example
 * ```ts
 * import { parseCdnowSummary } from "recokit";
 * parseCdnowSummary("ID,frequency,recency,T\n1,2,30.43,38.86\n")[0]; // { id: "1", frequency: 2, recency: 30.43, T: 38.86 }
 * ```
 */
export function parseCdnowSummary(text: string): CdnowSummaryRow[] {
  return parseCsv(text).records.map((r, i) => {
    const row = {
      id: r.ID ?? "",
      frequency: Number(r.frequency),
      recency: Number(r.recency),
      T: Number(r.T),
    };
    if (![row.frequency, row.recency, row.T].every(Number.isFinite))
      bad("parseCdnowSummary", i + 2, "non-numeric field");
    return row;
  });
}

/** One CDNOW purchase. */
export interface CdnowPurchase {
  readonly customer: string;
  /** Epoch ms (UTC midnight of the purchase day). */
  readonly timestamp: number;
  readonly cds: number;
  readonly dollars: number;
}

/**
 * Parses `CDNOW_master.txt` (whitespace-separated `customer YYYYMMDD cds dollars`, one header line).
 * @example
 * ```ts
 * import { parseCdnowTransactions } from "recokit";
 * parseCdnowTransactions(" customer_id date n v\n 00001 19970101  1   11.77\n")[0]?.dollars; // 11.77
 * ```
 */
export function parseCdnowTransactions(text: string): CdnowPurchase[] {
  const all = lines(text);
  return all.slice(1).map((l, i) => {
    const f = l.trim().split(/\s+/);
    const d = f[1] ?? "";
    if (f.length !== 4 || !/^\d{8}$/.test(d)) bad("parseCdnowTransactions", i + 2, `malformed "${l}"`);
    const timestamp = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
    return { customer: f[0]!, timestamp, cds: Number(f[2]), dollars: Number(f[3]) };
  });
}
