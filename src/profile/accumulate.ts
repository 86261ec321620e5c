import type { Csr } from "../core/csr.js";
import { RecokitError, throwIfAborted } from "../core/errors.js";
import { decayFactorFn, PROFILE_DAY_MS } from "./config.js";
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
 * Groups the batch by user: a stable counting sort whose permutation is applied to the batch's own
 * columns in place, following its cycles (the batch is this call's scratch, never the caller's data).
 * No column is copied, and the fold then reads every column sequentially.
 */
function groupByUser(batch: EventBatch, nUsers: number): ByUser {
  const n = batch.n;
  const start = new Int32Array(nUsers + 1);
  for (let e = 0; e < n; e++) start[batch.user[e]! + 1]!++;
  for (let u = 0; u < nUsers; u++) start[u + 1]! += start[u]!;
  const dest = new Int32Array(n);
  const next = start.slice(0, nUsers);
  for (let e = 0; e < n; e++) dest[e] = next[batch.user[e]!]!++;
  const { time, pricePercentile, item, query, channel, type } = batch;
  const weight = batch.weight;
  for (let i = 0; i < n; i++) {
    if (dest[i]! < 0) continue;
    // carry the event at i along its cycle until the cycle closes at i
    let t = time[i]!;
    let pct = pricePercentile[i]!;
    let it = item[i]!;
    let q = query[i]!;
    let ch = channel[i]!;
    let ty = type[i]!;
    let w = weight === null ? 0 : weight[i]!;
    let j = dest[i]!;
    dest[i] = -1;
    while (j !== i) {
      const t2 = time[j]!;
      const pct2 = pricePercentile[j]!;
      const it2 = item[j]!;
      const q2 = query[j]!;
      const ch2 = channel[j]!;
      const ty2 = type[j]!;
      time[j] = t;
      pricePercentile[j] = pct;
      item[j] = it;
      query[j] = q;
      channel[j] = ch;
      type[j] = ty;
      t = t2;
      pct = pct2;
      it = it2;
      q = q2;
      ch = ch2;
      ty = ty2;
      if (weight !== null) {
        const w2 = weight[j]!;
        weight[j] = w;
        w = w2;
      }
      const k = dest[j]!;
      dest[j] = -1;
      j = k;
    }
    time[i] = t;
    pricePercentile[i] = pct;
    item[i] = it;
    query[i] = q;
    channel[i] = ch;
    type[i] = ty;
    if (weight !== null) weight[i] = w;
  }
  return { start, time, weight, pricePercentile, item, query, channel, type };
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
  inWindow: (t: number) => boolean,
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
      if (!inWindow(group.time[e]!)) continue;
      const c = group.channel[e]!;
      if (c >= 0 && chMark[c] !== stamp) {
        chMark[c] = stamp;
        channels++;
      }
      const item = group.item[e]!;
      if (item >= 0) {
        for (let j = itPtr[item]!; j < itPtr[item + 1]!; j++) {
          const tag = itIdx[j]!;
          if (userMark[tag] !== stamp) {
            userMark[tag] = stamp;
            tags++;
          }
        }
      }
      const q = group.query[e]!;
      if (q >= 0) {
        for (let j = queryPtr[q]!; j < queryPtr[q + 1]!; j++) {
          const tag = queryTags[j]!;
          if (userMark[tag] !== stamp) {
            userMark[tag] = stamp;
            tags++;
          }
        }
      }
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
  const decay = decayFactorFn(settings.decay);
  const window = settings.decay.kind === "window";
  const offsetMs = settings.utcOffsetMinutes * 60_000;
  const { asOf, isPurchase, typeWeight, where } = settings;
  const oldUsers = old?.events.length ?? 0;
  const group = groupByUser(batch, nUsers);
  const { start } = group;
  const inWindow = window ? (t: number) => decay(asOf - t) > 0 : () => true;
  throwIfAborted(where, settings.signal);
  const { indptr, chPtr } = rowPointers(old, batch, itemTags, group, dims, inWindow);
  const users = carryUsers(old, scale, nUsers, nTypes);
  const { events, typeCounts, firstSeen, lastActive, activity, hours, weekdays } = users;

  const nnz = indptr[nUsers]!;
  const cols = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  const last = new Float64Array(nnz);
  const cnts = new Int32Array(nnz * nTypes);
  const chCols = new Int32Array(chPtr[nUsers]!);
  const chVals = new Float64Array(chPtr[nUsers]!);

  // scratch, indexed by tag (channel); the marks hold the user (event) being processed, plus one
  const acc = new Float64Array(nTags);
  const seenAt = new Float64Array(nTags);
  const cnt = new Int32Array(nTags * nTypes);
  const userMark = new Int32Array(nTags);
  const eventMark = new Int32Array(nTags);
  const touched = new Int32Array(nTags);
  const chAcc = new Float64Array(nChannels);
  const chMark = new Int32Array(nChannels);
  const chTouched = new Int32Array(nChannels);
  const { indptr: itPtr, indices: itIdx } = itemTags;
  const { queryPtr, queryTags } = batch;

  for (let u = 0; u < nUsers; u++) {
    if ((u & 4095) === 0) throwIfAborted(where, settings.signal);
    const stamp = u + 1;
    let nt = 0;
    let nc = 0;
    for (let e = start[u]!; e < start[u + 1]!; e++) {
      const t = group.time[e]!;
      const packed = group.type[e]!;
      const type = packed & 127;
      events[u]!++;
      typeCounts[u * nTypes + type]!++;
      if (!(firstSeen[u]! <= t)) firstSeen[u] = t;
      if (!(lastActive[u]! >= t)) lastActive[u] = t;
      if (isPurchase[type] === 1) {
        const pct = group.pricePercentile[e]!;
        if (!Number.isNaN(pct)) {
          users.pricedPurchases[u]!++;
          users.pricePercentileSum[u]! += pct;
        }
        if (packed >= 128) users.discountedPurchases[u]!++;
      }
      const d = decay(asOf - t);
      if (window && d === 0) continue; // outside the window: it counts for the lifecycle only
      activity[u]! += d;
      const local = t + offsetMs;
      const dayIndex = Math.floor(local / PROFILE_DAY_MS);
      const hour = Math.min(23, Math.floor((local - dayIndex * PROFILE_DAY_MS) / HOUR_MS));
      hours[u * 24 + hour]! += d;
      weekdays[u * 7 + ((((dayIndex + 3) % 7) + 7) % 7)]! += d; // 1970-01-01 was a Thursday (Monday = 0)
      const c = group.channel[e]!;
      if (c >= 0) {
        if (chMark[c] !== stamp) {
          chMark[c] = stamp;
          chTouched[nc++] = c;
          chAcc[c] = 0;
        }
        chAcc[c]! += d;
      }
      const w = (group.weight === null ? typeWeight[type]! : group.weight[e]!) * d;
      const evStamp = e + 1;
      const item = group.item[e]!;
      const q = group.query[e]!;
      const itemStart = item >= 0 ? itPtr[item]! : 0;
      const itemCount = item >= 0 ? itPtr[item + 1]! - itemStart : 0;
      const qStart = q >= 0 ? queryPtr[q]! : 0;
      const total = itemCount + (q >= 0 ? queryPtr[q + 1]! - qStart : 0);
      for (let j = 0; j < total; j++) {
        const tag = j < itemCount ? itIdx[itemStart + j]! : queryTags[qStart + j - itemCount]!;
        if (eventMark[tag] === evStamp) continue; // an event gives its weight once per tag
        eventMark[tag] = evStamp;
        if (userMark[tag] !== stamp) {
          userMark[tag] = stamp;
          touched[nt++] = tag;
          acc[tag] = 0;
          seenAt[tag] = t;
          cnt.fill(0, tag * nTypes, tag * nTypes + nTypes);
        } else if (t > seenAt[tag]!) seenAt[tag] = t;
        acc[tag]! += w;
        cnt[tag * nTypes + type]!++;
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
    if (o !== indptr[u + 1]) throw new RecokitError("INTERNAL", where, `row ${u}: profile row size mismatch`);

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

  return {
    weights: { nRows: nUsers, nCols: nTags, indptr, indices: cols, data: vals },
    counts: cnts,
    lastSeen: last,
    events,
    typeCounts,
    firstSeen,
    lastActive,
    activity,
    hours,
    weekdays,
    channels: { nRows: nUsers, nCols: nChannels, indptr: chPtr, indices: chCols, data: chVals },
    pricedPurchases: users.pricedPurchases,
    pricePercentileSum: users.pricePercentileSum,
    discountedPurchases: users.discountedPurchases,
  };
}
