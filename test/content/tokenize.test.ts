import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createTokenizer,
  ENGLISH_STOP_WORDS,
  NUMBER_PLACEHOLDER,
  tokenize,
  type WordSegmenter,
} from "../../src/content/index.js";
import { expectRecokitError } from "../helpers.js";

const hasSegmenter = typeof Intl.Segmenter === "function";

/** A segmenter that records what it was given and splits into single characters. */
function charSegmenter(calls: string[]): WordSegmenter {
  return {
    segment(input: string) {
      calls.push(input);
      return Array.from(input, (ch) => ({ segment: ch, isWordLike: true }));
    },
  };
}

describe("tokenize: Latin script", () => {
  it("lower-cases and splits on spaces, punctuation, hyphens and apostrophes", () => {
    expect(tokenize("Trail-Running SHOES, size: 42!")).toEqual(["trail", "running", "shoes", "size", "42"]);
    // the possessive s is one letter, under the default minLength of 2
    expect(tokenize("men's jacket")).toEqual(["men", "jacket"]);
    expect(tokenize("men's jacket", { minLength: 1 })).toEqual(["men", "s", "jacket"]);
  });

  it("keeps decimal numbers and alphanumeric codes whole", () => {
    expect(tokenize("2.5mm cable, 1,000 pcs, iPhone15 500ml")).toEqual([
      "2.5",
      "mm",
      "cable",
      "1,000",
      "pcs",
      "iphone15",
      "500ml",
    ]);
  });

  it("handles numbers as asked", () => {
    const text = "pack of 12 for 9.99";
    expect(tokenize(text)).toEqual(["pack", "of", "12", "for", "9.99"]);
    expect(tokenize(text, { numbers: "drop" })).toEqual(["pack", "of", "for"]);
    expect(tokenize(text, { numbers: "placeholder" })).toEqual([
      "pack",
      "of",
      NUMBER_PLACEHOLDER,
      "for",
      NUMBER_PLACEHOLDER,
    ]);
  });

  it("folds accents only when asked, including letters without a decomposition", () => {
    expect(tokenize("Crème Brûlée")).toEqual(["crème", "brûlée"]);
    expect(tokenize("Crème Brûlée Straße Øresund Łódź Æble", { foldAccents: true })).toEqual([
      "creme",
      "brulee",
      "strasse",
      "oresund",
      "lodz",
      "aeble",
    ]);
  });

  it("removes stop words after case and accent folding", () => {
    expect(tokenize("The Best of THE Tea", { stopWords: [...ENGLISH_STOP_WORDS] })).toEqual(["best", "tea"]);
    expect(tokenize("Café and CAFE", { stopWords: ["Cafe"], foldAccents: true })).toEqual(["and"]);
  });

  it("normalises full-width forms (NFKC) unless told not to", () => {
    expect(tokenize("ＮＩＫＥ　Ａｉｒ")).toEqual(["nike", "air"]);
    expect(tokenize("ＮＩＫＥ", { normalize: false })).toEqual(["ｎｉｋｅ"]);
    expect(tokenize("NIKE", { lowercase: false })).toEqual(["NIKE"]);
  });

  it("drops tokens longer than maxLength and alphabetic ones shorter than minLength", () => {
    expect(tokenize(`ok ${"x".repeat(65)} fine`)).toEqual(["ok", "fine"]);
    expect(tokenize("a bb ccc", { minLength: 3, maxLength: 3 })).toEqual(["ccc"]);
    // numbers are exempt from minLength
    expect(tokenize("size 7")).toEqual(["size", "7"]);
  });
});

