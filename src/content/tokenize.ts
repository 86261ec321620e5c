import { assertInteger, RecokitError } from "../core/errors.js";

/**
 * Anything that splits text into word segments the way `Intl.Segmenter` with
 * `granularity: "word"` does. Injected through {@link TokenizeOptions.segmenter}, e.g. to run the
 * fallback path in tests or to plug in a dictionary segmenter.
 */
export interface WordSegmenter {
  segment(input: string): Iterable<{ readonly segment: string; readonly isWordLike?: boolean | undefined }>;
}

/** What {@link tokenize} does with numbers (tokens made only of digits, with inner `.` or `,`). */
export type TokenNumberHandling = "keep" | "drop" | "placeholder";

/** How {@link tokenize} splits Chinese, Japanese, Korean (and Thai, Lao, Khmer, Myanmar) runs. */
export type CjkMode = "words" | "ngrams" | "both";

/**
 * The serialisable part of {@link TokenizeOptions}: everything except the injected segmenter.
 * A fitted content model stores it, so new items are tokenised exactly as the training items were.
 */
export interface TokenizerConfig {
  /** Apply Unicode NFKC first (full-width → ASCII, half-width kana → full-width, ligatures split). Default true. */
  readonly normalize?: boolean;
  /** Lower-case (locale-independent `toLowerCase`). Default true. */
  readonly lowercase?: boolean;
  /** Fold accents of non-CJK tokens: `café` → `cafe`, `straße` → `strasse`, `øre` → `ore`. Default false. */
  readonly foldAccents?: boolean;
  /** Tokens to leave out, compared after case folding and accent folding (e.g. {@link ENGLISH_STOP_WORDS}). */
  readonly stopWords?: readonly string[];
  /** Numbers: `keep` (default), `drop`, or `placeholder` (every number becomes the token `<num>`). */
  readonly numbers?: TokenNumberHandling;
  /** Shortest alphabetic token kept (numbers and CJK tokens are exempt). Default 2. */
  readonly minLength?: number;
  /** Longest token kept, in code points; longer ones (hashes, URLs, garbage) are left out. Default 64. */
  readonly maxLength?: number;
  /**
   * Runs of unspaced scripts (Han, Hiragana, Katakana, Hangul, Thai, Lao, Khmer, Myanmar):
   * `words` (default) segments them with the word segmenter, falling back to character n-grams
   * when there is none; `ngrams` always emits character n-grams; `both` emits words then n-grams.
   */
  readonly cjk?: CjkMode;
  /** Size of the character n-grams of unspaced runs (default 2; a shorter run is one token). */
  readonly ngram?: number;
  /** Emoji (with skin tones, ZWJ sequences and flags): `drop` (default) or `keep` each as a token. */
  readonly emoji?: "drop" | "keep";
  /** Locale handed to `Intl.Segmenter` (default `"und"`; ICU segments CJK the same for every locale). */
  readonly locale?: string;
}

/** Options of {@link tokenize} and {@link createTokenizer}. */
export interface TokenizeOptions extends TokenizerConfig {
  /**
   * The word segmenter for unspaced runs. Default: `new Intl.Segmenter(locale, { granularity: "word" })`
   * when the runtime has `Intl.Segmenter`, otherwise none. `null` forces the character n-gram fallback.
   */
  readonly segmenter?: WordSegmenter | null;
}

/**
 * A short English stop-word list (articles, pronouns, auxiliaries, prepositions, conjunctions),
 * lower-case. Pass it as `stopWords` to leave these words out.
 * @example
 * ```ts
 * import { ENGLISH_STOP_WORDS, tokenize } from "recokit";
 * tokenize("a cup of tea for the road", { stopWords: [...ENGLISH_STOP_WORDS] }); // ["cup", "tea", "road"]
 * ```
 */
