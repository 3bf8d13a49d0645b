import { hashBytes } from '../track/test-ledger.js';
import { backend } from '../backend/registry.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorDataset } from '../data/dataset.js';

/**
 * The split audit: what a reviewer would check before trusting a held-out score.
 *
 * - Exact duplicates, within each split and across splits: items whose input bytes are
 *   identical (compared by a SHA-256 content hash of each item's input row).
 * - Near duplicates across splits: pairs whose inputs, each scaled to zero mean and unit norm
 *   (so brightness and contrast changes do not hide a copy), lie within a Euclidean distance
 *   threshold (distance d relates to cosine similarity by d^2 = 2 - 2 cos). Comparing every pair
 *   (55k x 10k x 784 for MNIST) is too slow, so candidates come from locality-sensitive
 *   hashing: signs of 128 Gaussian random projections (one GEMM), of which each of 16 tables
 *   samples b bits; items that agree on all b bits of some table are compared, first by how many
 *   of the 128 sign bits differ (a bound that a pair at the threshold exceeds with probability
 *   1e-6), then by their 128 projections (a Johnson-Lindenstrauss estimate with a 2x margin,
 *   which loses a true pair with probability far below 1e-30), then exactly. Recall limit: a pair at exactly the
 *   threshold distance is found with the probability reported as `estimatedRecall` (b is
 *   chosen so that it is >= 0.99; closer pairs are found more reliably, and a pair at the
 *   threshold is not guaranteed). Items with constant inputs cannot be normalized and are
 *   skipped (`skippedConstant`); exact duplicates are not counted again as near ones.
 * - Label conflicts: identical inputs carrying different labels.
 * - Class balance: per-split class counts and fractions and the largest gap between splits.
 *
 * Counts across splits count items of the later split (val for train-val, test for train-test
 * and val-test) that have a duplicate in the earlier one; within a split they count the copies
 * beyond the first.
 */

export const AUDIT_SPLITS = ['train', 'val', 'test'] as const;
export type AuditSplit = (typeof AUDIT_SPLITS)[number];
type PairKey = 'trainVal' | 'trainTest' | 'valTest';
const PAIRS: ReadonlyArray<[AuditSplit, AuditSplit, PairKey]> = [['train', 'val', 'trainVal'], ['train', 'test', 'trainTest'], ['val', 'test', 'valTest']];

export interface AuditOptions {
  /** Euclidean distance between normalized items below which they are near duplicates (default 0.1, i.e. cosine >= 0.995). */
  nearThreshold?: number;
  /** Example pairs kept per check (default 3). */
  examples?: number;
  /** Look for near duplicates at all (default true). */
  nearDuplicates?: boolean;
  /** Seed of the random projections (default 0). */
  seed?: number;
  /** LSH tables (default 16); more tables raise recall and cost. */
  tables?: number;
  /** Stop comparing after this many candidate pairs and mark the result incomplete (default 50 million). */
  maxCandidates?: number;
}

/** An item: its split and its position in that split. */
export interface ItemRef { split: AuditSplit; index: number }

/** Two items, with their labels and (for near duplicates) their normalized distance. */
export interface PairExample { a: ItemRef; b: ItemRef; labels: [string, string]; distance?: number }

export interface ExactDuplicateCounts {
  withinTrain: number; withinVal: number; withinTest: number;
  trainVal: number; trainTest: number; valTest: number;
}

export interface NearDuplicateReport {
  trainVal: number; trainTest: number; valTest: number;
  /** Near-duplicate pairs found (an item can be in several). */
  pairs: number;
  /** Of those pairs, how many carry different labels. */
  differentLabels: number;
  threshold: number;
  metric: string;
  method: string;
  /** Probability that a pair at exactly the threshold distance is found. */
  estimatedRecall: number;
  bitsPerTable: number;
  tables: number;
  /** Candidate pairs compared (after removing pairs already seen in an earlier table). */
  candidatesChecked: number;
  /** Candidates that passed the projection estimate and were compared exactly. */
  exactComparisons: number;
  skippedConstant: number;
  /** False when maxCandidates stopped the search early: the counts are lower bounds. */
  complete: boolean;
}

