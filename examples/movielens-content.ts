/**
 * MovieLens 100K as content, shared by `content-movielens.ts` and the real-data content suite:
 * movies from `u.item` (title without its year) and their content fields.
 */
import { type ContentFieldSpec, ENGLISH_STOP_WORDS } from "../src/content/index.js";
import { parseMovieLensItems } from "../src/datasets/index.js";

/** A movie as content: genres, title words and release year. */
export interface Movie {
  readonly id: number;
  readonly title: string;
  readonly genres: readonly string[];
  readonly year: number | null;
}

/** Movies of a `u.item` file, titles stripped of their trailing "(year)". */
export function parseMovies(text: string): Movie[] {
  return parseMovieLensItems(text).map((m) => ({
    id: m.id,
    title: m.title.replace(/\s*\(\d{4}\)\s*$/, ""),
    genres: m.genres,
    year: m.year,
  }));
}

/** Genres (IDF-weighted tags), title words (TF-IDF, English stop words) and release year (10 bands). */
export function movieFields(titleWeight: number, yearWeight: number): ContentFieldSpec<Movie>[] {
  const fields: ContentFieldSpec<Movie>[] = [
    { kind: "tags", name: "genres" },
    { kind: "numeric", name: "year", bands: 10, spread: 0.5, weight: yearWeight },
  ];
  if (titleWeight > 0)
    fields.push({
      kind: "text",
      name: "title",
      weight: titleWeight,
      tokenizer: { stopWords: [...ENGLISH_STOP_WORDS] },
    });
  return fields;
}
