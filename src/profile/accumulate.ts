import type { Csr } from "../core/csr.js";
import { RecokitError, throwIfAborted } from "../core/errors.js";
import { type DecayParams, decayFactor, decayParams, PROFILE_DAY_MS } from "./config.js";
import type { EventBatch } from "./events.js";
import type { ProfileDecay, ProfileState } from "./types.js";

const HOUR_MS = 3_600_000;

/** Sizes of the state being built. @internal */
export interface FoldDims {
  readonly nUsers: number;
  readonly nTags: number;
  readonly nTypes: number;
  readonly nChannels: number;
}

/** Settings the fold reads. @internal */
export interface FoldSettings {
  readonly decay: ProfileDecay;
  readonly utcOffsetMinutes: number;
  /** 1 for purchase types, by type index. */
  readonly isPurchase: Uint8Array;
  /** Weight of each type. */
  readonly typeWeight: Float64Array;
  readonly asOf: number;
  readonly signal: AbortSignal | undefined;
  readonly where: string;
}

/** The batch's columns reordered by user (a stable counting sort): user u owns positions `start[u] … start[u+1]-1`. */
interface ByUser {
  readonly start: Int32Array;
  readonly time: Float64Array;
  readonly weight: Float64Array | null;
  readonly pricePercentile: Float32Array;
  readonly item: Int32Array;
  readonly query: Int32Array;
  readonly channel: Int32Array;
  /** Type in the low 7 bits, discounted-purchase flag in bit 7. */
  readonly type: Uint8Array;
}

/**
 * Groups the batch by user: a stable counting sort whose destinations are applied to the batch's own
 * columns (the batch is this call's scratch, never the caller's data). The user column, no longer
 * needed once `start` is known, holds the destinations; every column is then moved 32 bits at a time
 * (8-byte values as two words) through one scratch buffer of 4 bytes per event: sequential reads,
 * independent writes. The fold then reads every column sequentially.
 */
function groupByUser(batch: EventBatch, nUsers: number): ByUser {
  const n = batch.n;
  const user = batch.user;
  const start = new Int32Array(nUsers + 1);
  for (let e = 0; e < n; e++) start[user[e]! + 1]!++;
  for (let u = 0; u < nUsers; u++) start[u + 1]! += start[u]!;
  const next = start.slice(0, nUsers);
  const dest = user;
  for (let e = 0; e < n; e++) dest[e] = next[user[e]!]!++;
  const scratch = new ArrayBuffer(n * 4);
  const words = new Uint32Array(scratch, 0, n);
  const { time, weight, pricePercentile, item, query, channel, type } = batch;
  for (const column of [time, weight, pricePercentile, item, query, channel]) {
    if (column === null) continue;
    const stride = column.BYTES_PER_ELEMENT / 4;
    const view = new Uint32Array(column.buffer, column.byteOffset, n * stride);
    for (let lane = 0; lane < stride; lane++) permuteWords(view, stride, lane, dest, words);
  }
  const bytes = new Uint8Array(scratch, 0, n);
  for (let e = 0; e < n; e++) bytes[dest[e]!] = type[e]!;
  type.set(bytes);
  return { start, time, weight, pricePercentile, item, query, channel, type };
}

/**
 * Moves word `e · stride + lane` of `words` to word `dest[e] · stride + lane`, for every event e,
 * through `scratch` (one word per event).
 */
function permuteWords(
  words: Uint32Array,
  stride: number,
  lane: number,
  dest: Int32Array,
  scratch: Uint32Array,
): void {
  const n = dest.length;
  for (let e = 0; e < n; e++) scratch[dest[e]!] = words[e * stride + lane]!;
  for (let p = 0; p < n; p++) words[p * stride + lane] = scratch[p]!;
}

/**
 * Row pointers of the folded tag and channel matrices: for each user, the size of the union of the
 * old row and the tags (channels) the user's new events reach. A marking pass, so the outputs are
 * allocated once at their exact size.
 */
