import { type Csr, csrFromTriplets } from "../core/csr.js";
import { RecokitError } from "../core/errors.js";
import { describeValue, type Id, IdIndex, isValidId } from "../core/id-index.js";
import type { Accessor } from "../core/interactions.js";
import type { ProfileCatalogueState, ProfileItem } from "./types.js";

/** Separator of the levels of a `path:` tag. */
export const PATH_SEPARATOR = " > ";

/** Item readers, as given to a build or an update. @internal */
export interface ItemReaders<I> {
  readonly itemId?: Accessor<I, Id> | undefined;
  readonly itemTags?: Accessor<I, readonly string[]> | undefined;
  readonly itemPrice?: Accessor<I, number | undefined> | undefined;
  readonly itemPriceGroup?: Accessor<I, string | undefined> | undefined;
}

/**
 * Splits a tag `"facet:value"` at its first colon.
 *
 * @param tag - a profile tag
 * @returns its facet and value (facet `""` for a string without a colon)
 * @example
 * ```ts
 * import { parseProfileTag } from "recokit";
 * parseProfileTag("path:apparel > shoes"); // { facet: "path", value: "apparel > shoes" }
 * ```
 */
export function parseProfileTag(tag: string): { facet: string; value: string } {
  const i = tag.indexOf(":");
  return i < 0 ? { facet: "", value: tag } : { facet: tag.slice(0, i), value: tag.slice(i + 1) };
}

/** Whether `tag` is a well-formed `"facet:value"` with both parts non-empty. @internal */
export function isProfileTag(tag: unknown): tag is string {
  if (typeof tag !== "string") return false;
  const i = tag.indexOf(":");
  return i > 0 && i < tag.length - 1;
}

const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/**
 * Tag strings `"facet:value"`, each made once per catalogue: values repeat from item to item (a
 * category, a brand), so the tags of most items are strings already made, and already hashed by the
 * tag index. @internal
 */
class TagNames {
  readonly #byFacet = new Map<string, Map<string, string>>();

  /** The tag of `value` in `facet`. */
  of(facet: string, value: string): string {
    let names = this.#byFacet.get(facet);
    if (names === undefined) {
      names = new Map();
      this.#byFacet.set(facet, names);
    }
    let tag = names.get(value);
    if (tag === undefined) {
      tag = `${facet}:${value}`;
      names.set(value, tag);
    }
    return tag;
  }
}

