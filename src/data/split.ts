import { Generator } from '../tensor/random.js';
import { TensorDataset } from './dataset.js';

/**
 * Seeded train/validation/test splits that cannot leak by construction: random, stratified by
 * class, ordered by time (held-out items come strictly later), grouped (all items of a patient,
 * user or session land in one split), and k-fold cross-validation. Every function returns index
 * lists (sorted ascending, as Int32Array) plus a content hash of each list, so a run can save
 * exactly which items it trained on and a later run can prove it used the same ones.
 *
 * Sizes: `val` and `test` are each either a fraction of the items (0 <= x < 1, rounded to the
 * nearest whole item) or a count (a whole number >= 1). No Node imports: this runs in browsers.
 */

/** How a split was made. */
export type SplitKind = 'random' | 'stratified' | 'ordered' | 'grouped';

/** Held-out sizes: fractions in [0, 1) or whole counts >= 1. */
export interface SplitSizes {
  /** Validation items: a fraction (0.1) or a count (5000). */
  val: number;
  /** Test items: a fraction (0.2) or a count (10000). */
  test: number;
}

/** Sizes plus the seed of the shuffle (default 0). */
export interface SeededSplitOptions extends SplitSizes {
  seed?: number;
}

/** A three-way split of items 0..n-1. */
export interface Split {
  readonly kind: SplitKind;
  /** The seed of the shuffle; null for ordered splits, which do not shuffle. */
  readonly seed: number | null;
  /** Number of items split. */
  readonly n: number;
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
  /** Content hash of each index list (see {@link indexHash}). */
  readonly hash: { readonly train: string; readonly val: string; readonly test: string };
  /** Kind-specific facts worth saving: requested sizes, cut keys, group counts. */
  readonly details: Record<string, unknown>;
}

/** One cross-validation fold. */
export interface Fold {
  /** 0-based fold number. */
  readonly index: number;
  readonly k: number;
  readonly seed: number;
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly hash: { readonly train: string; readonly val: string };
}

/** Options of {@link kFold}. */
export interface KFoldOptions {
  seed?: number;
  /** Class labels (length n): every fold gets each class's items in proportion (within 1 item). */
  stratifyBy?: ArrayLike<number | string>;
  /** Group keys (length n): all items of a group land in the same fold. */
  groups?: ArrayLike<number | string>;
}

/** A split that cannot be made as asked (bad sizes, too few items, keys or groups). */
export class SplitError extends RangeError {
  override name = 'SplitError';
}

// ---- hashing -------------------------------------------------------------------------------

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A 64-bit content hash (16 hex digits) of an index list: two independent MurmurHash3-style
 * lanes over the values and the length. The same list gives the same hash on every machine;
 * it identifies a list, it is not a cryptographic commitment.
 *
 * @example
 * indexHash(Int32Array.of(0, 2, 5)) === indexHash([0, 2, 5]); // true
 */
export function indexHash(indices: ArrayLike<number>): string {
  const n = indices.length;
  let h1 = 0x243f6a88 ^ n, h2 = 0x85a308d3 ^ Math.imul(n, 0x9e3779b1);
  for (let i = 0; i < n; i++) {
    const v = indices[i] | 0;
    let k1 = Math.imul(v, 0xcc9e2d51); k1 = rotl(k1, 15); k1 = Math.imul(k1, 0x1b873593);
    h1 ^= k1; h1 = rotl(h1, 13); h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(v ^ 0x5bd1e995, 0x27d4eb2f); k2 = rotl(k2, 17); k2 = Math.imul(k2, 0x165667b1);
    h2 ^= k2; h2 = rotl(h2, 11); h2 = (Math.imul(h2, 9) + 0x38495ab5) | 0;
  }
  h1 = (h1 + h2) | 0; h2 = (h2 + h1) | 0;
  return fmix(h1).toString(16).padStart(8, '0') + fmix(h2 ^ 0x3c6ef372).toString(16).padStart(8, '0');
}