describe("tokenize: CJK and other unspaced scripts", () => {
  it.skipIf(!hasSegmenter)("segments Chinese with Intl.Segmenter: a partition of each run into words", () => {
    const tokens = tokenize("我喜欢这双运动鞋");
    expect(tokens.join("")).toBe("我喜欢这双运动鞋");
    // dictionary words, not single characters
    expect(tokens.some((t) => Array.from(t).length > 1)).toBe(true);
    expect(tokens.length).toBeLessThan(8);
  });

  it("falls back to character bigrams without a segmenter (segmenter: null)", () => {
    expect(tokenize("运动鞋", { segmenter: null })).toEqual(["运动", "动鞋"]);
    expect(tokenize("我喜欢运动鞋", { segmenter: null })).toEqual(["我喜", "喜欢", "欢运", "运动", "动鞋"]);
    // a run no longer than n is one token
    expect(tokenize("鞋 女款", { segmenter: null })).toEqual(["鞋", "女款"]);
    expect(tokenize("运动鞋", { segmenter: null, ngram: 3 })).toEqual(["运动鞋"]);
    expect(tokenize("运动鞋子", { segmenter: null, ngram: 3 })).toEqual(["运动鞋", "动鞋子"]);
  });

  it("segments Japanese (kanji + kana) into words; bigrams in the fallback", () => {
    const text = "東京スカイツリー";
    if (hasSegmenter) {
      const words = tokenize(text);
      expect(words.join("")).toBe(text);
      expect(words).toContain("東京");
    }
    expect(tokenize(text, { segmenter: null })).toEqual([
      "東京",
      "京ス",
      "スカ",
      "カイ",
      "イツ",
      "ツリ",
      "リー",
    ]);
  });

  it("keeps space-separated Korean words and bigrams them in the fallback", () => {
    if (hasSegmenter) expect(tokenize("나이키 운동화")).toEqual(["나이키", "운동화"]);
    expect(tokenize("나이키 운동화", { segmenter: null })).toEqual(["나이", "이키", "운동", "동화"]);
  });

  it("never folds accents of kana or Hangul (NFD would split them)", () => {
    expect(tokenize("ガイド 한국", { foldAccents: true, segmenter: null })).toEqual(["ガイ", "イド", "한국"]);
  });

  it("handles a mixed Chinese-English title", () => {
    const calls: string[] = [];
    const tokens = tokenize("2024新款 Nike 运动鞋 men's", { segmenter: charSegmenter(calls) });
    // only the unspaced runs reach the segmenter; Latin words and numbers are split by the scanner
    expect(calls).toEqual(["新款", "运动鞋"]);
    expect(tokens).toEqual(["2024", "新", "款", "nike", "运", "动", "鞋", "men"]);
    const fallback = tokenize("2024新款 Nike 运动鞋 men's", { segmenter: null });
    expect(fallback).toEqual(["2024", "新款", "nike", "运动", "动鞋", "men"]);
    if (hasSegmenter) {
      const real = tokenize("2024新款 Nike 运动鞋 men's");
      expect(real.filter((t) => /^[a-z0-9]+$/.test(t))).toEqual(["2024", "nike", "men"]);
      expect(real.filter((t) => !/^[a-z0-9]+$/.test(t)).join("")).toBe("新款运动鞋");
    }
  });

  it("emits words then n-grams with cjk: both, and only n-grams with cjk: ngrams", () => {
    const calls: string[] = [];
    expect(tokenize("运动鞋", { cjk: "both", segmenter: charSegmenter(calls) })).toEqual([
      "运",
      "动",
      "鞋",
      "运动",
      "动鞋",
    ]);
    expect(tokenize("运动鞋", { cjk: "ngrams", segmenter: charSegmenter(calls) })).toEqual(["运动", "动鞋"]);
    expect(calls).toEqual(["运动鞋"]);
  });

  it("skips segments the segmenter marks as not word-like", () => {
    const seg: WordSegmenter = {
      segment: () => [
        { segment: "运动", isWordLike: true },
        { segment: "鞋", isWordLike: false },
      ],
    };
    expect(tokenize("运动鞋", { segmenter: seg })).toEqual(["运动"]);
  });

  it("treats Thai as an unspaced script", () => {
    expect(tokenize("สวัสดี", { segmenter: null })).toEqual(
      Array.from({ length: Array.from("สวัสดี").length - 1 }, (_, i) =>
        Array.from("สวัสดี")
          .slice(i, i + 2)
          .join(""),
      ),
    );
  });
});

