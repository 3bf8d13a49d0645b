import { selectBackend } from '../../src/backend/select.js';
await selectBackend();
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { TensorDataset } from '../../src/data/dataset.js';
import {
  describeFolds, describeSplit, groupedSplit, indexHash, kFold, orderedSplit, randomSplit, splitDataset, SplitError,
  stratifiedSplit, type Fold, type Split,
} from '../../src/data/split.js';

// ---- a tiny property runner ----------------------------------------------------------------

const CASES = 200;

/** Shortens a case for a failure message: long arrays are cut. */
function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) v = Array.from(v as unknown as ArrayLike<number>);
    if (Array.isArray(v) && v.length > 40) return [...v.slice(0, 40), `... (${v.length} in all)`];
    return v;
  });
}

/**
 * Runs `check` on CASES cases drawn by `draw` from a generator seeded with baseSeed + i. A
 * failure names the property, the case number, its seed and the case, so it can be replayed
 * with `draw(new Generator(seed))`.
 */
function property<C>(name: string, baseSeed: number, draw: (rng: Generator) => C, check: (c: C) => void): void {
  for (let i = 0; i < CASES; i++) {
    const seed = baseSeed + i;
    const c = draw(new Generator(seed));
    try {
      check(c);
    } catch (e) {
      assert.fail(`property '${name}' failed on case ${i} (generator seed ${seed}): ${(e as Error).message}\n  case: ${show(c)}`);
    }
  }
}

/** A size: a fraction most of the time, sometimes a count, sometimes 0. */
function drawSize(rng: Generator, n: number): number {
  const r = rng.uniform();
  if (r < 0.1) return 0;
  if (r < 0.3) return 1 + rng.below(Math.max(1, Math.floor(n / 4)));
  return 0.05 + 0.3 * rng.uniform();
}

/** Integer keys in [0, distinct) so that ties are common; sometimes all equal. */
function drawKeys(rng: Generator, n: number): number[] {
  const distinct = rng.uniform() < 0.1 ? 1 + rng.below(3) : 1 + rng.below(Math.max(1, Math.floor(n / (1 + rng.below(8)))));
  return Array.from({ length: n }, () => rng.below(distinct) * 10 - 30);
}

/** Group keys with skewed sizes (a few big groups, many small ones); strings or numbers. */
function drawGroups(rng: Generator, n: number): Array<string | number> {
  const g = 1 + rng.below(Math.max(1, Math.floor(n / (1 + rng.below(6)))));
  const asString = rng.uniform() < 0.5;
  return Array.from({ length: n }, () => {
    const u = rng.uniform();
    const k = Math.floor(g * u * u); // skewed toward small ids: big groups
    return asString ? `g${k}` : k;
  });
}

/** Asserts train/val/test are disjoint, cover 0..n-1, are sorted and carry matching hashes. */
function assertPartition(s: Split, n: number): void {
  const seen = new Uint8Array(n);
  for (const [name, list] of [['train', s.train], ['val', s.val], ['test', s.test]] as const) {
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      assert.ok(v >= 0 && v < n && Number.isInteger(v), `${name} holds ${v}, outside 0..${n - 1}`);
      assert.equal(seen[v], 0, `item ${v} appears twice (again in ${name})`);
      seen[v] = 1;
      if (i > 0) assert.ok(list[i - 1] < v, `${name} is not sorted ascending at position ${i}`);
    }
    assert.equal(s.hash[name], indexHash(list), `${name} hash does not match its indices`);
  }
  assert.equal(s.train.length + s.val.length + s.test.length, n, 'the splits do not cover every item');
  assert.equal(s.n, n);
  assert.ok(s.train.length > 0, 'training split is empty');
}

/** Asserts the folds' validation parts partition 0..n-1 and each train part is the rest. */
function assertFolds(folds: Fold[], n: number, k: number): void {
  assert.equal(folds.length, k, `expected ${k} folds`);
  const valCount = new Uint8Array(n);
  for (const f of folds) {
    assert.equal(f.train.length + f.val.length, n, `fold ${f.index}: train + val != n`);
    assert.ok(f.val.length > 0, `fold ${f.index} has an empty validation part`);
    const inVal = new Uint8Array(n);
    for (const v of f.val) { inVal[v] = 1; valCount[v]++; }
    for (const t of f.train) assert.equal(inVal[t], 0, `fold ${f.index}: item ${t} is in both train and val`);
    assert.equal(f.hash.val, indexHash(f.val));
    assert.equal(f.hash.train, indexHash(f.train));
  }
  for (let i = 0; i < n; i++) assert.equal(valCount[i], 1, `item ${i} validates in ${valCount[i]} folds, not exactly one`);
}