// ---- validation ----------------------------------------------------------------------------

function checkCount(n: number, where: string): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new SplitError(`${where}: the number of items must be a whole number >= 1, got ${n}`);
}

function checkSeed(seed: number | undefined, where: string): number {
  const s = seed ?? 0;
  if (!Number.isSafeInteger(s) || s < 0) throw new SplitError(`${where}: seed must be a whole number >= 0, got ${String(seed)}`);
  return s;
}

/** Turns one size (fraction or count) into a count of items out of n. */
function sizeToCount(n: number, value: unknown, name: 'val' | 'test', where: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new SplitError(`${where}: ${name} must be a fraction in [0, 1) or a whole count >= 1, got ${String(value)}`);
  }
  if (value < 0) throw new SplitError(`${where}: ${name} must not be negative (got ${value}); use 0 for no ${name === 'val' ? 'validation' : 'test'} split`);
  if (value < 1) {
    const count = Math.round(value * n);
    if (value > 0 && count === 0) {
      throw new SplitError(`${where}: ${name}=${value} of ${n} items rounds to 0 items; ask for a count (${name}: 1) or a larger fraction (at least ${(0.5 / n).toPrecision(2)})`);
    }
    return count;
  }
  if (!Number.isSafeInteger(value)) {
    throw new SplitError(`${where}: ${name}=${value} is neither a fraction below 1 nor a whole count; write e.g. ${name}: 0.1 or ${name}: ${Math.round(value)}`);
  }
  return value;
}

/** Resolves val/test sizes to counts and checks that training keeps at least one item. */
export function resolveSplitSizes(n: number, sizes: SplitSizes, where = 'split'): { val: number; test: number; train: number } {
  checkCount(n, where);
  if (!sizes || typeof sizes !== 'object') throw new SplitError(`${where}: pass sizes as { val, test }, e.g. { val: 0.1, test: 0.2 }`);
  const { val, test } = sizes;
  if (typeof val === 'number' && typeof test === 'number' && val >= 0 && test >= 0 && val < 1 && test < 1 && val + test >= 1) {
    throw new SplitError(`${where}: val + test fractions must sum to less than 1 so items remain for training, got ${val} + ${test} = ${val + test}`);
  }
  const v = sizeToCount(n, val, 'val', where);
  const t = sizeToCount(n, test, 'test', where);
  if (v + t >= n) {
    throw new SplitError(`${where}: ${v} validation + ${t} test items leave ${n - v - t} of ${n} for training; ask for smaller held-out sizes or use more data`);
  }
  return { val: v, test: t, train: n - v - t };
}

function checkLength(what: string, arr: ArrayLike<unknown> | undefined, where: string): number {
  if (!arr || typeof arr.length !== 'number') throw new SplitError(`${where}: ${what} must be an array (one entry per item)`);
  return arr.length;
}

// ---- helpers -------------------------------------------------------------------------------

function sorted(list: ArrayLike<number>): Int32Array {
  return Int32Array.from(list).sort();
}

function makeSplit(kind: SplitKind, seed: number | null, n: number, train: ArrayLike<number>, val: ArrayLike<number>, test: ArrayLike<number>, details: Record<string, unknown>): Split {
  const tr = sorted(train), va = sorted(val), te = sorted(test);
  return { kind, seed, n, train: tr, val: va, test: te, hash: { train: indexHash(tr), val: indexHash(va), test: indexHash(te) }, details };
}

function iota(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Item positions per distinct key, in order of first appearance. */
function groupPositions(keys: ArrayLike<number | string>, what: string, where: string): Array<{ key: number | string; items: number[] }> {
  const map = new Map<number | string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if ((typeof k !== 'number' && typeof k !== 'string') || Number.isNaN(k)) {
      throw new SplitError(`${where}: ${what}[${i}] is ${String(k)}; every item needs a number or string ${what === 'labels' ? 'label' : 'key'}`);
    }
    let list = map.get(k);
    if (!list) { list = []; map.set(k, list); }
    list.push(i);
  }
  return [...map].map(([key, items]) => ({ key, items }));
}