function rowPointers(
  old: ProfileState | undefined,
  batch: EventBatch,
  itemTags: Csr,
  group: ByUser,
  dims: FoldDims,
  inWindow: ((t: number) => boolean) | null,
): { indptr: Int32Array; chPtr: Int32Array } {
  const { nUsers, nTags, nChannels } = dims;
  const oldUsers = old?.events.length ?? 0;
  const userMark = new Int32Array(nTags);
  const chMark = new Int32Array(nChannels);
  const indptr = new Int32Array(nUsers + 1);
  const chPtr = new Int32Array(nUsers + 1);
  const { start } = group;
  const { indptr: itPtr, indices: itIdx } = itemTags;
  const { queryPtr, queryTags } = batch;
  for (let u = 0; u < nUsers; u++) {
    const stamp = u + 1;
    let tags = 0;
    let channels = 0;
    for (let e = start[u]!; e < start[u + 1]!; e++) {
      if (inWindow !== null && !inWindow(group.time[e]!)) continue;
      const c = group.channel[e]!;
      if (c >= 0 && chMark[c] !== stamp) {
        chMark[c] = stamp;
        channels++;
      }
      const item = group.item[e]!;
      if (item >= 0) tags += markNewTags(itPtr, itIdx, item, userMark, stamp);
      const q = group.query[e]!;
      if (q >= 0) tags += markNewTags(queryPtr, queryTags, q, userMark, stamp);
    }
    if (old !== undefined && u < oldUsers) {
      for (let j = old.weights.indptr[u]!; j < old.weights.indptr[u + 1]!; j++)
        if (userMark[old.weights.indices[j]!] !== stamp) tags++;
      for (let j = old.channels.indptr[u]!; j < old.channels.indptr[u + 1]!; j++)
        if (chMark[old.channels.indices[j]!] !== stamp) channels++;
    }
    indptr[u + 1] = indptr[u]! + tags;
    chPtr[u + 1] = chPtr[u]! + channels;
  }
  return { indptr, chPtr };
}

/**
 * Marks with `stamp` the tags of list `row` (`tags[ptr[row] … ptr[row+1]-1]`) and returns how many
 * were not marked yet.
 */
function markNewTags(
  ptr: Int32Array,
  tags: Int32Array,
  row: number,
  mark: Int32Array,
  stamp: number,
): number {
  let added = 0;
  for (let j = ptr[row]!; j < ptr[row + 1]!; j++) {
    const tag = tags[j]!;
    if (mark[tag] !== stamp) {
      mark[tag] = stamp;
      added++;
    }
  }
  return added;
}

/**
 * Sorts `a[0 … n-1]` ascending in place and returns `a`: insertion sort for short prefixes (a user's
 * tags, typically a few dozen; no allocation), the typed-array sort of a view otherwise.
 */
function sortPrefix(a: Int32Array, n: number): Int32Array {
  if (n > 48) {
    a.subarray(0, n).sort();
    return a;
  }
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
  return a;
}

/** Per-user quantities of the state being folded. */
type CarriedUsers = ReturnType<typeof carryUsers>;

/** Per-user quantities of the old state carried to the new reference time (decayed ones × `scale`). */
function carryUsers(old: ProfileState | undefined, scale: number, nUsers: number, nTypes: number) {
  const s = {
    events: new Int32Array(nUsers),
    typeCounts: new Int32Array(nUsers * nTypes),
    firstSeen: new Float64Array(nUsers).fill(Number.NaN),
    lastActive: new Float64Array(nUsers).fill(Number.NaN),
    activity: new Float64Array(nUsers),
    hours: new Float64Array(nUsers * 24),
    weekdays: new Float64Array(nUsers * 7),
    pricedPurchases: new Int32Array(nUsers),
    pricePercentileSum: new Float64Array(nUsers),
    discountedPurchases: new Int32Array(nUsers),
  };
  if (old === undefined) return s;
  s.events.set(old.events);
  s.typeCounts.set(old.typeCounts);
  s.firstSeen.set(old.firstSeen);
  s.lastActive.set(old.lastActive);
  for (let u = 0; u < old.activity.length; u++) s.activity[u] = old.activity[u]! * scale;
  for (let j = 0; j < old.hours.length; j++) s.hours[j] = old.hours[j]! * scale;
  for (let j = 0; j < old.weekdays.length; j++) s.weekdays[j] = old.weekdays[j]! * scale;
  s.pricedPurchases.set(old.pricedPurchases);
  s.pricePercentileSum.set(old.pricePercentileSum);
  s.discountedPurchases.set(old.discountedPurchases);
  return s;
}

