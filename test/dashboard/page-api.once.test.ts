import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticStore, type EmbeddedRun } from '../../src/dashboard/static-store.js';
import { pages } from '../../src/dashboard/pages/index.js';
import { ApiError, definePage } from '../../src/dashboard/page.js';
import { expectClose } from '../helpers.js';

function run(id: string, seed: number, values: number[], extra: Partial<EmbeddedRun> = {}): EmbeddedRun {
  const steps = values.map((_, i) => i + 1);
  return {
    id, status: 'completed', error: null, split: null, checkpoints: [], metricsBytes: 0, summary: null,
    info: { id, experiment: 'mnist-mlp', hparams: { lr: 0.001, seed }, seed, backend: 'js', versions: {}, status: 'completed', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:01:00Z' },
    series: [
      { split: 'train', name: 'batch_loss', steps, epochs: steps.map((s) => Math.ceil(s / 2)), times: steps, values },
      { split: 'val', name: 'val_accuracy', steps: [2, 4], epochs: [1, 2], times: [2, 4], values: [values[0] / 10, values[1] / 10] },
    ],
    ...extra,
  };
}

const api = (page: string, route: string) => {
  const p = pages.find((x) => x.id === page)!;
  return (store: StaticStore, q: Record<string, string>) => p.api[route]({ store }, new URLSearchParams(q));
};

test('the registry: page ids are unique, and every route is reachable by page and name', () => {
  const ids = pages.map((p) => p.id);
  assert.deepEqual(ids, ['runs', 'run', 'compare', 'ledger', 'lr-find', 'lr-sweeps', 'ablations', 'study', 'pruning']);
  assert.equal(new Set(ids).size, ids.length);
  assert.throws(() => definePage({ id: 'Bad Id', title: '', nav: false, api: {}, render: () => {} }), /must match/);
});

test('compare groups runs that differ only in seed: per-epoch values are averaged at each epoch with a t band', () => {
  const store = new StaticStore({ runs: [run('a', 0, [4, 6, 2, 2]), run('b', 1, [6, 8, 2, 2]), run('c', 0, [1, 1, 1, 1], { info: { ...run('c', 0, []).info!, hparams: { lr: 0.01, seed: 0 } } })], ledger: [] });
  const info = api('compare', 'runs')(store, { ids: 'a,b,c' }) as { differing: string[]; groups: Array<{ ids: string[] }> };
  assert.deepEqual(info.differing, ['lr', 'seed']);
  assert.deepEqual(info.groups.map((g) => g.ids), [['a', 'b'], ['c']]);
  const s = api('compare', 'series')(store, { ids: 'a,b,c', metric: 'val/val_accuracy', x: 'epoch', group: '1' }) as { x: number[]; lines: Array<{ label: string; y: number[]; lo: number[] | null; hi: number[] | null }> };
  assert.deepEqual(s.x, [1, 2]);
  expectClose(s.lines[0].y, [0.5, 0.7], 1e-12, 0);
  // two seeds 0.4 and 0.6: sd = 0.1414, t(0.975, 1) = 12.7062 -> half width 12.7062 * 0.1414 / sqrt(2) = 1.27062
  expectClose([s.lines[0].lo![0], s.lines[0].hi![0]], [0.5 - 1.2706204736, 0.5 + 1.2706204736], 1e-6, 0);
  assert.equal(s.lines[1].lo, null, 'a group of one has no band');
  const overlay = api('compare', 'series')(store, { ids: 'a,b', metric: 'batch_loss', smooth: '0' }) as { x: number[]; lines: Array<{ y: number[] }> };
  assert.deepEqual(overlay.x, [1, 2, 3, 4]);
  assert.deepEqual(overlay.lines.map((l) => l.y), [[4, 6, 2, 2], [6, 8, 2, 2]]);
  assert.throws(() => api('compare', 'series')(store, { ids: 'a,zzz' }), (e: ApiError) => e.status === 404);
});

test('the run page routes: smoothing, a missing metric 404, bad parameters 400', () => {
  const store = new StaticStore({ runs: [run('a', 0, [4, 2, 8])], ledger: [] });
  const r = api('run', 'series')(store, { id: 'a', metric: 'batch_loss', smooth: '0.5' }) as { raw: number[]; smoothed: number[]; fullResolution: boolean };
  expectClose(r.smoothed, [4, 8 / 3, 40 / 7], 1e-12, 0);
  assert.equal(r.fullResolution, true);
  assert.throws(() => api('run', 'series')(store, { id: 'a', metric: 'nope' }), (e: ApiError) => e.status === 404);
  assert.throws(() => api('run', 'series')(store, { id: 'a', smooth: '-1' }), (e: ApiError) => e.status === 400);
  assert.throws(() => api('run', 'info')(store, {}), (e: ApiError) => e.status === 400);
});