export interface ClassBalanceSplit { n: number; counts: number[]; fractions: number[] }

export interface ClassBalanceReport {
  classes: number[];
  train: ClassBalanceSplit; val: ClassBalanceSplit; test: ClassBalanceSplit;
  /** The largest difference of one class's fraction between two non-empty splits. */
  maxDeviation: { class: number; splits: [AuditSplit, AuditSplit]; fractions: [number, number]; difference: number } | null;
}

export interface LabelConflictExample { items: ItemRef[]; labels: string[] }

export interface AuditReport {
  sizes: Record<AuditSplit, number>;
  /** Shape of one input item. */
  itemShape: number[];
  exactDuplicates: ExactDuplicateCounts;
  nearDuplicates: NearDuplicateReport | null;
  labelConflicts: { groups: number; items: number; acrossSplits: number };
  /** Null when targets are not one integer class label per item. */
  classBalance: ClassBalanceReport | null;
  examples: {
    exactDuplicates: Record<keyof ExactDuplicateCounts, PairExample[]>;
    nearDuplicates: Record<PairKey, PairExample[]>;
    labelConflicts: LabelConflictExample[];
  };
  timings: { exactSeconds: number; nearSeconds: number; totalSeconds: number };
}

export type AuditSplits = Record<AuditSplit, TensorDataset>;

function rowSize(t: Tensor): number {
  return t.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Label of each item as text: the class number for 1-D targets, else the target row's values. */
function labelTexts(y: Tensor): string[] {
  const n = y.shape[0], r = rowSize(y), out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = r === 1 ? String(y.data[i]) : Array.from(y.data.subarray(i * r, (i + 1) * r)).join(',');
  return out;
}

function emptyPairs<K extends string>(keys: readonly K[]): Record<K, PairExample[]> {
  return Object.fromEntries(keys.map((k) => [k, []])) as unknown as Record<K, PairExample[]>;
}

function cap(s: AuditSplit): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** log C(n, k) via sums of logs (n <= a few hundred here). */
function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.log(n - i) - Math.log(i + 1);
  return s;
}

/** P(k of m sign bits differ) for two vectors at angle theta: Binomial(m, theta / pi). */
function bitsDifferProbability(theta: number, m: number, k: number): number {
  const q = Math.min(1, Math.max(0, theta / Math.PI));
  if (q === 0) return k === 0 ? 1 : 0;
  if (q === 1) return k === m ? 1 : 0;
  return Math.exp(logChoose(m, k) + k * Math.log(q) + (m - k) * Math.log1p(-q));
}

/** The smallest Hamming distance bound that a pair at angle theta exceeds with probability <= tail. */
export function hammingBound(theta: number, m: number, tail = 1e-6): number {
  let cdf = 0;
  for (let k = 0; k <= m; k++) {
    cdf += bitsDifferProbability(theta, m, k);
    if (1 - cdf <= tail) return k;
  }
  return m;
}

/**
 * Probability that hyperplane LSH (m pooled sign bits, L tables of b bits sampled without
 * replacement) puts two vectors at angle theta in a common bucket of at least one table and
 * their m sign bits differ in at most maxDiffer places (the cheap filter applied next).
 */
export function lshRecall(theta: number, m: number, b: number, L: number, maxDiffer = m): number {
  let recall = 0;
  for (let k = 0; k <= maxDiffer; k++) {
    const pk = bitsDifferProbability(theta, m, k);
    if (!(pk > 0)) continue;
    const hit = Math.exp(logChoose(m - k, b) - logChoose(m, b));
    recall += pk * (1 - (1 - hit) ** L);
  }
  return Math.min(1, recall);
}

/**
 * Audits a train/val/test trio for leakage and imbalance: exact and near duplicates, label
 * conflicts and class balance (see the file comment for definitions and recall limits).
 *
 * @example
 * const { train, val, test } = mnist({ valSize: 5000 });
 * const report = auditSplits({ train, val, test }, { nearThreshold: 0.1 });
 * report.exactDuplicates.trainTest; // test items whose exact input also appears in train
 */