export const ENGLISH_STOP_WORDS: readonly string[] = Object.freeze([
  "a",
  "about",
  "after",
  "all",
  "also",
  "an",
  "and",
  "any",
  "are",
  "as",
  "at",
  "be",
  "been",
  "but",
  "by",
  "can",
  "did",
  "do",
  "does",
  "for",
  "from",
  "had",
  "has",
  "have",
  "he",
  "her",
  "his",
  "how",
  "i",
  "if",
  "in",
  "into",
  "is",
  "it",
  "its",
  "me",
  "my",
  "no",
  "not",
  "of",
  "on",
  "or",
  "our",
  "she",
  "so",
  "than",
  "that",
  "the",
  "their",
  "them",
  "then",
  "there",
  "these",
  "they",
  "this",
  "those",
  "to",
  "too",
  "up",
  "us",
  "was",
  "we",
  "were",
  "what",
  "when",
  "which",
  "who",
  "will",
  "with",
  "you",
  "your",
]);

/**
 * The token that stands for every number with `numbers: "placeholder"`.
 * @example
 * ```ts
 * import { tokenize } from "recokit";
 * tokenize("pack of 12", { numbers: "placeholder" }); // ["pack", "of", "<num>"]
 * ```
 */
export const NUMBER_PLACEHOLDER = "<num>";

const UNSPACED =
  "\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}\\u30FC\\p{sc=Thai}\\p{sc=Lao}\\p{sc=Khmer}\\p{sc=Myanmar}";
const EMOJI =
  "\\p{RI}\\p{RI}|\\p{Extended_Pictographic}(?:[\\u{1F3FB}-\\u{1F3FF}\\uFE0F\\u20E3]|\\u200D\\p{Extended_Pictographic}\\uFE0F?)*";
/** One scanning pass: decimal numbers, unspaced runs, alphanumeric words, emoji (in that priority). */
const TOKEN_PATTERN = `(\\p{Nd}+(?:[.,]\\p{Nd}+)+)|([${UNSPACED}]+)|((?:(?![${UNSPACED}])[\\p{L}\\p{N}\\p{M}])+)|(${EMOJI})`;
const NUMBER = /^\p{Nd}+(?:[.,]\p{Nd}+)*$/u;
const NON_ASCII = /[^ -~]/;
const COMBINING = /\p{Mn}/gu;
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
  Æ: "AE",
  Œ: "OE",
  Ø: "O",
  Ł: "L",
  Đ: "D",
  Ð: "D",
  Þ: "TH",
};
const SPECIAL_LETTERS = /[ßæœøłđðþıÆŒØŁĐÐÞ]/g;

/** A compiled tokenizer: text in, tokens out. */
export type Tokenizer = (text: string) => string[];

interface Resolved {
  readonly normalize: boolean;
  readonly lowercase: boolean;
  readonly foldAccents: boolean;
  readonly stopWords: ReadonlySet<string>;
  readonly numbers: TokenNumberHandling;
  readonly minLength: number;
  readonly maxLength: number;
  readonly cjk: CjkMode;
  readonly ngram: number;
  readonly emoji: boolean;
  readonly segmenter: WordSegmenter | null;
}

/**
 * Folds accents of a Latin (or Greek, Cyrillic…) token: NFD, drop non-spacing marks, then map the
 * letters that have no decomposition (`ß → ss`, `æ → ae`, `ø → o`, `ł → l`, …). CJK text must not go
 * through it (NFD splits Hangul syllables and kana voicing marks).
 */
function foldToken(token: string): string {
  if (!NON_ASCII.test(token)) return token;
  return token
    .normalize("NFD")
    .replace(COMBINING, "")
    .replace(SPECIAL_LETTERS, (ch) => LETTER_FOLDS[ch] ?? ch)
    .normalize("NFC");
}

/** One `Intl.Segmenter` per locale, created on first use (segmenters are stateless). */
const segmenters = new Map<string, WordSegmenter | null>();