function sameSplit(a: Split, b: Split): boolean {
  return a.hash.train === b.hash.train && a.hash.val === b.hash.val && a.hash.test === b.hash.test;
}

function expectedCounts(n: number, val: number, test: number): { val: number; test: number } {
  const count = (x: number): number => (x < 1 ? Math.round(x * n) : x);
  return { val: count(val), test: count(test) };
}

// ---- properties ----------------------------------------------------------------------------

test('randomSplit: partitions, exact sizes, deterministic per seed, different across seeds', () => {
  let differ = 0, compared = 0;
  property('randomSplit', 1000, (rng) => {
    const n = 20 + rng.below(400);
    return { n, val: drawSize(rng, n), test: drawSize(rng, n), seed: rng.below(1e6) };
  }, (c) => {
    const s = randomSplit(c.n, c);
    assertPartition(s, c.n);
    const want = expectedCounts(c.n, c.val, c.test);
    assert.equal(s.val.length, want.val, 'validation size');
    assert.equal(s.test.length, want.test, 'test size');
    assert.ok(sameSplit(s, randomSplit(c.n, c)), 'the same seed gave a different split');
    if (want.val + want.test > 0) {
      compared++;
      if (!sameSplit(s, randomSplit(c.n, { ...c, seed: c.seed + 1 }))) differ++;
    }
  });
  assert.ok(compared > 150 && differ === compared, `seeds seed and seed+1 gave the same split in ${compared - differ} of ${compared} cases`);
});

test('stratifiedSplit: each class within one item of its share in every split; exact totals', () => {
  let differ = 0, compared = 0;
  property('stratifiedSplit', 2000, (rng) => {
    const n = 20 + rng.below(400);
    const classes = 1 + rng.below(12);
    const skew = rng.uniform() * 3;
    const labels = Array.from({ length: n }, () => Math.floor(classes * rng.uniform() ** (1 + skew)));
    return { labels, val: drawSize(rng, n), test: drawSize(rng, n), seed: rng.below(1e6) };
  }, (c) => {
    const n = c.labels.length;
    const s = stratifiedSplit(c.labels, c);
    assertPartition(s, n);
    const want = expectedCounts(n, c.val, c.test);
    assert.equal(s.val.length, want.val, 'validation size');
    assert.equal(s.test.length, want.test, 'test size');
    const total = new Map<number, number>();
    for (const l of c.labels) total.set(l, (total.get(l) ?? 0) + 1);
    for (const [name, list] of [['train', s.train], ['val', s.val], ['test', s.test]] as const) {
      const got = new Map<number, number>();
      for (const i of list) got.set(c.labels[i], (got.get(c.labels[i]) ?? 0) + 1);
      for (const [cls, nc] of total) {
        const ideal = nc * list.length / n;
        const have = got.get(cls) ?? 0;
        assert.ok(Math.abs(have - ideal) < 1, `class ${cls} (${nc} items) has ${have} in ${name}, ideal ${ideal.toFixed(3)}: off by more than one item`);
      }
    }
    assert.ok(sameSplit(s, stratifiedSplit(c.labels, c)), 'the same seed gave a different split');
    if (want.val >= 3 && n >= 50) {
      compared++;
      if (!sameSplit(s, stratifiedSplit(c.labels, { ...c, seed: c.seed + 1 }))) differ++;
    }
  });
  assert.ok(compared > 100 && differ === compared, `seeds seed and seed+1 gave the same split in ${compared - differ} of ${compared} cases`);
});

