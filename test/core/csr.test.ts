import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  balancedRange,
  fillPermutedRows,
  fillTransposeColumns,
  permutedIndptr,
  transposeIndptr,
} from "../../src/core/csr.js";
import {
  assertCsr,
  binarize,
  bm25,
  type Csr,
  centerRows,
  colCounts,
  colSums,
  csrFromDense,
  csrFromTriplets,
  type DuplicateRule,
  getColumn,
  getRow,
  getValue,
  isFloat32Exact,
  l2Normalize,
  permuteRows,
  rowMeans,
  rowNorms,
  rowSums,
  tfidf,
  toDense,
  transpose,
} from "../../src/core/index.js";
import { denseOf, expectClose, expectRecokitError } from "../helpers.js";

const triplets = fc
  .record({ nRows: fc.integer({ min: 1, max: 8 }), nCols: fc.integer({ min: 1, max: 8 }) })
  .chain(({ nRows, nCols }) =>
    fc.record({
      nRows: fc.constant(nRows),
      nCols: fc.constant(nCols),
      entries: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: nRows - 1 }),
          fc.integer({ min: 0, max: nCols - 1 }),
          fc.integer({ min: -5, max: 5 }),
        ),
        { maxLength: 40 },
      ),
    }),
  );

function denseReference(
  nRows: number,
  nCols: number,
  entries: [number, number, number][],
  rule: DuplicateRule,
): number[][] {
  const out = Array.from({ length: nRows }, () => new Array<number>(nCols).fill(0));
  const seen = new Set<string>();
  for (const [r, c, v] of entries) {
    const key = `${r},${c}`;
    const first = !seen.has(key);
    seen.add(key);
    const row = out[r]!;
    if (rule === "sum") row[c]! += v;
    else if (rule === "count") row[c]! += 1;
    else if (rule === "last") row[c] = v;
    else row[c] = first ? v : Math.max(row[c]!, v);
  }
  return out;
}

const build = (
  nRows: number,
  nCols: number,
  entries: [number, number, number][],
  duplicates: DuplicateRule,
): Csr =>
  csrFromTriplets(
    { rows: entries.map((e) => e[0]), cols: entries.map((e) => e[1]), values: entries.map((e) => e[2]) },
    { nRows, nCols, duplicates },
  );

describe("csrFromTriplets", () => {
  it("combines duplicates by each rule and matches a dense reference (property)", () => {
    for (const rule of ["sum", "max", "last", "count"] as const) {
      fc.assert(
        fc.property(triplets, ({ nRows, nCols, entries }) => {
          const m = build(nRows, nCols, entries, rule);
          assertCsr("test", m);
          expect(denseOf(m)).toEqual(denseReference(nRows, nCols, entries, rule));
          const distinctCells = new Set(entries.map(([r, c]) => `${r},${c}`)).size;
          expect(m.indices.length).toBe(distinctCells);
        }),
      );
    }
  });

  it("builds the documented example", () => {
    const m = csrFromTriplets({ rows: [0, 1, 0, 0], cols: [2, 0, 2, 1], values: [1, 5, 2, 3] });
    expect(Array.from(m.indptr)).toEqual([0, 2, 3]);
    expect(Array.from(m.indices)).toEqual([1, 2, 0]);
    expect(Array.from(m.data)).toEqual([3, 3, 5]);
  });

  it("handles empty input and explicit shapes", () => {
    const empty = csrFromTriplets({ rows: [], cols: [] });
    expect([empty.nRows, empty.nCols, empty.indices.length]).toEqual([0, 0, 0]);
    const shaped = csrFromTriplets({ rows: [], cols: [] }, { nRows: 3, nCols: 2 });
    expect(Array.from(shaped.indptr)).toEqual([0, 0, 0, 0]);
  });

  it("stores float32 when asked", () => {
    const m = csrFromTriplets({ rows: [0], cols: [0], values: [0.1] }, { dtype: "float32" });
    expect(m.data).toBeInstanceOf(Float32Array);
  });

  it("rejects malformed triplets with a typed error", () => {
    expectRecokitError(() => csrFromTriplets({ rows: [0, 1], cols: [0] }), "INVALID_INPUT", /same length/);
    expectRecokitError(
      () => csrFromTriplets({ rows: [0], cols: [5] }, { nCols: 2 }),
      "INVALID_INPUT",
      /entry 0: column 5/,
    );
    expectRecokitError(() => csrFromTriplets({ rows: [-1], cols: [0] }), "INVALID_INPUT", /row -1/);
    expectRecokitError(() => csrFromTriplets({ rows: [0.5], cols: [0] }), "INVALID_INPUT");
    expectRecokitError(
      () => csrFromTriplets({ rows: [0], cols: [0], values: [Number.NaN] }),
      "INVALID_INPUT",
      /value NaN is not a finite/,
    );
    expectRecokitError(
      () => csrFromTriplets({ rows: [0], cols: [0] }, { duplicates: "mean" as DuplicateRule }),
      "INVALID_INPUT",
      /duplicates rule/,
    );
  });

  it("never mutates its inputs", () => {
    const rows = Object.freeze([2, 0, 1, 0]);
    const cols = Object.freeze([1, 1, 0, 1]);
    const values = Object.freeze([1, 2, 3, 4]);
    const m = csrFromTriplets({ rows, cols, values });
    expect(rows).toEqual([2, 0, 1, 0]);
    expect(getValue(m, 0, 1)).toBe(6);
  });
});