function defaultSegmenter(locale: string): WordSegmenter | null {
  const known = segmenters.get(locale);
  if (known !== undefined) return known;
  const Seg =
    typeof Intl === "object" ? (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter : undefined;
  const made = typeof Seg === "function" ? new Seg(locale, { granularity: "word" }) : null;
  segmenters.set(locale, made);
  return made;
}

function resolve(where: string, options: TokenizeOptions): Resolved {
  if (options === null || typeof options !== "object")
    throw new RecokitError("INVALID_INPUT", where, "options must be an object");
  const numbers = options.numbers ?? "keep";
  if (numbers !== "keep" && numbers !== "drop" && numbers !== "placeholder")
    throw new RecokitError("INVALID_INPUT", where, `numbers must be "keep", "drop" or "placeholder"`);
  const cjk = options.cjk ?? "words";
  if (cjk !== "words" && cjk !== "ngrams" && cjk !== "both")
    throw new RecokitError("INVALID_INPUT", where, `cjk must be "words", "ngrams" or "both"`);
  const emoji = options.emoji ?? "drop";
  if (emoji !== "drop" && emoji !== "keep")
    throw new RecokitError("INVALID_INPUT", where, `emoji must be "drop" or "keep"`);
  const minLength = options.minLength ?? 2;
  const maxLength = options.maxLength ?? 64;
  const ngram = options.ngram ?? 2;
  assertInteger(where, "minLength", minLength, 1, 1_000_000);
  assertInteger(where, "maxLength", maxLength, minLength, 1_000_000);
  assertInteger(where, "ngram", ngram, 1, 16);
  const normalize = options.normalize ?? true;
  const lowercase = options.lowercase ?? true;
  const foldAccents = options.foldAccents ?? false;
  const stop = new Set<string>();
  if (options.stopWords !== undefined) {
    if (!Array.isArray(options.stopWords))
      throw new RecokitError("INVALID_INPUT", where, "stopWords must be an array of strings");
    for (const [i, w] of options.stopWords.entries()) {
      if (typeof w !== "string")
        throw new RecokitError("INVALID_INPUT", where, `stopWords[${i}] is not a string`);
      let s = normalize ? w.normalize("NFKC") : w;
      if (lowercase) s = s.toLowerCase();
      if (foldAccents) s = foldToken(s);
      stop.add(s);
    }
  }
  let segmenter: WordSegmenter | null;
  if (options.segmenter === undefined) segmenter = defaultSegmenter(options.locale ?? "und");
  else if (options.segmenter === null) segmenter = null;
  else if (typeof options.segmenter.segment === "function") segmenter = options.segmenter;
  else throw new RecokitError("INVALID_INPUT", where, "segmenter must have a segment(text) method");
  return {
    normalize,
    lowercase,
    foldAccents,
    stopWords: stop,
    numbers,
    minLength,
    maxLength,
    cjk,
    ngram,
    emoji: emoji === "keep",
    segmenter,
  };
}

/** Number of code points of `s`. */
function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Character n-grams of an unspaced run (code points); a run no longer than n is one token. */
function pushNgrams(run: string, n: number, out: string[]): void {
  const chars = Array.from(run);
  if (chars.length <= n) {
    out.push(run);
    return;
  }
  for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(""));
}

function pushUnspaced(run: string, r: Resolved, out: string[]): void {
  const useWords = r.segmenter !== null && (r.cjk === "words" || r.cjk === "both");
  if (useWords) {
    for (const seg of r.segmenter!.segment(run)) {
      if (seg.isWordLike === false) continue;
      const s = seg.segment.trim();
      if (s.length > 0) out.push(s);
    }
  }
  if (!useWords || r.cjk === "both") pushNgrams(run, r.ngram, out);
}

/** Applies the per-token rules (numbers, length, accents, stop words) and appends what is kept. */
function keepToken(token: string, unspaced: boolean, r: Resolved, out: string[]): void {
  if (NUMBER.test(token)) {
    if (r.numbers === "drop") return;
    if (r.numbers === "placeholder") {
      out.push(NUMBER_PLACEHOLDER);
      return;
    }
  } else if (!unspaced) {
    if (r.foldAccents) token = foldToken(token);
    if (codePointLength(token) < r.minLength) return;
  }
  if (codePointLength(token) > r.maxLength) return;
  if (r.stopWords.has(token)) return;
  out.push(token);
}

/**
 * Compiles tokenisation options once and returns a fast `text → tokens` function (the options are
 * resolved, the stop words folded and the word segmenter created a single time). See {@link tokenize}
 * for the rules.
 *
 * @param options - see {@link TokenizeOptions}
 * @returns a pure function; the same text always gives the same tokens
 * @throws RecokitError `INVALID_INPUT` for an unknown mode or an out-of-range length.
 * @example
 * ```ts
 * import { createTokenizer, ENGLISH_STOP_WORDS } from "recokit";
 * const tok = createTokenizer({ stopWords: [...ENGLISH_STOP_WORDS] });
 * tok("The Trail Running Shoe"); // ["trail", "running", "shoe"]
 * ```
 */