// ---- random --------------------------------------------------------------------------------

/**
 * A uniformly random split: a seeded permutation of 0..n-1 cut into validation, test and train.
 *
 * @example
 * const s = randomSplit(1000, { val: 0.1, test: 200, seed: 1 });
 * s.val.length; // 100
 * s.test.length; // 200
 * s.train.length; // 700
 */
export function randomSplit(n: number, o: SeededSplitOptions): Split {
  const where = 'randomSplit';
  const seed = checkSeed(o?.seed, where);
  const c = resolveSplitSizes(n, o, where);
  const perm = new Generator(seed).shuffle(iota(n));
  return makeSplit('random', seed, n, perm.subarray(c.val + c.test), perm.subarray(0, c.val), perm.subarray(c.val, c.val + c.test),
    { requested: { val: o.val, test: o.test } });
}

// ---- stratified ----------------------------------------------------------------------------

/**
 * Rounds the quotas n_c * T_j / n (classes c, columns j = train/val/test) to whole counts so that
 * every count is the floor or the ceiling of its quota and every column sums exactly to T_j.
 * Such a rounding always exists (controlled rounding); it is found as a small flow problem:
 * each class hands its leftover units to columns, greedily, then augmenting moves fix columns
 * that got too many.
 */
function roundQuotas(sizes: number[], totals: number[], n: number, order: Int32Array): number[][] {
  const K = sizes.length, J = totals.length;
  const base: number[][] = [], rem: number[][] = [], extra: boolean[][] = [];
  const need = totals.slice();
  const left: number[] = [];
  for (let c = 0; c < K; c++) {
    base.push([]); rem.push([]); extra.push(new Array<boolean>(J).fill(false));
    let sum = 0;
    for (let j = 0; j < J; j++) {
      const num = sizes[c] * totals[j]; // exact integer while it stays below 2^53
      const f = Math.floor(num / n);
      base[c].push(f); rem[c].push(num - f * n); sum += f; need[j] -= f;
    }
    left.push(sizes[c] - sum);
  }
  const given = new Array<number>(J).fill(0);
  // Greedy: each class gives its leftover units to the columns that still need the most.
  for (const c of order) {
    for (let u = 0; u < left[c]; u++) {
      let best = -1;
      for (let j = 0; j < J; j++) {
        if (extra[c][j] || rem[c][j] === 0) continue;
        if (best < 0 || need[j] - given[j] > need[best] - given[best] || (need[j] - given[j] === need[best] - given[best] && rem[c][j] > rem[c][best])) best = j;
      }
      extra[c][best] = true; given[best]++;
    }
  }
  // Fix-up: move units from columns with too many to columns with too few along short paths.
  const canTake = (c: number, j: number): boolean => !extra[c][j] && rem[c][j] > 0;
  const tryMove = (over: number, under: number): boolean => {
    for (let c = 0; c < K; c++) {
      if (extra[c][over] && canTake(c, under)) { extra[c][over] = false; extra[c][under] = true; return true; }
    }
    for (let via = 0; via < J; via++) {
      if (via === over || via === under) continue;
      let c1 = -1, c2 = -1;
      for (let c = 0; c < K && c1 < 0; c++) if (extra[c][over] && canTake(c, via)) c1 = c;
      for (let c = 0; c < K && c2 < 0; c++) if (extra[c][via] && canTake(c, under)) c2 = c;
      if (c1 >= 0 && c2 >= 0) {
        extra[c1][over] = false; extra[c1][via] = true;
        extra[c2][via] = false; extra[c2][under] = true;
        return true;
      }
    }
    return false;
  };
  for (let guard = 0; guard <= 2 * K + 2; guard++) {
    let moved = false;
    for (let over = 0; over < J && !moved; over++) {
      if (given[over] <= need[over]) continue;
      for (let under = 0; under < J && !moved; under++) {
        if (given[under] >= need[under] || !tryMove(over, under)) continue;
        given[over]--; given[under]++; moved = true;
      }
    }
    if (!moved) break;
  }
  if (given.some((g, j) => g !== need[j])) {
    throw new Error('stratifiedSplit: internal error, could not round the class quotas; please report this with the labels that caused it');
  }
  return base.map((row, c) => row.map((b, j) => b + (extra[c][j] ? 1 : 0)));
}