/** The tags of a {@link ProfileItem} by the default rules (price band excluded). @internal */
export function defaultItemTags(
  where: string,
  item: ProfileItem,
  at: string,
  names: TagNames = new TagNames(),
): string[] {
  if (item === null || typeof item !== "object")
    throw new RecokitError("INVALID_INPUT", where, `${at} is not an object`);
  const out: string[] = [];
  const path = item.categoryPath;
  if (path !== undefined) {
    if (!Array.isArray(path) || !path.every(str))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${at}: categoryPath must be an array of non-empty strings`,
      );
  }
  const category =
    item.category ?? (path !== undefined && path.length > 0 ? path[path.length - 1] : undefined);
  if (category !== undefined) {
    if (!str(category))
      throw new RecokitError("INVALID_INPUT", where, `${at}: category must be a non-empty string`);
    out.push(names.of("category", category));
  }
  if (path !== undefined) {
    for (let level = 1; level < path.length; level++)
      out.push(names.of("path", level === 1 ? path[0]! : path.slice(0, level).join(PATH_SEPARATOR)));
  }
  if (item.brand !== undefined) {
    if (!str(item.brand))
      throw new RecokitError("INVALID_INPUT", where, `${at}: brand must be a non-empty string`);
    out.push(names.of("brand", item.brand));
  }
  if (item.tags !== undefined) {
    if (!Array.isArray(item.tags) || !item.tags.every(str))
      throw new RecokitError("INVALID_INPUT", where, `${at}: tags must be an array of non-empty strings`);
    for (let k = 0; k < item.tags.length; k++) out.push(names.of("tag", item.tags[k]!));
  }
  if (item.priceBand !== undefined) {
    if (!str(item.priceBand))
      throw new RecokitError("INVALID_INPUT", where, `${at}: priceBand must be a non-empty string`);
    out.push(names.of("price", item.priceBand));
  }
  if (item.attributes !== undefined) {
    if (item.attributes === null || typeof item.attributes !== "object")
      throw new RecokitError("INVALID_INPUT", where, `${at}: attributes must be an object`);
    for (const [key, value] of Object.entries(item.attributes)) {
      const ok =
        typeof value === "boolean" || str(value) || (typeof value === "number" && Number.isFinite(value));
      if (key.length === 0 || !ok)
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `${at}: attribute ${JSON.stringify(key)} must be a string, finite number or boolean, got ${describeValue(value)}`,
        );
      out.push(names.of(key, String(value)));
    }
  }
  return out;
}

interface ReadItem {
  readonly id: Id;
  readonly tags: readonly string[];
  readonly price: number;
  readonly group: string | undefined;
  /** Whether the default reader found an explicit price band. */
  readonly explicitBand: boolean;
}

function readItems<I>(
  where: string,
  items: readonly I[],
  readers: ItemReaders<I>,
  names: TagNames,
): ReadItem[] {
  if (!Array.isArray(items)) throw new RecokitError("INVALID_INPUT", where, "items must be an array");
  const out: ReadItem[] = [];
  const seen = new Set<Id>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const at = `items[${i}]`;
    if (item === null || item === undefined) throw new RecokitError("INVALID_INPUT", where, `${at} is empty`);
    const id = readers.itemId !== undefined ? readers.itemId(item, i) : (item as unknown as ProfileItem).id;
    if (!isValidId(id))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${at}: id ${describeValue(id)} is not a string or finite number`,
      );
    if (seen.has(id))
      throw new RecokitError("INVALID_INPUT", where, `${at}: item id ${describeValue(id)} is repeated`);
    seen.add(id);
    let tags: readonly string[];
    let explicitBand = false;
    if (readers.itemTags !== undefined) {
      const given = readers.itemTags(item, i);
      if (!Array.isArray(given))
        throw new RecokitError("INVALID_INPUT", where, `${at}: itemTags must return an array`);
      for (const t of given) {
        if (!isProfileTag(t))
          throw new RecokitError(
            "INVALID_INPUT",
            where,
            `${at}: tag ${describeValue(t)} is not of the form "facet:value" (both parts non-empty)`,
          );
      }
      tags = given;
    } else {
      const p = item as unknown as ProfileItem;
      tags = defaultItemTags(where, p, at, names);
      explicitBand = p.priceBand !== undefined;
    }
    const rawPrice =
      readers.itemPrice !== undefined ? readers.itemPrice(item, i) : (item as unknown as ProfileItem).price;
    let price = Number.NaN;
    if (rawPrice !== undefined && rawPrice !== null) {
      if (typeof rawPrice !== "number" || !Number.isFinite(rawPrice) || rawPrice < 0)
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `${at}: price ${describeValue(rawPrice)} is not a finite number ≥ 0`,
        );
      price = rawPrice;
    }
    let group: string | undefined;
    if (readers.itemPriceGroup !== undefined) {
      const g = readers.itemPriceGroup(item, i);
      if (g !== undefined && !str(g))
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `${at}: price group must be a non-empty string or undefined`,
        );
      group = g;
    } else {
      const p = item as unknown as ProfileItem;
      const path = Array.isArray(p.categoryPath) ? p.categoryPath : undefined;
      const c = p.category ?? (path !== undefined && path.length > 0 ? path[path.length - 1] : undefined);
      group = str(c) ? c : undefined;
    }
    out.push({ id, tags, price, group, explicitBand });
  }
  return out;
}

/**
 * Builds the catalogue state (or extends `previous` with the items it does not hold yet): item
 * tags are added to `tagBuilder` in item order; price groups get sorted price lists; items get a
 * price band by the mid-rank percentile of their price within their group ({@link midRank}).
 * Items already in `previous` keep their stored tags and the existing groups keep their price lists,
 * so earlier events keep meaning what they meant. @internal
 */