/**
 * Weekday (Monday = 0) of a day counted from 1970-01-01, a Thursday: `((day + 3) mod 7 + 7) mod 7`.
 * Integer arithmetic for every day a Date can hold (|day| ≤ 10⁸), the same formula in doubles beyond.
 */
function weekdayOf(day: number): number {
  if (day >= -100_000_000 && day <= 100_000_000) return ((((day | 0) + 3) % 7) + 7) % 7;
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * Folds a batch of events into the state: the old state (if any) is first decayed to `asOf` by the
 * single factor `scale` (its decayed quantities were stored at the old reference time), then each
 * event adds `weight · decay(asOf − t)` to every tag of its item and query (once per tag and event),
 * one to the counts of its type, and its decayed unit to the user's activity, hour, weekday and
 * channel. Events are grouped by user with a counting sort; each user's tags are collected in dense
 * scratch arrays and merged with the old row by column. O(events · tags per event + nnz + users).
 * @internal
 */
export function foldEvents(
  old: ProfileState | undefined,
  scale: number,
  batch: EventBatch,
  itemTags: Csr,
  dims: FoldDims,
  settings: FoldSettings,
): ProfileState {
  const { nUsers, nTags, nTypes, nChannels } = dims;
  const { where } = settings;
  const decay = decayParams(settings.decay);
  const group = groupByUser(batch, nUsers);
  // only a window decay leaves events out (their weight is 0); the other kinds keep every event
  const inWindow =
    decay.kind === 1 ? (t: number) => decayFactor(decay.kind, decay.span, settings.asOf - t) > 0 : null;
  throwIfAborted(where, settings.signal);
  const { indptr, chPtr } = rowPointers(old, batch, itemTags, group, dims, inWindow);
  const users = carryUsers(old, scale, nUsers, nTypes);
  const nnz = indptr[nUsers]!;
  const out: FoldOutput = {
    indptr,
    cols: new Int32Array(nnz),
    vals: new Float64Array(nnz),
    last: new Float64Array(nnz),
    cnts: new Int32Array(nnz * nTypes),
    chPtr,
    chCols: new Int32Array(chPtr[nUsers]!),
    chVals: new Float64Array(chPtr[nUsers]!),
  };
  const folder = new UserFolder(old, scale, batch, itemTags, dims, settings, decay, group, users, out);
  for (let u = 0; u < nUsers; u += USER_BLOCK) {
    throwIfAborted(where, settings.signal);
    folder.fold(u, Math.min(nUsers, u + USER_BLOCK));
  }
  return {
    weights: { nRows: nUsers, nCols: nTags, indptr, indices: out.cols, data: out.vals },
    counts: out.cnts,
    lastSeen: out.last,
    events: users.events,
    typeCounts: users.typeCounts,
    firstSeen: users.firstSeen,
    lastActive: users.lastActive,
    activity: users.activity,
    hours: users.hours,
    weekdays: users.weekdays,
    channels: { nRows: nUsers, nCols: nChannels, indptr: chPtr, indices: out.chCols, data: out.chVals },
    pricedPurchases: users.pricedPurchases,
    pricePercentileSum: users.pricePercentileSum,
    discountedPurchases: users.discountedPurchases,
  };
}

/** Users folded between two checks of the abort signal. */
const USER_BLOCK = 4096;

/** The folded tag and channel matrices, allocated at their exact sizes ({@link rowPointers}). */
interface FoldOutput {
  readonly indptr: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
  readonly last: Float64Array;
  readonly cnts: Int32Array;
  readonly chPtr: Int32Array;
  readonly chCols: Int32Array;
  readonly chVals: Float64Array;
}

/**
 * The per-user step of {@link foldEvents}, over blocks of users. Its loop, {@link UserFolder.fold}, is a
 * method shared by every fold (no closure over one call's state), so it stays compiled from one fold
 * to the next. The scratch arrays are indexed by tag (channel); the marks hold the user (event)
 * being processed, plus one.
 */
class UserFolder {
  readonly #old: ProfileState | undefined;
  readonly #scale: number;
  readonly #batch: EventBatch;
  readonly #itemTags: Csr;
  readonly #dims: FoldDims;
  readonly #settings: FoldSettings;
  readonly #decay: DecayParams;
  readonly #group: ByUser;
  readonly #users: CarriedUsers;
  readonly #out: FoldOutput;
  readonly #acc: Float64Array;
  readonly #seenAt: Float64Array;
  readonly #cnt: Int32Array;
  readonly #userMark: Int32Array;
  readonly #eventMark: Int32Array;
  readonly #touched: Int32Array;
  readonly #chAcc: Float64Array;
  readonly #chMark: Int32Array;
  readonly #chTouched: Int32Array;

  constructor(
    old: ProfileState | undefined,
    scale: number,
    batch: EventBatch,
    itemTags: Csr,
    dims: FoldDims,
    settings: FoldSettings,
    decay: DecayParams,
    group: ByUser,
    users: CarriedUsers,
    out: FoldOutput,
  ) {
    this.#old = old;
    this.#scale = scale;
    this.#batch = batch;
    this.#itemTags = itemTags;
    this.#dims = dims;
    this.#settings = settings;
    this.#decay = decay;
    this.#group = group;
    this.#users = users;
    this.#out = out;
    const { nTags, nTypes, nChannels } = dims;
    this.#acc = new Float64Array(nTags);
    this.#seenAt = new Float64Array(nTags);
    this.#cnt = new Int32Array(nTags * nTypes);
    this.#userMark = new Int32Array(nTags);
    this.#eventMark = new Int32Array(nTags);
    this.#touched = new Int32Array(nTags);
    this.#chAcc = new Float64Array(nChannels);
    this.#chMark = new Int32Array(nChannels);
    this.#chTouched = new Int32Array(nChannels);
  }

  /** Folds the events of users `from … to-1` and merges each user's new tags with the old row. */
  fold(from: number, to: number): void {
    const old = this.#old;
    const scale = this.#scale;
    const { nTags, nTypes, nChannels } = this.#dims;
    const { asOf, isPurchase, typeWeight, where } = this.#settings;
    const offsetMs = this.#settings.utcOffsetMinutes * 60_000;
    const { kind: decayKind, span: decaySpan } = this.#decay;
    const window = decayKind === 1;
    const oldUsers = old?.events.length ?? 0;
    const { indptr: itPtr, indices: itIdx } = this.#itemTags;
    const { queryPtr, queryTags } = this.#batch;
    const { start, time, type: types, pricePercentile, channel, weight, item: items, query } = this.#group;
    const { events, typeCounts, firstSeen, lastActive, activity, hours, weekdays } = this.#users;
    const { pricedPurchases, pricePercentileSum, discountedPurchases } = this.#users;
    const { indptr, cols, vals, last, cnts, chPtr, chCols, chVals } = this.#out;
    const acc = this.#acc;
    const seenAt = this.#seenAt;
    const cnt = this.#cnt;
    const userMark = this.#userMark;
    const eventMark = this.#eventMark;
    const touched = this.#touched;
    const chAcc = this.#chAcc;
    const chMark = this.#chMark;
    const chTouched = this.#chTouched;

    for (let u = from; u < to; u++) {
      const stamp = u + 1;
      let nt = 0;
      let nc = 0;
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const t = time[e]!;
        const packed = types[e]!;
        const type = packed & 127;
        events[u]!++;
        typeCounts[u * nTypes + type]!++;
        if (!(firstSeen[u]! <= t)) firstSeen[u] = t;
        if (!(lastActive[u]! >= t)) lastActive[u] = t;
        if (isPurchase[type] === 1) {
          const pct = pricePercentile[e]!;
          if (!Number.isNaN(pct)) {
            pricedPurchases[u]!++;
            pricePercentileSum[u]! += pct;
          }
          if (packed >= 128) discountedPurchases[u]!++;
        }
        const d = decayFactor(decayKind, decaySpan, asOf - t);
        if (window && d === 0) continue; // outside the window: it counts for the lifecycle only
        activity[u]! += d;
        const local = t + offsetMs;
        const dayIndex = Math.floor(local / PROFILE_DAY_MS);
        const hour = Math.min(23, Math.floor((local - dayIndex * PROFILE_DAY_MS) / HOUR_MS));
        hours[u * 24 + hour]! += d;
        weekdays[u * 7 + weekdayOf(dayIndex)]! += d;
        const c = channel[e]!;
        if (c >= 0) {
          if (chMark[c] !== stamp) {
            chMark[c] = stamp;
            chTouched[nc++] = c;
            chAcc[c] = 0;
          }
          chAcc[c]! += d;
        }
        const w = (weight === null ? typeWeight[type]! : weight[e]!) * d;
        const evStamp = e + 1;
        const item = items[e]!;
        const q = query[e]!;
        const itemStart = item >= 0 ? itPtr[item]! : 0;
        const itemCount = item >= 0 ? itPtr[item + 1]! - itemStart : 0;
        const qStart = q >= 0 ? queryPtr[q]! : 0;
        const total = itemCount + (q >= 0 ? queryPtr[q + 1]! - qStart : 0);
        for (let j = 0; j < total; j++) {
          const tag = j < itemCount ? itIdx[itemStart + j]! : queryTags[qStart + j - itemCount]!;
          if (eventMark[tag] === evStamp) continue; // an event gives its weight once per tag
          eventMark[tag] = evStamp;
          const at = tag * nTypes;
          if (userMark[tag] !== stamp) {
            userMark[tag] = stamp;
            touched[nt++] = tag;
            acc[tag] = 0;
            seenAt[tag] = t;
            for (let x = 0; x < nTypes; x++) cnt[at + x] = 0;
          } else if (t > seenAt[tag]!) seenAt[tag] = t;
          acc[tag]! += w;
          cnt[at + type]!++;
        }
      }

      // merge the user's new tags with the old row (both sorted by tag)
      const mine = sortPrefix(touched, nt);
      const hasOld = old !== undefined && u < oldUsers;
      let a = hasOld ? old.weights.indptr[u]! : 0;
      const aEnd = hasOld ? old.weights.indptr[u + 1]! : 0;
      let b = 0;
      let o = indptr[u]!;
      while (a < aEnd || b < nt) {
        const ca = a < aEnd ? old!.weights.indices[a]! : nTags;
        const cb = b < nt ? mine[b]! : nTags;
        if (ca < cb) {
          cols[o] = ca;
          vals[o] = old!.weights.data[a]! * scale;
          last[o] = old!.lastSeen[a]!;
          for (let x = 0; x < nTypes; x++) cnts[o * nTypes + x] = old!.counts[a * nTypes + x]!;
          a++;
        } else if (cb < ca) {
          cols[o] = cb;
          vals[o] = acc[cb]!;
          last[o] = seenAt[cb]!;
          for (let x = 0; x < nTypes; x++) cnts[o * nTypes + x] = cnt[cb * nTypes + x]!;
          b++;
        } else {
          cols[o] = ca;
          vals[o] = old!.weights.data[a]! * scale + acc[cb]!;
          last[o] = Math.max(old!.lastSeen[a]!, seenAt[cb]!);
          for (let x = 0; x < nTypes; x++)
            cnts[o * nTypes + x] = old!.counts[a * nTypes + x]! + cnt[cb * nTypes + x]!;
          a++;
          b++;
        }
        o++;
      }
      if (o !== indptr[u + 1])
        throw new RecokitError("INTERNAL", where, `row ${u}: profile row size mismatch`);

      // and the channels
      const myChannels = sortPrefix(chTouched, nc);
      let x0 = hasOld ? old.channels.indptr[u]! : 0;
      const xEnd = hasOld ? old.channels.indptr[u + 1]! : 0;
      let y0 = 0;
      let co = chPtr[u]!;
      while (x0 < xEnd || y0 < nc) {
        const x = x0 < xEnd ? old!.channels.indices[x0]! : nChannels;
        const y = y0 < nc ? myChannels[y0]! : nChannels;
        if (x < y) {
          chCols[co] = x;
          chVals[co] = old!.channels.data[x0++]! * scale;
        } else if (y < x) {
          chCols[co] = y;
          chVals[co] = chAcc[y]!;
          y0++;
        } else {
          chCols[co] = x;
          chVals[co] = old!.channels.data[x0++]! * scale + chAcc[y]!;
          y0++;
        }
        co++;
      }
    }
  }
}