/**
 * A random split that keeps every class's share in every split: for each class with n_c items,
 * its validation count is within one item of n_c * val / n (likewise test and train), and the
 * split sizes are exactly the requested ones.
 *
 * @example
 * const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
 * const s = stratifiedSplit(labels, { val: 0.2, test: 0.2, seed: 0 });
 * s.val.length; // 2 (and class 1, with 2 items, keeps its 20% within one item)
 */
export function stratifiedSplit(labels: ArrayLike<number | string>, o: SeededSplitOptions): Split {
  const where = 'stratifiedSplit';
  const seed = checkSeed(o?.seed, where);
  const n = checkLength('labels', labels, where);
  const c = resolveSplitSizes(n, o, where);
  const classes = groupPositions(labels, 'labels', where);
  const rng = new Generator(seed);
  const order = rng.shuffle(iota(classes.length));
  const counts = roundQuotas(classes.map((k) => k.items.length), [c.train, c.val, c.test], n, order);
  const train: number[] = [], val: number[] = [], test: number[] = [];
  classes.forEach((cls, k) => {
    const items = rng.shuffle(Int32Array.from(cls.items));
    const [, nv, nt] = counts[k];
    for (let i = 0; i < items.length; i++) (i < nv ? val : i < nv + nt ? test : train).push(items[i]);
  });
  return makeSplit('stratified', seed, n, train, val, test, { requested: { val: o.val, test: o.test }, classes: classes.length });
}

// ---- ordered -------------------------------------------------------------------------------

/** Index of the allowed value in [lo, hi] of `cuts` (ascending) nearest to `target`; ties go to the lower one. */
function nearestCut(cuts: number[], lo: number, hi: number, target: number): number {
  let best = lo;
  for (let g = lo; g <= hi; g++) if (Math.abs(cuts[g] - target) < Math.abs(cuts[best] - target)) best = g;
  return best;
}

/**
 * A split by order: the items with the smallest keys (e.g. timestamps) train, the next ones
 * validate, the largest test, so every validation key is >= every training key and every test
 * key >= every validation key. Nothing is shuffled (seed is null).
 *
 * Ties: a run of equal keys is never cut. Each boundary is moved to the nearest edge of the run
 * it would fall into; when both edges are equally near it moves to the earlier one, so the
 * later (held-out) split grows rather than shrinks. Sizes can therefore differ from the
 * requested ones by up to the length of the run; `details.requested` and `details.sizes`
 * record both. The boundaries are strict: max key(train) < min key(val) and
 * max key(val) < min key(test). Needs at least as many distinct keys as non-empty splits.
 *
 * @example
 * const days = [3, 1, 2, 2, 5, 4, 4, 6, 7, 8];
 * const s = orderedSplit(days, { val: 0.2, test: 0.2 });
 * Array.from(s.test, (i) => days[i]); // [7, 8] - the latest items
 */
