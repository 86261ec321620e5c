import { describe, expect, it } from "vitest";
import {
  MOVIELENS_GENRES,
  parseCdnowSummary,
  parseCdnowTransactions,
  parseMovieLensItems,
  parseMovieLensRatings,
  parseMovieLensUsers,
} from "../../src/datasets/index.js";
import { expectRecokitError } from "../helpers.js";

describe("public data parsers (hand-written fixtures in each file format)", () => {
  it("MovieLens ratings, items and users", () => {
    expect(parseMovieLensRatings("196\t242\t3\t881250949\r\n186\t302\t3\t891717742\n")).toEqual([
      { user: 196, item: 242, rating: 3, timestamp: 881250949000 },
      { user: 186, item: 302, rating: 3, timestamp: 891717742000 },
    ]);
    expectRecokitError(() => parseMovieLensRatings("1\t2\tx\t3\n"), "INVALID_INPUT", /line 1/);
    const flags = MOVIELENS_GENRES.map((g) => (g === "Comedy" || g === "Drama" ? "1" : "0")).join("|");
    const [movie] = parseMovieLensItems(`7|Twelve Monkeys (1995)|01-Jan-1995||http://x|${flags}\n`);
    expect(movie).toEqual({ id: 7, title: "Twelve Monkeys (1995)", year: 1995, genres: ["Comedy", "Drama"] });
    expect(parseMovieLensItems(`8|No date||||${flags}\n`)[0]!.year).toBeNull();
    expectRecokitError(() => parseMovieLensItems("1|too|few\n"), "INVALID_INPUT", /24 fields/);
    expect(parseMovieLensUsers("2|53|F|other|94043\n")).toEqual([
      { id: 2, age: 53, gender: "F", occupation: "other", zip: "94043" },
    ]);
  });

  it("CDNOW summary and transactions", () => {
    expect(parseCdnowSummary("ID,frequency,recency,T\n1,2,30.43,38.86\n2,0,0,38.86\n")).toEqual([
      { id: "1", frequency: 2, recency: 30.43, T: 38.86 },
      { id: "2", frequency: 0, recency: 0, T: 38.86 },
    ]);
    expectRecokitError(
      () => parseCdnowSummary("ID,frequency,recency,T\n1,x,1,1\n"),
      "INVALID_INPUT",
      /line 2/,
    );
    expect(
      parseCdnowTransactions(
        " customer_id  date n v\n 00001 19970101  1   11.77\n 00002 19970112  2   12.00\n",
      ),
    ).toEqual([
      { customer: "00001", timestamp: Date.UTC(1997, 0, 1), cds: 1, dollars: 11.77 },
      { customer: "00002", timestamp: Date.UTC(1997, 0, 12), cds: 2, dollars: 12 },
    ]);
    expectRecokitError(() => parseCdnowTransactions("h\n 1 1997-01-01 1 2\n"), "INVALID_INPUT", /line 2/);
  });
});