test('orderedSplit: max key(train) < min key(val), max key(val) < min key(test); ties never cut', () => {
  let succeeded = 0, refused = 0;
  property('orderedSplit', 3000, (rng) => {
    const n = 5 + rng.below(300);
    return { keys: drawKeys(rng, n), val: drawSize(rng, n), test: drawSize(rng, n) };
  }, (c) => {
    const n = c.keys.length;
    const want = expectedCounts(n, c.val, c.test);
    const distinct = new Set(c.keys).size;
    const needed = 1 + (want.val > 0 ? 1 : 0) + (want.test > 0 ? 1 : 0);
    if (want.val + want.test >= n || distinct < needed) {
      assert.throws(() => orderedSplit(c.keys, c), SplitError, `expected a SplitError: ${distinct} distinct keys, ${needed} splits needed`);
      refused++;
      return;
    }
    const s = orderedSplit(c.keys, c);
    succeeded++;
    assertPartition(s, n);
    assert.equal(s.seed, null);
    const keysOf = (l: Int32Array): number[] => Array.from(l, (i) => c.keys[i]);
    const [tr, va, te] = [keysOf(s.train), keysOf(s.val), keysOf(s.test)];
    if (va.length) assert.ok(Math.max(...tr) < Math.min(...va), `max train key ${Math.max(...tr)} >= min val key ${Math.min(...va)}`);
    if (te.length) assert.ok(Math.max(...tr, ...va) < Math.min(...te), `a train/val key >= min test key ${Math.min(...te)}`);
    assert.equal(va.length > 0, want.val > 0, 'validation is empty exactly when none was asked for');
    assert.equal(te.length > 0, want.test > 0, 'test is empty exactly when none was asked for');
    // Each boundary is at the run edge nearest to the requested position.
    const sortedKeys = c.keys.slice().sort((a, b) => a - b);
    const edges = [0, ...sortedKeys.flatMap((k, p) => (p > 0 && k !== sortedKeys[p - 1] ? [p] : [])), n];
    const testStart = n - s.test.length;
    if (want.test > 0) {
      const allowed = edges.slice(1 + (want.val > 0 ? 1 : 0), edges.length - 1); // leave room for train (and val)
      const best = Math.min(...allowed.map((e) => Math.abs(e - (n - want.test))));
      assert.equal(Math.abs(testStart - (n - want.test)), best, `test starts at ${testStart}, but a run edge nearer to ${n - want.test} exists`);
    }
    assert.deepEqual(orderedSplit(c.keys, c).hash, s.hash, 'not deterministic');
  });
  assert.ok(succeeded > 120 && refused > 5, `too few cases of one kind: ${succeeded} succeeded, ${refused} refused`);
});

test('groupedSplit: no group in two splits; deterministic per seed', () => {
  let succeeded = 0, refused = 0, differ = 0, compared = 0;
  property('groupedSplit', 4000, (rng) => {
    const n = 5 + rng.below(300);
    return { groups: drawGroups(rng, n), val: drawSize(rng, n), test: drawSize(rng, n), seed: rng.below(1e6) };
  }, (c) => {
    const n = c.groups.length;
    const want = expectedCounts(n, c.val, c.test);
    const distinct = new Set(c.groups).size;
    const needed = 1 + (want.val > 0 ? 1 : 0) + (want.test > 0 ? 1 : 0);
    if (want.val + want.test >= n || distinct < needed) {
      assert.throws(() => groupedSplit(c.groups, c), SplitError, `expected a SplitError: ${distinct} groups, ${needed} splits needed`);
      refused++;
      return;
    }
    const s = groupedSplit(c.groups, c);
    succeeded++;
    assertPartition(s, n);
    const home = new Map<string | number, string>();
    for (const [name, list] of [['train', s.train], ['val', s.val], ['test', s.test]] as const) {
      for (const i of list) {
        const g = c.groups[i];
        const before = home.get(g);
        assert.ok(before === undefined || before === name, `group ${String(g)} is in both ${before} and ${name}`);
        home.set(g, name);
      }
    }
    assert.equal(s.val.length > 0, want.val > 0, 'validation is empty exactly when none was asked for');
    assert.equal(s.test.length > 0, want.test > 0, 'test is empty exactly when none was asked for');
    assert.ok(sameSplit(s, groupedSplit(c.groups, c)), 'the same seed gave a different split');
    if (distinct >= 20 && want.val + want.test > 0) {
      compared++;
      if (!sameSplit(s, groupedSplit(c.groups, { ...c, seed: c.seed + 1 }))) differ++;
    }
  });
  assert.ok(succeeded > 120 && refused > 5, `too few cases of one kind: ${succeeded} succeeded, ${refused} refused`);
  assert.ok(compared > 40 && differ >= 0.9 * compared, `seeds seed and seed+1 gave the same split in ${compared - differ} of ${compared} cases`);
});