export function orderedSplit(keys: ArrayLike<number>, o: SplitSizes): Split {
  const where = 'orderedSplit';
  const n = checkLength('keys', keys, where);
  const c = resolveSplitSizes(n, o, where);
  for (let i = 0; i < n; i++) {
    if (typeof keys[i] !== 'number' || Number.isNaN(keys[i])) throw new SplitError(`${where}: keys[${i}] is ${String(keys[i])}; every item needs a numeric key (e.g. a timestamp in ms)`);
  }
  const order = Array.from(iota(n)).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  // cuts[g] = position (in key order) where the g-th run of equal keys starts; cuts[m] = n.
  const cuts = [0];
  for (let p = 1; p < n; p++) if (keys[order[p]] !== keys[order[p - 1]]) cuts.push(p);
  cuts.push(n);
  const m = cuts.length - 1; // distinct keys
  const wantVal = c.val > 0 ? 1 : 0, wantTest = c.test > 0 ? 1 : 0;
  if (m < 1 + wantVal + wantTest) {
    throw new SplitError(`${where}: the ${n} keys take only ${m} distinct value${m === 1 ? '' : 's'}, but train${wantVal ? ', validation' : ''}${wantTest ? ' and test' : ''} each need their own; ` +
      'ties are never cut, so use finer keys (e.g. timestamps instead of dates) or fewer held-out splits');
  }
  const b = wantTest ? nearestCut(cuts, 1 + wantVal, m - 1, n - c.test) : m;
  const a = wantVal ? nearestCut(cuts, 1, b - 1, n - c.test - c.val) : b;
  const p1 = cuts[a], p2 = cuts[b];
  return makeSplit('ordered', null, n, order.slice(0, p1), order.slice(p1, p2), order.slice(p2), {
    requested: { val: c.val, test: c.test },
    sizes: { train: p1, val: p2 - p1, test: n - p2 },
    valFromKey: p2 > p1 ? keys[order[p1]] : null,
    testFromKey: n > p2 ? keys[order[p2]] : null,
    ties: 'runs of equal keys are never cut; each boundary moves to the nearest run edge (the earlier one on a tie)',
  });
}

// ---- grouped -------------------------------------------------------------------------------

/**
 * A random split by group (patient, user, session, source file...): every item sharing a group
 * key lands in the same split, so a model cannot score well on held-out data by recognizing the
 * group. Groups are shuffled with the seed and handed to test, then validation, while each one
 * brings the split closer to its requested item count; sizes are therefore approximate (off by
 * up to about one group). Needs at least one group per non-empty split.
 *
 * @example
 * const patient = ['a', 'a', 'b', 'b', 'c', 'd', 'd', 'e', 'f', 'f'];
 * const s = groupedSplit(patient, { val: 0.2, test: 0.2, seed: 3 });
 * // no patient appears in two of s.train, s.val, s.test
 */
export function groupedSplit(groups: ArrayLike<number | string>, o: SeededSplitOptions): Split {
  const where = 'groupedSplit';
  const seed = checkSeed(o?.seed, where);
  const n = checkLength('groups', groups, where);
  const c = resolveSplitSizes(n, o, where);
  const all = groupPositions(groups, 'groups', where);
  const G = all.length;
  const wantVal = c.val > 0 ? 1 : 0, wantTest = c.test > 0 ? 1 : 0;
  if (G < 1 + wantVal + wantTest) {
    throw new SplitError(`${where}: the ${n} items form only ${G} group${G === 1 ? '' : 's'}, but train${wantVal ? ', validation' : ''}${wantTest ? ' and test' : ''} each need at least one; ` +
      'collect more groups or drop a held-out split');
  }
  const order = new Generator(seed).shuffle(iota(G));
  const free = Array.from(order);
  const take = (target: number, reserve: number): number[] => {
    const chosen: number[] = [];
    if (target === 0) return chosen;
    let size = 0;
    for (let i = 0; i < free.length && free.length - 1 >= reserve;) {
      const s = all[free[i]].items.length;
      if (Math.abs(size + s - target) < Math.abs(size - target)) {
        chosen.push(free[i]); size += s; free.splice(i, 1);
      } else i++;
    }
    if (chosen.length === 0) { // every group is far bigger than the target: take the closest one
      let best = 0;
      for (let i = 1; i < free.length; i++) if (Math.abs(all[free[i]].items.length - target) < Math.abs(all[free[best]].items.length - target)) best = i;
      chosen.push(free[best]); free.splice(best, 1);
    }
    return chosen;
  };
  const testGroups = take(c.test, 1 + wantVal);
  const valGroups = take(c.val, 1);
  const items = (gs: number[]): number[] => gs.flatMap((g) => all[g].items);
  return makeSplit('grouped', seed, n, items(free), items(valGroups), items(testGroups), {
    requested: { val: c.val, test: c.test },
    groups: { train: free.length, val: valGroups.length, test: testGroups.length },
  });
}