export function auditSplits(splits: AuditSplits, o: AuditOptions = {}): AuditReport {
  const t0 = performance.now();
  const threshold = o.nearThreshold ?? 0.1;
  const maxExamples = o.examples ?? 3;
  if (!(threshold >= 0 && threshold <= 2)) throw new RangeError(`audit: nearThreshold must be a distance in [0, 2] between normalized items, got ${threshold}`);
  if (!Number.isInteger(maxExamples) || maxExamples < 0) throw new RangeError(`audit: examples must be a whole number >= 0, got ${maxExamples}`);
  for (const s of AUDIT_SPLITS) {
    if (!splits[s] || !splits[s].x || !splits[s].y) throw new TypeError(`audit: missing the ${s} split; pass { train, val, test } TensorDatasets`);
  }
  const D = rowSize(splits.train.x);
  const itemShape = splits.train.x.shape.slice(1);
  for (const s of AUDIT_SPLITS) {
    const d = rowSize(splits[s].x);
    if (d !== D || splits[s].x.dtype !== splits.train.x.dtype) {
      throw new RangeError(`audit: ${s} items have ${d} ${splits[s].x.dtype} values but train items have ${D} ${splits.train.x.dtype}; all splits must hold inputs of one shape and type`);
    }
  }
  const sizes = { train: splits.train.length, val: splits.val.length, test: splits.test.length };
  const labels = { train: labelTexts(splits.train.y), val: labelTexts(splits.val.y), test: labelTexts(splits.test.y) };
  const ref = (split: AuditSplit, index: number): ItemRef => ({ split, index });
  const pair = (a: ItemRef, b: ItemRef, distance?: number): PairExample => ({
    a, b, labels: [labels[a.split][a.index], labels[b.split][b.index]], ...(distance === undefined ? {} : { distance: Number(distance.toFixed(6)) }),
  });

  // ---- exact duplicates and label conflicts ---------------------------------------------------
  const hashes: Record<AuditSplit, string[]> = { train: [], val: [], test: [] };
  const byHash = new Map<string, ItemRef[]>();
  for (const s of AUDIT_SPLITS) {
    const x = splits[s].x.data;
    for (let i = 0; i < sizes[s]; i++) {
      const h = hashBytes(x.subarray(i * D, (i + 1) * D));
      hashes[s].push(h);
      const list = byHash.get(h);
      if (list) list.push(ref(s, i)); else byHash.set(h, [ref(s, i)]);
    }
  }
  const exact: ExactDuplicateCounts = { withinTrain: 0, withinVal: 0, withinTest: 0, trainVal: 0, trainTest: 0, valTest: 0 };
  const exactExamples = emptyPairs(Object.keys(exact) as Array<keyof ExactDuplicateCounts>);
  /** exactIn[pair][j] = 1 when item j of the later split has an exact copy in the earlier one. */
  const exactIn: Record<PairKey, Uint8Array> = { trainVal: new Uint8Array(sizes.val), trainTest: new Uint8Array(sizes.test), valTest: new Uint8Array(sizes.test) };
  const conflicts = { groups: 0, items: 0, acrossSplits: 0 };
  const conflictExamples: LabelConflictExample[] = [];
  for (const members of byHash.values()) {
    if (members.length < 2) continue;
    const per: Record<AuditSplit, ItemRef[]> = { train: [], val: [], test: [] };
    for (const m of members) per[m.split].push(m);
    for (const s of AUDIT_SPLITS) {
      const list = per[s];
      if (list.length < 2) continue;
      const key = `within${cap(s)}` as keyof ExactDuplicateCounts;
      exact[key] += list.length - 1;
      for (let k = 1; k < list.length && exactExamples[key].length < maxExamples; k++) exactExamples[key].push(pair(list[0], list[k]));
    }
    for (const [a, b, key] of PAIRS) {
      if (per[a].length === 0 || per[b].length === 0) continue;
      exact[key] += per[b].length;
      for (const m of per[b]) {
        exactIn[key][m.index] = 1;
        if (exactExamples[key].length < maxExamples) exactExamples[key].push(pair(per[a][0], m));
      }
    }
    const distinct = [...new Set(members.map((m) => labels[m.split][m.index]))];
    if (distinct.length > 1) {
      conflicts.groups++;
      conflicts.items += members.length;
      if (new Set(members.map((m) => m.split)).size > 1) conflicts.acrossSplits++;
      if (conflictExamples.length < maxExamples) {
        const shown = members.slice(0, 8);
        conflictExamples.push({ items: shown, labels: shown.map((m) => labels[m.split][m.index]) });
      }
    }
  }
  const t1 = performance.now();

  // ---- near duplicates ----------------------------------------------------------------------------
  const nearExamples = emptyPairs<PairKey>(['trainVal', 'trainTest', 'valTest']);
  const near = o.nearDuplicates === false ? null : findNear(splits, sizes, D, threshold, hashes, exactIn, o, (a, b, d) => {
    const key = PAIRS.find(([p, q]) => p === a.split && q === b.split)![2];
    if (nearExamples[key].length < maxExamples) nearExamples[key].push(pair(a, b, d));
    return labels[a.split][a.index] !== labels[b.split][b.index];
  });
  for (const key of ['trainVal', 'trainTest', 'valTest'] as const) nearExamples[key].sort((p, q) => (p.distance ?? 0) - (q.distance ?? 0));
  const t2 = performance.now();

  return {
    sizes, itemShape, exactDuplicates: exact, nearDuplicates: near, labelConflicts: conflicts,
    classBalance: classBalance(splits),
    examples: { exactDuplicates: exactExamples, nearDuplicates: nearExamples, labelConflicts: conflictExamples },
    timings: { exactSeconds: (t1 - t0) / 1000, nearSeconds: (t2 - t1) / 1000, totalSeconds: (performance.now() - t0) / 1000 },
  };
}

