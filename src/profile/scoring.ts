import { RecokitError } from "../core/errors.js";
import type { Id, IdIndex } from "../core/id-index.js";
import { checkProfilesShape } from "./build.js";
import { parseProfileTag } from "./catalogue.js";
import { userRow } from "./portrait.js";
import type { TagProfiles } from "./types.js";

/** Options of {@link profileItemScores}. */
export interface ProfileItemScoresOptions {
  /** Only tags of these facets count (default: all). */
  readonly facets?: readonly string[];
}

/** A score per catalogue item for one user. */
export interface ProfileItemScores {
  /** The catalogue's items (the order of `scores`). */
  readonly items: IdIndex;
  /** Score of each item; NaN for an item without (counted) tags: it cannot be scored. */
  readonly scores: Float64Array;
}

/**
 * Scores every catalogue item against a user's profile, for content-based and hybrid ranking:
 * `score(i) = Σ_{t ∈ T(i)} s(u, t) / √|T(i)|`, the user's tag scores summed over the item's tags
 * `T(i)` and divided by the item's tag-vector norm (the cosine between the user's score vector and the
 * item's binary tag vector, up to the user's own norm, which does not change the ranking). Items
 * without tags score NaN ("cannot score"); rank with core `topK`, blend with the hybrid module.
 * O(catalogue tag entries + user's tags).
 *
 * @param profiles - the profiles
 * @param user - a user id of the profiles
 * @param options - facet filter
 * @returns the catalogue ids and one score per item
 * @throws RecokitError `UNKNOWN_USER` for an unknown user.
 * @example
 * ```ts
 * import { buildProfiles, profileItemScores, topK } from "recokit";
 * const items = [
 *   { id: "tent", category: "outdoor", brand: "Summit" },
 *   { id: "pole", category: "outdoor", brand: "Kaili" },
 *   { id: "tee", category: "fashion", brand: "Uniq" },
 * ];
 * const profiles = buildProfiles([{ user: "ann", item: "tent", type: "view", timestamp: 0 }], { items });
 * const { items: ids, scores } = profileItemScores(profiles, "ann");
 * ids.idsAt(topK(scores, 2).ids); // ["tent", "pole"]
 * ```
 */
export function profileItemScores(
  profiles: TagProfiles,
  user: Id,
  options: ProfileItemScoresOptions = {},
): ProfileItemScores {
  const where = "profileItemScores";
  checkProfilesShape(where, profiles);
  if (options.facets !== undefined && !Array.isArray(options.facets))
    throw new RecokitError("INVALID_INPUT", where, "facets must be an array of facet names");
  const u = userRow(where, profiles, user);
  const nTags = profiles.tags.size;
  let counted: Uint8Array | undefined;
  if (options.facets !== undefined) {
    const wanted = new Set(options.facets);
    counted = new Uint8Array(nTags);
    for (let t = 0; t < nTags; t++)
      counted[t] = wanted.has(parseProfileTag(String(profiles.tags.idAt(t))).facet) ? 1 : 0;
  }
  const dense = new Float64Array(nTags);
  const m = profiles.scores;
  for (let j = m.indptr[u]!; j < m.indptr[u + 1]!; j++) dense[m.indices[j]!] = m.data[j]!;
  const it = profiles.catalogue.itemTags;
  const scores = new Float64Array(it.nRows);
  for (let i = 0; i < it.nRows; i++) {
    let sum = 0;
    let n = 0;
    for (let j = it.indptr[i]!; j < it.indptr[i + 1]!; j++) {
      const t = it.indices[j]!;
      if (counted !== undefined && counted[t] === 0) continue;
      sum += dense[t]!;
      n++;
    }
    scores[i] = n === 0 ? Number.NaN : sum / Math.sqrt(n);
  }
  return { items: profiles.catalogue.items, scores };
}