// ---- k-fold --------------------------------------------------------------------------------

/**
 * K-fold cross-validation: k folds whose validation parts partition 0..n-1 (each item validates
 * exactly once and trains k-1 times). Plain and stratified folds differ in size by at most one
 * item (stratified: per class too). With `groups`, whole groups are dealt to folds, largest first,
 * each to the fold where it adds the least imbalance (of sizes, or of class counts when
 * `stratifyBy` is also given), so folds are only approximately equal.
 *
 * @example
 * const folds = kFold(10, 5, { seed: 0 });
 * folds.length; // 5
 * folds[0].val.length; // 2
 * folds[0].train.length; // 8
 */
export function kFold(n: number, k: number, o: KFoldOptions = {}): Fold[] {
  const where = 'kFold';
  const seed = checkSeed(o.seed, where);
  checkCount(n, where);
  if (!Number.isSafeInteger(k) || k < 2) throw new SplitError(`${where}: k must be a whole number >= 2 (each fold validates on 1/k of the data), got ${k}`);
  if (n < k) throw new SplitError(`${where}: ${n} items cannot fill ${k} folds; use k <= ${n}`);
  for (const [what, arr] of [['stratifyBy', o.stratifyBy], ['groups', o.groups]] as const) {
    if (arr !== undefined && checkLength(what, arr, where) !== n) throw new SplitError(`${where}: ${what} has ${arr.length} entries but there are ${n} items; give one per item`);
  }
  const rng = new Generator(seed);
  const fold = new Int32Array(n);
  if (!o.groups) {
    // Deal a shuffled list round-robin; with stratifyBy the list is class by class, so each
    // class (a consecutive run) is spread evenly too.
    let list: Int32Array;
    if (o.stratifyBy) {
      const classes = groupPositions(o.stratifyBy, 'labels', where);
      const parts = Array.from(rng.shuffle(iota(classes.length)), (c) => rng.shuffle(Int32Array.from(classes[c].items)));
      list = new Int32Array(n);
      let p = 0;
      for (const part of parts) { list.set(part, p); p += part.length; }
    } else list = rng.shuffle(iota(n));
    for (let t = 0; t < n; t++) fold[list[t]] = t % k;
  } else {
    const groups = groupPositions(o.groups, 'groups', where);
    if (groups.length < k) throw new SplitError(`${where}: ${groups.length} groups cannot fill ${k} folds (a group never spans folds); use k <= ${groups.length}`);
    const classOf = new Int32Array(n);
    let K = 1;
    if (o.stratifyBy) {
      const classes = groupPositions(o.stratifyBy, 'labels', where);
      classes.forEach((cls, c) => { for (const i of cls.items) classOf[i] = c; });
      K = classes.length;
    }
    const ideal = new Float64Array(K);
    for (let i = 0; i < n; i++) ideal[classOf[i]] += 1 / k;
    const counts = Array.from({ length: k }, () => new Float64Array(K));
    const sizes = new Int32Array(k);
    const rank = rng.shuffle(iota(groups.length));
    const order = Array.from(iota(groups.length)).sort((a, b) => groups[b].items.length - groups[a].items.length || rank[a] - rank[b]);
    let empty = k;
    order.forEach((g, done) => {
      const gc = new Map<number, number>();
      for (const i of groups[g].items) gc.set(classOf[i], (gc.get(classOf[i]) ?? 0) + 1);
      const mustFillEmpty = groups.length - done <= empty;
      let best = -1, bestCost = Infinity;
      for (let f = 0; f < k; f++) {
        if (mustFillEmpty && sizes[f] > 0) continue;
        let cost = 0; // increase of sum_c (count_fc - ideal_c)^2
        for (const [c, m] of gc) cost += m * (2 * counts[f][c] + m - 2 * ideal[c]);
        if (cost < bestCost - 1e-9 || (Math.abs(cost - bestCost) <= 1e-9 && sizes[f] < sizes[best])) { best = f; bestCost = cost; }
      }
      if (sizes[best] === 0) empty--;
      for (const [c, m] of gc) counts[best][c] += m;
      sizes[best] += groups[g].items.length;
      for (const i of groups[g].items) fold[i] = best;
    });
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [], val: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? val : train).push(i);
    const tr = Int32Array.from(train), va = Int32Array.from(val);
    folds.push({ index: f, k, seed, train: tr, val: va, hash: { train: indexHash(tr), val: indexHash(va) } });
  }
  return folds;
}