function findNear(
  splits: AuditSplits, sizes: Record<AuditSplit, number>, D: number, threshold: number,
  hashes: Record<AuditSplit, string[]>, exactIn: Record<PairKey, Uint8Array>, o: AuditOptions,
  onPair: (a: ItemRef, b: ItemRef, distance: number) => boolean,
): NearDuplicateReport {
  const M = 128; // pooled projections
  const L = o.tables ?? 16;
  const maxCandidates = o.maxCandidates ?? 5e7;
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`audit: tables must be a whole number >= 1, got ${L}`);
  const theta = 2 * Math.asin(Math.min(1, threshold / 2));
  const maxDiffer = hammingBound(theta, M);
  let bits = 8;
  for (let b = 31; b >= 8; b--) if (lshRecall(theta, M, b, L, maxDiffer) >= 0.99) { bits = b; break; }
  const recall = lshRecall(theta, M, bits, L, maxDiffer);

  // Global ids: train items first, then val, then test.
  const offset = { train: 0, val: sizes.train, test: sizes.train + sizes.val };
  const N = sizes.train + sizes.val + sizes.test;
  const splitOf = (g: number): AuditSplit => (g < offset.val ? 'train' : g < offset.test ? 'val' : 'test');
  const rows: Float32Array[] = AUDIT_SPLITS.map((s) => (splits[s].x.data instanceof Float32Array ? splits[s].x.data as Float32Array : Float32Array.from(splits[s].x.data)));
  const rowOf = (g: number): [Float32Array, number] => {
    const s = splitOf(g);
    return [rows[AUDIT_SPLITS.indexOf(s)], (g - offset[s]) * D];
  };
  const mean = new Float64Array(N), norm = new Float64Array(N);
  let skippedConstant = 0;
  for (let g = 0; g < N; g++) {
    const [x, o0] = rowOf(g);
    let s = 0;
    for (let j = 0; j < D; j++) s += x[o0 + j];
    const m = s / D;
    let q = 0;
    for (let j = 0; j < D; j++) { const v = x[o0 + j] - m; q += v * v; }
    mean[g] = m; norm[g] = Math.sqrt(q);
    if (!(norm[g] > 0)) skippedConstant++;
  }
  // Gaussian projections of the centered, unit-norm items, scaled so that squared distances
  // between projections estimate squared distances between the items.
  const rng = new Generator(o.seed ?? 0);
  const R = new Float32Array(D * M);
  for (let i = 0; i < R.length; i++) R[i] = rng.normal();
  const colSum = new Float64Array(M);
  for (let d = 0; d < D; d++) for (let j = 0; j < M; j++) colSum[j] += R[d * M + j];
  const P = new Float32Array(N * M);
  for (const s of AUDIT_SPLITS) {
    if (sizes[s] > 0) backend().gemm(false, false, sizes[s], M, D, 1, rows[AUDIT_SPLITS.indexOf(s)], 0, R, 0, 0, P, offset[s] * M, 1, 0, 0, 0);
  }
  const W = M / 32;
  const signs = new Uint32Array(N * W);
  for (let g = 0; g < N; g++) {
    const scale = norm[g] > 0 ? 1 / (norm[g] * Math.sqrt(M)) : 0;
    for (let j = 0; j < M; j++) {
      const v = (P[g * M + j] - mean[g] * colSum[j]) * scale;
      P[g * M + j] = v;
      if (v > 0) signs[g * W + (j >> 5)] |= 1 << (j & 31);
    }
  }
  // Tables: each samples `bits` of the M sign bits.
  // keys[g * L + t]: item g's bucket in table t (interleaved so one item's keys are adjacent).
  const keys = new Uint32Array(N * L);
  for (let t = 0; t < L; t++) {
    const pick = rng.shuffle(Int32Array.from({ length: M }, (_, i) => i)).slice(0, bits);
    for (let g = 0; g < N; g++) {
      let k = 0;
      for (let b = 0; b < bits; b++) { const j = pick[b]; k |= ((signs[g * W + (j >> 5)] >>> (j & 31)) & 1) << b; }
      keys[g * L + t] = k >>> 0;
    }
  }

  const counts: Record<PairKey, number> = { trainVal: 0, trainTest: 0, valTest: 0 };
  const flagged: Record<PairKey, Uint8Array> = { trainVal: new Uint8Array(sizes.val), trainTest: new Uint8Array(sizes.test), valTest: new Uint8Array(sizes.test) };
  let pairs = 0, differentLabels = 0, candidates = 0, exactComparisons = 0, complete = true;
  const live: number[] = [];
  for (let g = 0; g < N; g++) if (norm[g] > 0) live.push(g);
  const est2Limit = (2 * threshold) ** 2;
  const members: Record<AuditSplit, number[]> = { train: [], val: [], test: [] };

  const compare = (a: number, b: number, t: number): void => {
    for (let u = 0, ka = a * L, kb = b * L; u < t; u++) if (keys[ka + u] === keys[kb + u]) return; // seen in an earlier table
    candidates++;
    let differ = 0;
    for (let w = 0, sa = a * W, sb = b * W; w < W; w++) differ += popcount(signs[sa + w] ^ signs[sb + w]);
    if (differ > maxDiffer) return;
    let e = 0;
    for (let j = 0, pa = a * M, pb = b * M; j < M; j++) { const d = P[pa + j] - P[pb + j]; e += d * d; }
    if (e > est2Limit) return;
    const sa = splitOf(a), sb = splitOf(b), ia = a - offset[sa], ib = b - offset[sb];
    if (hashes[sa][ia] === hashes[sb][ib]) return; // an exact duplicate, counted already
    exactComparisons++;
    const [xa, oa] = rowOf(a), [xb, ob] = rowOf(b);
    let dot = 0;
    for (let j = 0; j < D; j++) dot += xa[oa + j] * xb[ob + j];
    const cos = (dot - D * mean[a] * mean[b]) / (norm[a] * norm[b]);
    const dist = Math.sqrt(Math.max(0, 2 - 2 * cos));
    if (!(dist < threshold)) return;
    const key = PAIRS.find(([p, q]) => p === sa && q === sb)![2];
    pairs++;
    if (onPair({ split: sa, index: ia }, { split: sb, index: ib }, dist)) differentLabels++;
    if (!flagged[key][ib] && !exactIn[key][ib]) { flagged[key][ib] = 1; counts[key]++; }
  };

  const order = new Float64Array(live.length);
  const packed = N < 2 ** 21;
  outer:
  for (let t = 0; t < L; t++) {
    const key = new Uint32Array(N);
    for (let g = 0; g < N; g++) key[g] = keys[g * L + t];
    let sortedIds: ArrayLike<number>;
    if (packed) {
      for (let i = 0; i < live.length; i++) order[i] = key[live[i]] * 2 ** 21 + live[i];
      order.sort();
      sortedIds = Int32Array.from(order, (v) => v % 2 ** 21);
    } else sortedIds = live.slice().sort((a, b) => key[a] - key[b] || a - b);
    for (let start = 0; start < sortedIds.length;) {
      let end = start + 1;
      while (end < sortedIds.length && key[sortedIds[end]] === key[sortedIds[start]]) end++;
      if (end - start > 1) {
        members.train.length = 0; members.val.length = 0; members.test.length = 0;
        for (let i = start; i < end; i++) members[splitOf(sortedIds[i])].push(sortedIds[i]);
        for (const [a, b] of PAIRS) {
          for (const ga of members[a]) {
            for (const gb of members[b]) {
              compare(ga, gb, t);
              if (candidates >= maxCandidates) { complete = false; break outer; }
            }
          }
        }
      }
      start = end;
    }
  }
  return {
    ...counts, pairs, differentLabels, threshold,
    metric: 'Euclidean distance between items scaled to zero mean and unit norm (d^2 = 2 - 2 cos)',
    method: `LSH: ${L} tables x ${bits} sign bits sampled from ${M} Gaussian random projections; candidates filtered by sign agreement (<= ${maxDiffer} of ${M} differ) and projected distance, then compared exactly`,
    estimatedRecall: Number(recall.toFixed(6)), bitsPerTable: bits, tables: L,
    candidatesChecked: candidates, exactComparisons, skippedConstant, complete,
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function classBalance(splits: AuditSplits): ClassBalanceReport | null {
  for (const s of AUDIT_SPLITS) {
    const y = splits[s].y;
    if (y.ndim !== 1) return null;
    for (let i = 0; i < y.size; i++) if (!Number.isInteger(y.data[i])) return null;
  }
  const set = new Set<number>();
  for (const s of AUDIT_SPLITS) for (const v of splits[s].y.data) set.add(v);
  const classes = [...set].sort((a, b) => a - b);
  if (classes.length > 1000) return null; // regression-like integer targets, not classes
  const pos = new Map(classes.map((c, i) => [c, i]));
  const per = {} as Record<AuditSplit, ClassBalanceSplit>;
  for (const s of AUDIT_SPLITS) {
    const counts = new Array<number>(classes.length).fill(0);
    for (const v of splits[s].y.data) counts[pos.get(v)!]++;
    const n = splits[s].length;
    per[s] = { n, counts, fractions: counts.map((c) => (n ? c / n : 0)) };
  }
  let maxDeviation: ClassBalanceReport['maxDeviation'] = null;
  for (const [a, b] of PAIRS) {
    if (!per[a].n || !per[b].n) continue;
    classes.forEach((c, k) => {
      const diff = Math.abs(per[a].fractions[k] - per[b].fractions[k]);
      if (!maxDeviation || diff > maxDeviation.difference) maxDeviation = { class: c, splits: [a, b], fractions: [per[a].fractions[k], per[b].fractions[k]], difference: diff };
    });
  }
  return { classes, ...per, maxDeviation };
}