describe("structure", () => {
  it("transpose twice is the identity and transpose matches the dense transpose (property)", () => {
    fc.assert(
      fc.property(triplets, ({ nRows, nCols, entries }) => {
        const m = build(nRows, nCols, entries, "sum");
        const t = transpose(m);
        assertCsr("test", t);
        const d = denseOf(m);
        expect(denseOf(t)).toEqual(d[0]!.map((_, c) => d.map((row) => row[c]!)));
        const back = transpose(t);
        expect(Array.from(back.indptr)).toEqual(Array.from(m.indptr));
        expect(Array.from(back.indices)).toEqual(Array.from(m.indices));
        expect(Array.from(back.data)).toEqual(Array.from(m.data));
      }),
    );
  });

  it("transpose reports where each stored entry lands (property)", () => {
    fc.assert(
      fc.property(triplets, ({ nRows, nCols, entries }) => {
        const m = build(nRows, nCols, entries, "sum");
        const positions = new Int32Array(m.indices.length);
        const t = transpose(m, positions);
        for (let r = 0; r < m.nRows; r++) {
          for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
            const p = positions[j]!;
            const c = m.indices[j]!;
            expect(p).toBeGreaterThanOrEqual(t.indptr[c]!);
            expect(p).toBeLessThan(t.indptr[c + 1]!);
            expect(t.indices[p]).toBe(r);
            expect(t.data[p]).toBe(m.data[j]);
          }
        }
      }),
    );
    expectRecokitError(() => transpose(csrFromDense([[1, 2]]), new Int32Array(1)), "INVALID_INPUT");
  });

  it("builds a transpose and a row permutation range by range, equal to the whole (property)", () => {
    fc.assert(
      fc.property(
        triplets,
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        ({ nRows, nCols, entries }, parts, seed) => {
          const m = build(nRows, nCols, entries, "sum");
          const positions = new Int32Array(m.indices.length);
          const whole = transpose(m, positions);
          const t: Csr = {
            nRows: nCols,
            nCols: nRows,
            indptr: transposeIndptr(m),
            indices: new Int32Array(m.indices.length).fill(-1),
            data: new Float64Array(m.indices.length).fill(Number.NaN),
          };
          const partPositions = new Int32Array(m.indices.length).fill(-1);
          // the ranges cover every column once, in order
          let covered = 0;
          for (let part = 0; part < parts; part++) {
            const [from, to] = balancedRange(t.indptr, nCols, part, parts);
            expect(from).toBe(covered);
            expect(to).toBeGreaterThanOrEqual(from);
            covered = to;
            fillTransposeColumns(m, t, partPositions, from, to);
          }
          expect(covered).toBe(nCols);
          expect(Array.from(t.indptr)).toEqual(Array.from(whole.indptr));
          expect(Array.from(t.indices)).toEqual(Array.from(whole.indices));
          expect(Array.from(t.data)).toEqual(Array.from(whole.data));
          expect(Array.from(partPositions)).toEqual(Array.from(positions));
          // a shuffled row order, copied part by part
          const order = Int32Array.from({ length: nRows }, (_, i) => i);
          for (let i = nRows - 1; i > 0; i--) {
            const j = (seed + i * 7919) % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const expected = permuteRows(m, order, undefined, "float32");
          const p: Csr = {
            nRows,
            nCols,
            indptr: permutedIndptr(m, order),
            indices: new Int32Array(m.indices.length),
            data: new Float32Array(m.indices.length),
          };
          for (let part = 0; part < parts; part++) {
            const [from, to] = balancedRange(p.indptr, nRows, part, parts);
            fillPermutedRows(m, order, p, from, to);
          }
          expect(Array.from(p.indptr)).toEqual(Array.from(expected.indptr));
          expect(Array.from(p.indices)).toEqual(Array.from(expected.indices));
          expect(Array.from(p.data)).toEqual(Array.from(expected.data));
        },
      ),
    );
  });

  it("cuts weighted items into runs of about equal weight", () => {
    // weights 5, 1, 1, 1, 1, 1: half of 10 is reached after the first item
    const cumulative = Int32Array.from([0, 5, 6, 7, 8, 9, 10]);
    expect(balancedRange(cumulative, 6, 0, 2)).toEqual([0, 1]);
    expect(balancedRange(cumulative, 6, 1, 2)).toEqual([1, 6]);
    expect(balancedRange(cumulative, 6, 0, 1)).toEqual([0, 6]);
    // no weight at all: the last part takes everything
    const empty = new Int32Array(4);
    expect(balancedRange(empty, 3, 0, 2)).toEqual([0, 0]);
    expect(balancedRange(empty, 3, 1, 2)).toEqual([0, 3]);
  });

  it("reads rows, columns, values, sums, counts and norms", () => {
    const m = csrFromDense([
      [3, 0, 4],
      [0, 0, 0],
      [1, 2, 0],
    ]);
    expect(Array.from(getRow(m, 0).indices)).toEqual([0, 2]);
    expect(Array.from(getRow(m, 1).values)).toEqual([]);
    expect(Array.from(getColumn(m, 0).indices)).toEqual([0, 2]);
    expect(Array.from(getColumn(m, 0).values)).toEqual([3, 1]);
    expect(getValue(m, 2, 1)).toBe(2);
    expect(getValue(m, 1, 1)).toBe(0);
    expect(Array.from(rowSums(m))).toEqual([7, 0, 3]);
    expect(Array.from(colSums(m))).toEqual([4, 2, 4]);
    expect(Array.from(colCounts(m))).toEqual([2, 1, 1]);
    expectClose(rowNorms(m), [5, 0, Math.sqrt(5)]);
    expectClose(rowMeans(m), [3.5, 0, 1.5]);
    expectRecokitError(() => getRow(m, 3), "INVALID_INPUT");
  });

  it("permutes rows, optionally into Float32, and tells which values Float32 holds exactly", () => {
    const m = csrFromDense([
      [1, 0, 2],
      [0, 3, 0],
      [4, 5, 6],
    ]);
    const p = permuteRows(m, Int32Array.from([2, 0, 1]));
    expect(denseOf(p)).toEqual([
      [4, 5, 6],
      [1, 0, 2],
      [0, 3, 0],
    ]);
    expect(p.data).toBeInstanceOf(Float64Array);
    // the identity order shares the matrix, unless another storage type is asked for
    expect(permuteRows(m, Int32Array.from([0, 1, 2]))).toBe(m);
    const narrow = permuteRows(m, Int32Array.from([0, 1, 2]), undefined, "float32");
    expect(narrow.data).toBeInstanceOf(Float32Array);
    expect(denseOf(narrow)).toEqual(denseOf(m));
    expect(isFloat32Exact(Float64Array.from([1, 5, 0.5, -3, 2 ** 24, 1e30 * 0]))).toBe(true);
    expect(isFloat32Exact(Float64Array.from([1, 0.1]))).toBe(false);
    expect(isFloat32Exact(Float64Array.from([2 ** 24 + 1]))).toBe(false);
    expect(isFloat32Exact(new Float32Array([0.1]))).toBe(true);
  });

  it("converts to and from ml-matrix, refusing huge dense requests", () => {
    const m = csrFromDense([
      [0, 1],
      [2, 0],
    ]);
    expect(toDense(m).to2DArray()).toEqual([
      [0, 1],
      [2, 0],
    ]);
    expect(denseOf(csrFromDense(toDense(m)))).toEqual(denseOf(m));
    const huge: Csr = {
      nRows: 100_000,
      nCols: 100_000,
      indptr: new Int32Array(100_001),
      indices: new Int32Array(0),
      data: new Float64Array(0),
    };
    expectRecokitError(() => toDense(huge), "TOO_LARGE", /dense limit/);
  });

  it("assertCsr finds defects", () => {
    const good = csrFromDense([[1, 2]]);
    expectRecokitError(
      () => assertCsr("f", { ...good, indices: Int32Array.from([1, 0]) }),
      "INVALID_INPUT",
      /strictly increasing/,
    );
    expectRecokitError(
      () => assertCsr("f", { ...good, data: Float64Array.from([1, Number.NaN]) }),
      "INVALID_INPUT",
      /not finite/,
    );
    expectRecokitError(() => assertCsr("f", { ...good, nCols: 1 }), "INVALID_INPUT", /out of range/);
  });
});