describe("tokenize: emoji, empty and very long input", () => {
  it("drops emoji by default and keeps whole emoji sequences when asked", () => {
    const text = "🔥Hot sale 👍🏽 👨‍👩‍👧 🇨🇳 ok";
    expect(tokenize(text)).toEqual(["hot", "sale", "ok"]);
    expect(tokenize(text, { emoji: "keep" })).toEqual(["🔥", "hot", "sale", "👍🏽", "👨‍👩‍👧", "🇨🇳", "ok"]);
  });

  it("returns no tokens for empty, blank or punctuation-only text", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize("   \t\n ")).toEqual([]);
    expect(tokenize("!!! --- ??? ...")).toEqual([]);
    expect(tokenize("🎉🎉")).toEqual([]);
  });

  it("handles very long strings in linear fashion, token for token", () => {
    const latin = "ab ".repeat(200_000);
    const tokens = tokenize(latin);
    expect(tokens.length).toBe(200_000);
    expect(tokens.every((t) => t === "ab")).toBe(true);
    const han = "运动".repeat(25_000); // one 50,000-character run
    const grams = tokenize(han, { segmenter: null });
    expect(grams.length).toBe(49_999);
    expect(grams[0]).toBe("运动");
    expect(grams[1]).toBe("动运");
    if (hasSegmenter) expect(tokenize(han).join("")).toBe(han);
  });
});

describe("tokenize: contract", () => {
  it("is deterministic, and tokens are non-empty with no spaces (any Unicode input)", () => {
    const tok = createTokenizer({ emoji: "keep" });
    const fallback = createTokenizer({ segmenter: null, cjk: "both" });
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
        for (const t of [tok, fallback]) {
          const a = t(s);
          expect(t(s)).toEqual(a);
          for (const token of a) {
            expect(token.length).toBeGreaterThan(0);
            expect(/\s/u.test(token)).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never emits a stop word, whatever the text", () => {
    const stop = ["the", "and", "of"];
    const tok = createTokenizer({ stopWords: stop });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("the", "THE", "and", "tea", "Of", "pot", "运动"), { maxLength: 12 }),
        (words) => {
          const out = tok(words.join(" "));
          for (const t of out) expect(stop).not.toContain(t);
          // every non-stop word survives
          expect(out.length).toBe(words.filter((w) => !stop.includes(w.toLowerCase())).length);
        },
      ),
    );
  });

  it("rejects bad input and options with a typed error", () => {
    expectRecokitError(() => tokenize(42 as unknown as string), "INVALID_INPUT", "text must be a string");
    expectRecokitError(() => tokenize("x", { numbers: "words" as "keep" }), "INVALID_INPUT", "numbers");
    expectRecokitError(() => tokenize("x", { cjk: "chars" as "words" }), "INVALID_INPUT", "cjk");
    expectRecokitError(() => tokenize("x", { minLength: 0 }), "INVALID_INPUT", "minLength");
    expectRecokitError(() => tokenize("x", { ngram: 0 }), "INVALID_INPUT", "ngram");
    expectRecokitError(
      () => tokenize("x", { stopWords: "the" as unknown as string[] }),
      "INVALID_INPUT",
      "stopWords",
    );
    expectRecokitError(
      () => tokenize("x", { segmenter: {} as unknown as WordSegmenter }),
      "INVALID_INPUT",
      "segmenter",
    );
  });

  it("does not modify the stop-word list it is given", () => {
    const stop = Object.freeze(["The", "AND"]);
    expect(tokenize("the and tea", { stopWords: stop as string[] })).toEqual(["tea"]);
    expect(stop).toEqual(["The", "AND"]);
  });
});
