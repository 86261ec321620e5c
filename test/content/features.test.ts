import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitContentFeatures, tokenize, transformContentItems } from "../../src/content/index.js";
import { bm25, csrFromTriplets, tfidf } from "../../src/core/index.js";
import { deepFreeze, denseOf, expectClose, expectRecokitError } from "../helpers.js";

/** Tolerance of float comparisons below: every value is a handful of flops away from the reference. */
const TOL = 1e-12;

function norm(xs: readonly number[]): number {
  return Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let j = 0; j < a.length; j++) dot += a[j]! * b[j]!;
  return dot / (norm(a) * norm(b));
}

describe("fitContentFeatures: text fields", () => {
  const items = deepFreeze([
    { id: "a", title: "red shoes" },
    { id: "b", title: "Red red boots" },
    { id: "c", title: "blue shoes" },
  ]);
  const I1 = Math.log(4 / 3) + 1; // smooth IDF of a term in 2 of 3 items
  const I2 = Math.log(4 / 2) + 1; // … in 1 of 3 items

  it("builds the vocabulary in first-seen order with readable labels", () => {
    const f = fitContentFeatures(items, { fields: [{ kind: "text", name: "title" }] });
    expect(f.features.ids()).toEqual(["title:red", "title:shoes", "title:boots", "title:blue"]);
    expect(f.labels).toEqual(["red", "shoes", "boots", "blue"]);
    expect(f.items.ids()).toEqual(["a", "b", "c"]);
    expectClose(f.featureIdf, [I1, I1, I2, I2], TOL);
  });

  it("weights raw counts by the smooth IDF (hand-computed)", () => {
    const f = fitContentFeatures(items, { fields: [{ kind: "text", name: "title" }], normalize: false });
    const dense = denseOf(f.itemFeatures);
    expectClose(dense[0]!, [I1, I1, 0, 0], TOL);
    expectClose(dense[1]!, [2 * I1, 0, I2, 0], TOL);
    expectClose(dense[2]!, [0, I1, 0, I2], TOL);
  });

  it("L2-normalises every item by default", () => {
    const f = fitContentFeatures(items, { fields: [{ kind: "text", name: "title" }] });
    const dense = denseOf(f.itemFeatures);
    expectClose(dense[0]!, [Math.SQRT1_2, Math.SQRT1_2, 0, 0], TOL);
    const n = Math.sqrt(4 * I1 * I1 + I2 * I2);
    expectClose(dense[1]!, [(2 * I1) / n, 0, I2 / n, 0], TOL);
  });

  it("applies sublinear / binary term frequency and plain IDF", () => {
    const log = fitContentFeatures(items, {
      fields: [{ kind: "text", name: "title", tf: "log" }],
      normalize: false,
    });
    expect(denseOf(log.itemFeatures)[1]![0]).toBeCloseTo((1 + Math.log(2)) * I1, 12);
    const bin = fitContentFeatures(items, {
      fields: [{ kind: "text", name: "title", tf: "binary", idf: "plain" }],
      normalize: false,
    });
    expectClose(denseOf(bin.itemFeatures)[1]!, [Math.log(3 / 2), 0, Math.log(3), 0], TOL);
  });

  it("prunes the vocabulary by minDf, maxDf and maxTerms, and says how much", () => {
    const rows = [
      { id: 1, t: "tea pot red" },
      { id: 2, t: "tea cup red" },
      { id: 3, t: "tea mug blue" },
      { id: 4, t: "tea pot" },
    ];
    const f = fitContentFeatures(rows, { fields: [{ kind: "text", name: "t", minDf: 2, maxDf: 0.75 }] });
    // tea is in 4/4 > 0.75 of the items; cup, mug, blue in only one
    expect(f.features.ids()).toEqual(["t:pot", "t:red"]);
    expect(f.fields[0]).toMatchObject({ kind: "text", prunedTerms: 4, missing: 1 });
    const top = fitContentFeatures(rows, { fields: [{ kind: "text", name: "t", maxTerms: 2 }] });
    // the two most frequent terms (tea 4, then pot/red 2 — ties by first appearance)
    expect(top.features.ids()).toEqual(["t:tea", "t:pot"]);
  });

  it("agrees with core tfidf and bm25 on the training matrix (any catalogue)", () => {
    const word = fc.constantFrom("red", "tea", "pot", "shoe", "运动", "mug", "blue");
    const titles = fc.array(
      fc.array(word, { maxLength: 6 }).map((ws) => ws.join(" ")),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        titles,
        fc.constantFrom("raw", "log", "binary"),
        fc.constantFrom("smooth", "plain"),
        (ts, tf, idf) => {
          const rows = ts.map((title, i) => ({ id: i, title }));
          const tok = { segmenter: null } as const;
          const fitted = fitContentFeatures(rows, {
            fields: [{ kind: "text", name: "title", tf, idf, tokenizer: tok }],
            normalize: false,
          });
          const bm = fitContentFeatures(rows, {
            fields: [{ kind: "text", name: "title", weighting: "bm25", k1: 1.5, b: 0.6, tokenizer: tok }],
            normalize: false,
          });
          // an independent count matrix over the fitted vocabulary
          const r: number[] = [];
          const c: number[] = [];
          rows.forEach((row, i) => {
            for (const t of tokenize(row.title, tok)) {
              r.push(i);
              c.push(fitted.features.indexOf(`title:${t}`));
            }
          });
          const counts = csrFromTriplets(
            { rows: r, cols: c },
            { nRows: rows.length, nCols: fitted.features.size },
          );
          const want = denseOf(tfidf(counts, { tf, idf }));
          const got = denseOf(fitted.itemFeatures);
          for (const [i, row] of want.entries()) expectClose(got[i]!, row, 1e-12);
          const wantBm = denseOf(bm25(counts, { k1: 1.5, b: 0.6 }));
          const gotBm = denseOf(bm.itemFeatures);
          for (const [i, row] of wantBm.entries()) expectClose(gotBm[i]!, row, 1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("fitContentFeatures: CJK titles", () => {
  const rows = [
    { id: 1, title: "2024新款 Nike 运动鞋" },
    { id: 2, title: "Nike 运动鞋 men's" },
    { id: 3, title: "東京 タンブラー" },
  ];

  it("indexes character bigrams when no word segmenter is available", () => {
    const f = fitContentFeatures(rows, {
      fields: [{ kind: "text", name: "title", tokenizer: { segmenter: null } }],
    });
    expect(f.features.ids()).toEqual([
      "title:2024",
      "title:新款",
      "title:nike",
      "title:运动",
      "title:动鞋",
      "title:men",
      "title:東京",
      "title:タン",
      "title:ンブ",
      "title:ブラ",
      "title:ラー",
    ]);
    // the two shoe titles share nike, 运动, 动鞋: new items are cut the same way
    const t = transformContentItems(f, [{ title: "运动鞋" }], { segmenter: null });
    expect(Array.from(t.matrix.indices)).toEqual([3, 4]);
  });

  it("uses an injected segmenter, and the model remembers the settings but not the segmenter", () => {
    const seg = { segment: (s: string) => [{ segment: s, isWordLike: true }] };
    const f = fitContentFeatures(rows, {
      fields: [{ kind: "text", name: "title", tokenizer: { segmenter: seg } }],
    });
    expect(f.features.has("title:运动鞋")).toBe(true);
    expect(f.fields[0]).toMatchObject({ kind: "text", tokenizer: {} });
  });
});

describe("fitContentFeatures: tags, categories, numbers", () => {
  it("merges tag case, keeps the first surface form as label, weights by IDF", () => {
    const f = fitContentFeatures(
      [
        { id: 1, brand: "Nike" },
        { id: 2, brand: " nike " },
        { id: 3, brand: ["Adidas", ""] },
      ],
      { fields: [{ kind: "tags", name: "brand" }], normalize: false },
    );
    expect(f.features.ids()).toEqual(["brand:nike", "brand:adidas"]);
    expect(f.labels).toEqual(["Nike", "Adidas"]);
    expectClose(
      denseOf(f.itemFeatures).flat(),
      [Math.log(4 / 3) + 1, 0, Math.log(4 / 3) + 1, 0, 0, Math.log(2) + 1],
      TOL,
    );
  });

  it("encodes a category path with weighted ancestors (array or separated string)", () => {
    const fields = [{ kind: "category" as const, name: "cat", separator: " > " }];
    const f = fitContentFeatures(
      [
        { id: 1, cat: ["Apparel", "Shoes"] },
        { id: 2, cat: "apparel > Dresses" },
        { id: 3, cat: null },
      ],
      { fields },
    );
    expect(f.features.ids()).toEqual(["cat:apparel", "cat:apparel > shoes", "cat:apparel > dresses"]);
    expect(f.labels).toEqual(["Apparel", "Shoes", "Dresses"]);
    const d = denseOf(f.itemFeatures);
    const n = Math.sqrt(0.25 + 1);
    expectClose(d[0]!, [0.5 / n, 1 / n, 0], TOL);
    expectClose(d[1]!, [0.5 / n, 0, 1 / n], TOL);
    expectClose(d[2]!, [0, 0, 0], TOL);
    expect(f.fields[0]).toMatchObject({ missing: 1 });
    // siblings share their parent: cosine = 0.25 / 1.25
    expect(cosine(d[0]!, d[1]!)).toBeCloseTo(0.2, 12);
    const leafOnly = fitContentFeatures([{ id: 1, cat: ["a", "b"] }], {
      fields: [{ kind: "category", name: "cat", ancestorWeight: 0 }],
    });
    expect(leafOnly.features.ids()).toEqual(["cat:a > b"]);
  });

  it("cuts numbers into quantile bands (simple-statistics, linear interpolation)", () => {
    const rows = [10, 20, 30, 40, 50].map((price, i) => ({ id: i, price }));
    const f = fitContentFeatures(rows, { fields: [{ kind: "numeric", name: "price", bands: 5 }] });
    const field = f.fields[0]!;
    if (field.kind !== "numeric") throw new Error("expected a numeric field");
    // type-7 quantiles of 10…50 at 0.2, 0.4, 0.6, 0.8
    expectClose(field.edges, [18, 26, 34, 42], 1e-9);
    expect(f.labels).toEqual([
      "price band 1",
      "price band 2",
      "price band 3",
      "price band 4",
      "price band 5",
    ]);
    expect(denseOf(f.itemFeatures)).toEqual([
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
    ]);
    // out-of-range new values land in the outer bands
    const t = transformContentItems(f, [{ price: -100 }, { price: 1e6 }, { price: null }]);
    expect(denseOf(t.matrix)).toEqual([
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ]);
  });

  it("spreads to adjacent bands, honours explicit edges and the log transform", () => {
    const rows = [
      { id: 1, p: 5 },
      { id: 2, p: 21 },
      { id: 3, p: 100 },
    ];
    const f = fitContentFeatures(rows, {
      fields: [{ kind: "numeric", name: "p", edges: [20, 40], spread: 0.5, log: true }],
      normalize: false,
    });
    // log(1+21) > log(1+20): band 2; spread gives bands 1 and 3 half weight
    expect(denseOf(f.itemFeatures)).toEqual([
      [1, 0.5, 0],
      [0.5, 1, 0.5],
      [0, 0.5, 1],
    ]);
  });

  it("scales numbers to [0, 1] with the training range, clamping new values", () => {
    const f = fitContentFeatures(
      [
        { id: 1, r: 10 },
        { id: 2, r: 50 },
        { id: 3, r: 30 },
      ],
      { fields: [{ kind: "numeric", name: "r", encode: "scaled" }], normalize: false },
    );
    expect(denseOf(f.itemFeatures)).toEqual([[0], [1], [0.5]]);
    expect(denseOf(transformContentItems(f, [{ r: 1000 }, { r: 20 }]).matrix)).toEqual([[1], [0.25]]);
  });

  it("makes field weights shares of the cosine", () => {
    const rows = [
      { id: "A", color: "red", size: "L" },
      { id: "B", color: "red", size: "M" },
      { id: "C", color: "blue", size: "L" },
    ];
    const f = fitContentFeatures(rows, {
      fields: [
        { kind: "tags", name: "color", weight: 3, idf: false },
        { kind: "tags", name: "size", weight: 1, idf: false },
      ],
    });
    const d = denseOf(f.itemFeatures);
    expect(cosine(d[0]!, d[1]!)).toBeCloseTo(0.75, 12);
    expect(cosine(d[0]!, d[2]!)).toBeCloseTo(0.25, 12);
  });
});

describe("fitContentFeatures: contract", () => {
  it("gives unit rows (or empty ones) and never mutates its input", () => {
    const word = fc.constantFrom("red", "tea", "pot", "shoe", "运动鞋", "mug");
    const row = fc.record({
      title: fc.option(
        fc.array(word, { maxLength: 5 }).map((w) => w.join(" ")),
        { nil: null },
      ),
      tags: fc.array(word, { maxLength: 3 }),
      price: fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 15 }), (raw) => {
        const rows = deepFreeze(raw.map((r, i) => ({ ...r, id: i })));
        const copy = JSON.stringify(rows);
        const f = fitContentFeatures(rows, {
          fields: [
            { kind: "text", name: "title", tokenizer: { segmenter: null } },
            { kind: "tags", name: "tags", weight: 0.5 },
            { kind: "numeric", name: "price", bands: 3, spread: 0.2 },
          ],
        });
        expect(JSON.stringify(rows)).toBe(copy);
        const m = f.itemFeatures;
        for (let r = 0; r < m.nRows; r++) {
          let s = 0;
          for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
            expect(Number.isFinite(m.data[j]!)).toBe(true);
            s += m.data[j]! ** 2;
          }
          if (m.indptr[r + 1]! > m.indptr[r]!) expect(Math.abs(s - 1)).toBeLessThan(1e-12);
        }
        // transforming the training items gives back the fitted matrix exactly
        const t = transformContentItems(f, rows, { segmenter: null });
        expect(Array.from(t.matrix.indptr)).toEqual(Array.from(m.indptr));
        expect(Array.from(t.matrix.indices)).toEqual(Array.from(m.indices));
        expect(Array.from(t.matrix.data)).toEqual(Array.from(m.data));
        expect(Array.from(t.unknownValues).every((u) => u === 0)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it("transforms new items with the fitted vocabulary and counts unknown values", () => {
    const f = fitContentFeatures(
      [
        { id: 1, title: "red shoes", tags: ["sale"] },
        { id: 2, title: "blue shoes", tags: ["new"] },
      ],
      {
        fields: [
          { kind: "text", name: "title" },
          { kind: "tags", name: "tags" },
        ],
      },
    );
    const t = transformContentItems(f, [
      { title: "red boots", tags: ["sale", "summer"] },
      { title: "", tags: [] },
    ]);
    expect(Array.from(t.unknownValues)).toEqual([2, 0]);
    expect(t.matrix.nCols).toBe(f.features.size);
    expect(t.matrix.indptr[2]! - t.matrix.indptr[1]!).toBe(0);
    // custom readers for another row shape
    const other = transformContentItems(f, [{ name: "red shoes" }], {
      accessors: { title: (r: { name: string }) => r.name },
    });
    expect(other.matrix.indptr[1]).toBe(2);
  });

  it("rejects bad items and specs, naming the row and field", () => {
    const fields = [{ kind: "text" as const, name: "title" }];
    expectRecokitError(() => fitContentFeatures([], { fields }), "EMPTY_DATA");
    expectRecokitError(
      () =>
        fitContentFeatures(
          [
            { id: 1, title: "ok" },
            { id: 2, title: 42 },
          ],
          { fields },
        ),
      "INVALID_INPUT",
      /row 1: field "title": expected a string/,
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1 }, { id: 1 }], { fields }),
      "INVALID_INPUT",
      "row 1: duplicate item id 1",
    );
    expectRecokitError(
      () => fitContentFeatures([{ title: "x" }], { fields }),
      "INVALID_INPUT",
      "row 0: item id",
    );
    expectRecokitError(() => fitContentFeatures([null], { fields }), "INVALID_INPUT", "row 0");
    expectRecokitError(
      () => fitContentFeatures([{ id: 1 }], { fields: [{ kind: "text", name: "a:b" }] }),
      "INVALID_INPUT",
      "name",
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1 }], { fields: [...fields, ...fields] }),
      "INVALID_INPUT",
      "duplicate field",
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1 }], { fields: [{ kind: "image", name: "x" } as never] }),
      "INVALID_INPUT",
      "kind",
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1, p: -1 }], { fields: [{ kind: "numeric", name: "p", log: true }] }),
      "INVALID_INPUT",
      /row 0: field "p"/,
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1, p: Number.NaN }], { fields: [{ kind: "numeric", name: "p" }] }),
      "INVALID_INPUT",
      /row 0: field "p": expected a finite number/,
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1 }], { fields: [{ kind: "numeric", name: "p", edges: [2, 1] }] }),
      "INVALID_INPUT",
      "increasing",
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1 }], { fields: [{ kind: "text", name: "t", weight: -1 }] }),
      "INVALID_INPUT",
      "weight",
    );
    expectRecokitError(
      () => fitContentFeatures([{ id: 1, tags: [1] }], { fields: [{ kind: "tags", name: "tags" }] }),
      "INVALID_INPUT",
      /row 0: field "tags"/,
    );
  });

  it("stops when the signal is aborted", () => {
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(
      () =>
        fitContentFeatures([{ id: 1, t: "x" }], {
          fields: [{ kind: "text", name: "t" }],
          signal: controller.signal,
        }),
      "ABORTED",
    );
  });
});