describe("weighting transforms (hand-computed fixtures)", () => {
  // documents × terms
  const m = csrFromDense([
    [1, 2, 0],
    [0, 1, 3],
    [4, 0, 0],
  ]);

  it("l2Normalize by rows and by columns", () => {
    const byRow = l2Normalize(m);
    expectClose(byRow.data, [1 / Math.sqrt(5), 2 / Math.sqrt(5), 1 / Math.sqrt(10), 3 / Math.sqrt(10), 1]);
    const byCol = l2Normalize(m, "cols");
    expectClose(byCol.data, [1 / Math.sqrt(17), 2 / Math.sqrt(5), 1 / Math.sqrt(5), 1, 4 / Math.sqrt(17)]);
    const zero = l2Normalize(csrFromTriplets({ rows: [0], cols: [0], values: [0] }));
    expect(Array.from(zero.data)).toEqual([0]);
  });

  it("binarize drops stored zeros and sets the rest to 1", () => {
    const b = binarize(csrFromTriplets({ rows: [0, 0, 1], cols: [0, 1, 0], values: [5, 0, -2] }));
    expect(denseOf(b)).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it("centerRows subtracts the mean of stored entries and keeps the pattern", () => {
    const c = centerRows(m);
    expectClose(c.data, [-0.5, 0.5, -1, 1, 0]);
    expect(c.indices.length).toBe(5);
  });

  it("tfidf, smooth and plain idf, raw/log/binary tf", () => {
    // df = [2, 2, 1], N = 3
    const smooth = [Math.log(4 / 3) + 1, Math.log(4 / 3) + 1, Math.log(4 / 2) + 1];
    expectClose(tfidf(m).data, [
      1 * smooth[0]!,
      2 * smooth[1]!,
      1 * smooth[1]!,
      3 * smooth[2]!,
      4 * smooth[0]!,
    ]);
    const plain = [Math.log(3 / 2), Math.log(3 / 2), Math.log(3)];
    expectClose(tfidf(m, { idf: "plain", tf: "binary" }).data, [
      plain[0]!,
      plain[1]!,
      plain[1]!,
      plain[2]!,
      plain[0]!,
    ]);
    expectClose(tfidf(m, { idf: "plain", tf: "log" }).data, [
      plain[0]!,
      (1 + Math.log(2)) * plain[1]!,
      plain[1]!,
      (1 + Math.log(3)) * plain[2]!,
      (1 + Math.log(4)) * plain[0]!,
    ]);
    const normed = tfidf(m, { normalize: true });
    expectClose(rowNorms(normed), [1, 1, 1]);
  });

  it("bm25 with k1 = 1.2, b = 0.75", () => {
    const k1 = 1.2;
    const b = 0.75;
    const lengths = [3, 4, 4];
    const avg = 11 / 3;
    const idf = (df: number): number => Math.log(1 + (3 - df + 0.5) / (df + 0.5));
    const w = (x: number, r: number, df: number): number =>
      ((x * (k1 + 1)) / (x + k1 * (1 - b + (b * lengths[r]!) / avg))) * idf(df);
    expectClose(bm25(m).data, [w(1, 0, 2), w(2, 0, 2), w(1, 1, 2), w(3, 1, 1), w(4, 2, 2)]);
    expectRecokitError(() => bm25(m, { b: 2 }), "INVALID_INPUT", /b in \[0, 1\]/);
  });

  it("transforms never write to their input", () => {
    const before = Array.from(m.data);
    for (const f of [l2Normalize, binarize, centerRows, tfidf, bm25, transpose]) f(m);
    expect(Array.from(m.data)).toEqual(before);
  });
});