export function buildCatalogue<I>(
  where: string,
  items: readonly I[] | undefined,
  readers: ItemReaders<I>,
  priceBands: readonly string[],
  tagBuilder: { add(tag: string): number; readonly size: number },
  previous: ProfileCatalogueState | undefined,
): ProfileCatalogueState {
  const names = new TagNames();
  const read = items === undefined ? [] : readItems(where, items, readers, names);
  const fresh = previous === undefined ? read : read.filter((it) => !previous.items.has(it.id));
  if (previous !== undefined && fresh.length === 0) return previous;

  // price groups: existing ones are kept as they are; new groups are made from the new items
  const groupNames = previous === undefined ? [] : [...previous.priceGroups];
  const groupIndex = new Map<string, number>(groupNames.map((g, i) => [g, i]));
  const newGroupPrices = new Map<number, number[]>();
  const firstNewGroup = groupNames.length;
  for (const it of fresh) {
    if (it.group === undefined) continue;
    let g = groupIndex.get(it.group);
    if (g === undefined) {
      g = groupNames.length;
      groupNames.push(it.group);
      groupIndex.set(it.group, g);
    }
    if (g >= firstNewGroup && !Number.isNaN(it.price)) {
      const list = newGroupPrices.get(g) ?? [];
      list.push(it.price);
      newGroupPrices.set(g, list);
    }
  }
  const pricePtr = new Int32Array(groupNames.length + 1);
  const values: number[] = [];
  for (let g = 0; g < groupNames.length; g++) {
    if (g < firstNewGroup) {
      const p = previous!;
      for (let j = p.pricePtr[g]!; j < p.pricePtr[g + 1]!; j++) values.push(p.priceValues[j]!);
    } else {
      const list = (newGroupPrices.get(g) ?? []).sort((a, b) => a - b);
      for (const v of list) values.push(v);
    }
    pricePtr[g + 1] = values.length;
  }
  const priceValues = Float64Array.from(values);

  const nOld = previous?.items.size ?? 0;
  const ids: Id[] = previous === undefined ? [] : previous.items.ids();
  const rows: number[] = [];
  const cols: number[] = [];
  if (previous !== undefined) {
    const m = previous.itemTags;
    for (let r = 0; r < m.nRows; r++) {
      for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) {
        rows.push(r);
        cols.push(m.indices[j]!);
      }
    }
  }
  const nAll = nOld + fresh.length;
  const itemPrice = new Float64Array(nAll);
  const itemPriceGroup = new Int32Array(nAll);
  if (previous !== undefined) {
    itemPrice.set(previous.itemPrice);
    itemPriceGroup.set(previous.itemPriceGroup);
  }
  for (let k = 0; k < fresh.length; k++) {
    const it = fresh[k]!;
    const r = nOld + k;
    ids.push(it.id);
    itemPrice[r] = it.price;
    const g = it.group === undefined ? -1 : groupIndex.get(it.group)!;
    itemPriceGroup[r] = g;
    for (let k = 0; k < it.tags.length; k++) {
      rows.push(r);
      cols.push(tagBuilder.add(it.tags[k]!));
    }
    if (!it.explicitBand && g >= 0 && !Number.isNaN(it.price)) {
      const band = priceBandOf(priceValues, pricePtr[g]!, pricePtr[g + 1]!, it.price, priceBands);
      if (band !== undefined) {
        rows.push(r);
        cols.push(tagBuilder.add(names.of("price", band)));
      }
    }
  }
  const itemTags: Csr = csrFromTriplets(
    { rows, cols },
    { nRows: nAll, nCols: tagBuilder.size, duplicates: "max" },
  );
  return {
    items: IdIndex.from(ids),
    itemTags,
    itemPrice,
    itemPriceGroup,
    priceGroups: groupNames,
    pricePtr,
    priceValues,
  };
}

/** Band of `price` within the sorted group prices `values[start … end-1]`, or undefined. */
function priceBandOf(
  values: Float64Array,
  start: number,
  end: number,
  price: number,
  bands: readonly string[],
): string | undefined {
  const n = end - start;
  if (bands.length === 0 || n < bands.length) return undefined;
  const q = midRank(values, start, end, price);
  return bands[Math.min(bands.length - 1, Math.floor(q * bands.length))];
}

/**
 * Mid-rank percentile of `x` among the sorted `values[start … end-1]`: `(below + equal / 2) / n`
 * (the share of values below `x` plus half the share equal to it; Hazen's plotting position). A single
 * price is at 0.5 of its own group, the cheapest of n distinct prices at 1/(2n), the dearest at
 * 1 − 1/(2n), so the mean over a group is exactly 0.5. Two binary searches. @internal
 */
export function midRank(values: Float64Array, start: number, end: number, x: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const below = lo - start;
  hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  const equal = lo - start - below;
  return (below + equal / 2) / (end - start);
}

/**
 * Mid-rank percentile ({@link midRank}) of a paid price within its group's catalogue prices, or NaN
 * when the item has no price group or the group has no prices. @internal
 */
export function pricePercentileOf(catalogue: ProfileCatalogueState, item: number, price: number): number {
  const g = catalogue.itemPriceGroup[item]!;
  if (g < 0 || Number.isNaN(price)) return Number.NaN;
  const start = catalogue.pricePtr[g]!;
  const end = catalogue.pricePtr[g + 1]!;
  if (end === start) return Number.NaN;
  return midRank(catalogue.priceValues, start, end, price);
}