// ---- applying and recording ----------------------------------------------------------------

/**
 * Applies a split to a dataset: three copied subsets named 'train', 'val' and 'test' (the names
 * the scalers use to refuse fitting on held-out data).
 *
 * @example
 * const ds = new TensorDataset(x, y);
 * const { train, val, test } = splitDataset(ds, randomSplit(ds.length, { val: 0.1, test: 0.1, seed: 0 }));
 */
export function splitDataset(ds: TensorDataset, split: Split): { train: TensorDataset; val: TensorDataset; test: TensorDataset } {
  if (split.n !== ds.length) {
    throw new SplitError(`splitDataset: the split covers ${split.n} items but '${ds.name}' has ${ds.length}; make the split from this dataset (e.g. randomSplit(ds.length, ...))`);
  }
  return { train: ds.subset(split.train, 'train'), val: ds.subset(split.val, 'val'), test: ds.subset(split.test, 'test') };
}

/** The JSON-able record of a split that a run saves (see {@link describeSplit}). */
export interface SplitRecord {
  kind: SplitKind;
  seed: number | null;
  n: number;
  sizes: { train: number; val: number; test: number };
  indices: { train: number[]; val: number[]; test: number[] };
  hash: { train: string; val: string; test: string };
  details: Record<string, unknown>;
}

/**
 * A plain JSON-able record of a split (kind, seed, sizes, indices, hashes), for a run's
 * split.json: enough to rebuild the exact same datasets and to check that two runs used them.
 *
 * @example
 * JSON.stringify(describeSplit(randomSplit(100, { val: 0.1, test: 0.1, seed: 7 })));
 */
export function describeSplit(split: Split): SplitRecord {
  return {
    kind: split.kind,
    seed: split.seed,
    n: split.n,
    sizes: { train: split.train.length, val: split.val.length, test: split.test.length },
    indices: { train: Array.from(split.train), val: Array.from(split.val), test: Array.from(split.test) },
    hash: { ...split.hash },
    details: { ...split.details },
  };
}

/**
 * The JSON-able record of k folds: k, seed, and each fold's validation indices and hashes (the
 * training indices are the rest, so they are not repeated).
 *
 * @example
 * JSON.stringify(describeFolds(kFold(100, 5, { seed: 1 })));
 */
export function describeFolds(folds: readonly Fold[]): { kind: 'kfold'; k: number; seed: number | null; folds: Array<{ index: number; sizes: { train: number; val: number }; val: number[]; hash: { train: string; val: string } }> } {
  return {
    kind: 'kfold',
    k: folds.length,
    seed: folds[0]?.seed ?? null,
    folds: folds.map((f) => ({ index: f.index, sizes: { train: f.train.length, val: f.val.length }, val: Array.from(f.val), hash: { ...f.hash } })),
  };
}