test('kFold: validation parts partition the items; balanced; groups and classes respected', () => {
  let differ = 0, compared = 0;
  property('kFold', 5000, (rng) => {
    const n = 10 + rng.below(300);
    const k = 2 + rng.below(9);
    const mode = rng.below(4); // 0 plain, 1 stratified, 2 grouped, 3 grouped + stratified
    const labels = mode % 2 === 1 ? Array.from({ length: n }, () => rng.below(1 + rng.below(6))) : undefined;
    let groups = mode >= 2 ? drawGroups(rng, n) : undefined;
    if (groups && new Set(groups).size < k) groups = Array.from({ length: n }, (_, i) => i % (k + rng.below(5)));
    return { n, k, seed: rng.below(1e6), stratifyBy: labels, groups };
  }, (c) => {
    const folds = kFold(c.n, c.k, c);
    assertFolds(folds, c.n, c.k);
    if (!c.groups) {
      const sizes = folds.map((f) => f.val.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes.join(', ')} differ by more than one`);
    } else {
      const foldOf = new Map<string | number, number>();
      for (const f of folds) for (const i of f.val) {
        const g = c.groups[i];
        const before = foldOf.get(g);
        assert.ok(before === undefined || before === f.index, `group ${String(g)} validates in folds ${before} and ${f.index}`);
        foldOf.set(g, f.index);
      }
    }
    if (c.stratifyBy && !c.groups) {
      const labels = c.stratifyBy;
      const total = new Map<number, number>();
      for (const l of labels) total.set(l, (total.get(l) ?? 0) + 1);
      for (const f of folds) {
        const got = new Map<number, number>();
        for (const i of f.val) got.set(labels[i], (got.get(labels[i]) ?? 0) + 1);
        for (const [cls, nc] of total) {
          const have = got.get(cls) ?? 0;
          assert.ok(Math.abs(have - nc / c.k) < 1, `fold ${f.index}: class ${cls} has ${have}, ideal ${(nc / c.k).toFixed(3)}`);
        }
      }
    }
    assert.deepEqual(kFold(c.n, c.k, c).map((f) => f.hash.val), folds.map((f) => f.hash.val), 'the same seed gave different folds');
    if (!c.groups) {
      compared++;
      if (kFold(c.n, c.k, { ...c, seed: c.seed + 1 }).some((f, i) => f.hash.val !== folds[i].hash.val)) differ++;
    }
  });
  assert.ok(compared > 60 && differ === compared, `seeds seed and seed+1 gave the same folds in ${compared - differ} of ${compared} cases`);
});

// ---- examples and errors -------------------------------------------------------------------

function expectSplitError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SplitError, `expected a SplitError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

test('bad sizes, too few items, bad k: clear errors', () => {
  expectSplitError(() => randomSplit(100, { val: 0.6, test: 0.4 }), 'sum to less than 1', '0.6 + 0.4');
  expectSplitError(() => randomSplit(100, { val: 0.7, test: 0.5 }), 'sum to less than 1');
  expectSplitError(() => randomSplit(100, { val: -0.1, test: 0.2 }), 'val must not be negative');
  expectSplitError(() => randomSplit(100, { val: 0.1, test: Number.NaN }), 'test must be a fraction');
  expectSplitError(() => randomSplit(100, { val: 2.5, test: 0 }), 'neither a fraction below 1 nor a whole count');
  expectSplitError(() => randomSplit(10, { val: 6, test: 4 }), 'leave 0 of 10 for training');
  expectSplitError(() => randomSplit(10, { val: 0.01, test: 0 }), 'rounds to 0 items');
  expectSplitError(() => randomSplit(0, { val: 0.1, test: 0.1 }), 'whole number >= 1');
  expectSplitError(() => randomSplit(10, { val: 0.1, test: 0.1, seed: -1 }), 'seed');
  expectSplitError(() => kFold(10, 1), 'k must be a whole number >= 2');
  expectSplitError(() => kFold(3, 5), '3 items cannot fill 5 folds');
  expectSplitError(() => kFold(6, 3, { groups: [1, 1, 1, 2, 2, 2] }), '2 groups cannot fill 3 folds');
  expectSplitError(() => kFold(6, 3, { stratifyBy: [1, 2] }), 'stratifyBy has 2 entries but there are 6 items');
  expectSplitError(() => orderedSplit([1, 1, 1, 2, 2, 2], { val: 0.2, test: 0.2 }), 'only 2 distinct values', 'ties are never cut');
  expectSplitError(() => orderedSplit([1, Number.NaN, 3], { val: 1, test: 0 }), 'keys[1]');
  expectSplitError(() => groupedSplit(['a', 'a', 'b', 'b'], { val: 0.25, test: 0.25 }), 'only 2 groups');
});

test('orderedSplit: a tie run straddling the cut goes whole to the nearer side', () => {
  // Sorted keys: 1 2 3 4 5 5 5 5 6 7; a 20% test cut at position 8 lies at a run edge (6, 7).
  // A 30% test cut (position 7) falls inside the run of 5s (positions 4-7): the nearest edge is 8.
  const keys = [5, 1, 6, 5, 2, 7, 3, 5, 4, 5];
  const s = orderedSplit(keys, { val: 0, test: 0.3 });
  assert.deepEqual(Array.from(s.test, (i) => keys[i]).sort(), [6, 7]);
  // 40% test: the cut at position 6 is 2 from edge 4 and 2 from edge 8: the earlier edge wins.
  const t = orderedSplit(keys, { val: 0, test: 0.4 });
  assert.deepEqual(Array.from(t.test, (i) => keys[i]).sort(), [5, 5, 5, 5, 6, 7]);
  assert.equal(t.details.testFromKey, 5);
});

test('groupedSplit and kFold with groups keep every group together', () => {
  const patient = ['a', 'a', 'b', 'b', 'c', 'd', 'd', 'e', 'f', 'f'];
  const s = groupedSplit(patient, { val: 0.2, test: 0.2, seed: 3 });
  const where = (p: string): string[] => [...new Set(patient.flatMap((q, i) => (q !== p ? [] : [s.train.includes(i) ? 'train' : s.val.includes(i) ? 'val' : 'test'])))];
  for (const p of new Set(patient)) assert.equal(where(p).length, 1, `patient ${p} spans ${where(p).join(', ')}`);
  const folds = kFold(10, 3, { groups: patient, seed: 1 });
  assertFolds(folds, 10, 3);
});

test('splitDataset names the parts; describeSplit is JSON that rebuilds the split', () => {
  const x = new Tensor(Float32Array.from({ length: 40 }, (_, i) => i), [20, 2]);
  const y = new Tensor(Int32Array.from({ length: 20 }, (_, i) => i % 2), [20]);
  const ds = new TensorDataset(x, y, 'all');
  const split = stratifiedSplit(Array.from(y.data), { val: 0.2, test: 0.2, seed: 5 });
  const parts = splitDataset(ds, split);
  assert.deepEqual([parts.train.name, parts.val.name, parts.test.name], ['train', 'val', 'test']);
  assert.deepEqual([parts.train.length, parts.val.length, parts.test.length], [12, 4, 4]);
  assert.deepEqual(Array.from(parts.val.x.data), Array.from(split.val).flatMap((i) => [2 * i, 2 * i + 1]));
  const record = JSON.parse(JSON.stringify(describeSplit(split))) as ReturnType<typeof describeSplit>;
  assert.equal(record.kind, 'stratified');
  assert.equal(record.seed, 5);
  assert.deepEqual(record.sizes, { train: 12, val: 4, test: 4 });
  assert.deepEqual(record.indices.val, Array.from(split.val));
  assert.equal(indexHash(record.indices.test), record.hash.test);
  expectSplitError(() => splitDataset(ds, randomSplit(21, { val: 1, test: 1 })), 'covers 21 items', 'has 20');
  const folds = JSON.parse(JSON.stringify(describeFolds(kFold(20, 4, { seed: 2 })))) as ReturnType<typeof describeFolds>;
  assert.equal(folds.k, 4);
  assert.equal(folds.folds.reduce((a, f) => a + f.sizes.val, 0), 20);
});

test('indexHash: equal lists hash equal, different lists differ', () => {
  assert.equal(indexHash(Int32Array.of(1, 2, 3)), indexHash([1, 2, 3]));
  assert.match(indexHash([]), /^[0-9a-f]{16}$/);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(indexHash([i, i + 1]));
  seen.add(indexHash([])); seen.add(indexHash([0])); seen.add(indexHash([0, 0]));
  assert.equal(seen.size, 2003);
});