export function createTokenizer(options: TokenizeOptions = {}): Tokenizer {
  const where = "createTokenizer";
  const r = resolve(where, options);
  const pattern = new RegExp(TOKEN_PATTERN, "gu");
  return (text: string): string[] => {
    if (typeof text !== "string")
      throw new RecokitError("INVALID_INPUT", "tokenize", `text must be a string, got ${typeof text}`);
    if (text.length === 0) return [];
    let s = r.normalize ? text.normalize("NFKC") : text;
    if (r.lowercase) s = s.toLowerCase();
    const out: string[] = [];
    const pieces: string[] = [];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(s); m !== null; m = pattern.exec(s)) {
      if (m[1] !== undefined) keepToken(m[1], false, r, out);
      else if (m[2] !== undefined) {
        pieces.length = 0;
        pushUnspaced(m[2], r, pieces);
        for (const p of pieces) keepToken(p, true, r, out);
      } else if (m[3] !== undefined) {
        // the word pattern allows a leading mark; a word of marks only is not a token
        keepToken(m[3], false, r, out);
      } else if (m[4] !== undefined && r.emoji) out.push(m[4]);
    }
    return out;
  };
}

/**
 * Splits text into search tokens, for Latin and CJK scripts alike. Deterministic and pure.
 *
 * 1. NFKC normalisation (full-width `ＮＩＫＥ` → `nike`), then locale-independent lower-casing.
 * 2. One scan finds decimal numbers (`2.5`, `1,000`), runs of unspaced scripts (Han, kana, Hangul,
 *    Thai, Lao, Khmer, Myanmar), runs of other letters/digits/marks, and emoji. Everything else
 *    (spaces, punctuation, symbols, apostrophes, hyphens) separates tokens: `men's` → `men` (the
 *    one-letter `s` falls under `minLength`), `t-shirt` → `shirt`, `500ml` stays one token.
 * 3. Unspaced runs are segmented into words with `Intl.Segmenter` (ICU's dictionary:
 *    `运动鞋` → `运动`, `鞋`; `東京スカイツリー` → `東京`, `スカイ`, `ツリー`). A runtime without it
 *    falls back to overlapping character n-grams (`运动鞋` → `运动`, `动鞋`), the usual CJK
 *    indexing unit; `cjk: "ngrams" | "both"` selects them explicitly.
 * 4. Per token: numbers kept, dropped or replaced by `<num>`; accents folded when asked (never on
 *    CJK); alphabetic tokens shorter than `minLength` and any token longer than `maxLength` left
 *    out; stop words left out.
 *
 * Linear in the text length. To tokenise many texts, compile once with {@link createTokenizer}.
 *
 * @param text - any string (an empty string gives `[]`)
 * @param options - see {@link TokenizeOptions}
 * @returns the tokens in order of appearance, repeats included (term frequencies count them)
 * @throws RecokitError `INVALID_INPUT` when `text` is not a string or an option is invalid.
 * @example
 * ```ts
 * import { tokenize } from "recokit";
 * tokenize("2024新款 Nike 运动鞋 men's"); // ["2024", "新", "款", "nike", "运动", "鞋", "men"]
 * tokenize("Crème Brûlée", { foldAccents: true }); // ["creme", "brulee"]
 * tokenize("运动鞋", { segmenter: null }); // ["运动", "动鞋"] (n-gram fallback)
 * ```
 */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  return createTokenizer(options)(text);
}

/**
 * Validates and returns the serialisable tokenizer settings (what a fitted model stores), with
 * defaults left implicit.
 * @internal
 */
export function tokenizerConfigOf(where: string, options: TokenizeOptions | undefined): TokenizerConfig {
  const o = options ?? {};
  resolve(where, { ...o, segmenter: null });
  const config: Record<string, unknown> = {};
  for (const key of [
    "normalize",
    "lowercase",
    "foldAccents",
    "numbers",
    "minLength",
    "maxLength",
    "cjk",
    "ngram",
    "emoji",
    "locale",
  ] as const) {
    if (o[key] !== undefined) config[key] = o[key];
  }
  if (o.stopWords !== undefined) config.stopWords = [...o.stopWords];
  return config as TokenizerConfig;
}
