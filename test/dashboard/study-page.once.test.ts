import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { get } from './run-fixtures.js';
import { startDashboard } from '../../src/dashboard/server/http-server.js';
import { withDashboardPage } from './dashboard-page.js';
import type { StudyView, StudyListRow } from '../../src/dashboard/pages/study.js';

const space = { lr: { type: 'float', low: 1e-4, high: 1e-2, log: true }, hidden: { type: 'int', low: 64, high: 512 } };

/** A trial run as `tune` writes it: extra.study/trial/metric/direction/space, one val_accuracy record per epoch. */
function trialRun(root: string, id: string, trial: number, status: string, curve: number[], hp: Record<string, unknown>): void {
  const dir = join(root, id);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  const now = new Date().toISOString();
  writeFileSync(join(dir, 'run.json'), JSON.stringify({
    id, experiment: 'mnist-mlp', hparams: { ...hp, epochs: 3, seed: 0 }, seed: 0, backend: 'js', versions: {}, status, createdAt: now, updatedAt: now,
    extra: { study: 's', trial, metric: 'val_accuracy', direction: 'maximize', space },
  }));
  writeFileSync(join(dir, 'metrics.jsonl'), curve.map((v, i) => JSON.stringify({ step: (i + 1) * 10, epoch: i + 1, split: 'val', name: 'val_accuracy', value: v, time: 1000 + i })).join('\n') + '\n');
}

test('study page API: the studies found in the runs, and a study\'s trials with values, parameters and curves, pruned ones marked', async () => {
  const root = tempDir('tc-study-page-');
  trialRun(root, 'r0', 0, 'completed', [0.90, 0.93, 0.92], { lr: 1e-3, hidden: 128 });
  trialRun(root, 'r1', 1, 'pruned', [0.80], { lr: 1e-4, hidden: 64 });
  trialRun(root, 'r2', 2, 'completed', [0.91, 0.94, 0.95], { lr: 3e-3, hidden: 256 });
  mkdirSync(join(root, 'plain', 'checkpoints'), { recursive: true });
  writeFileSync(join(root, 'plain', 'run.json'), JSON.stringify({ id: 'plain', experiment: 'mnist-mlp', hparams: {}, seed: 0, backend: 'js', versions: {}, status: 'completed', createdAt: 'x', updatedAt: 'x' }));
  const d = await startDashboard({ runsDir: root, port: 0 });
  try {
    const list = await get(d.port, '/api/study/list');
    assert.equal(list.status, 200, list.body);
    const studies = (JSON.parse(list.body) as { studies: StudyListRow[] }).studies;
    assert.deepEqual(studies, [{ study: 's', experiment: 'mnist-mlp', metric: 'val_accuracy', trials: 3, completed: 2, pruned: 1, running: 0, best: 0.95 }]);
    const r = await get(d.port, '/api/study/trials?study=s');
    assert.equal(r.status, 200, r.body);
    const v = JSON.parse(r.body) as StudyView;
    assert.equal(v.direction, 'maximize');
    assert.equal(v.space.lr.log, true, 'the log flag reaches the page (log x axis)');
    assert.deepEqual(v.trials.map((t) => [t.trial, t.status, t.value]), [[0, 'completed', 0.93], [1, 'pruned', 0.8], [2, 'completed', 0.95]]);
    assert.deepEqual(v.trials[0].params, { lr: 1e-3, hidden: 128 }, 'only searched parameters, not epochs or seed');
    assert.deepEqual(v.trials[1].curve, [0.8], 'a pruned trial keeps the curve it had');
    assert.equal(v.importance?.trials, 2);
    assert.match(v.importance?.reason ?? '', /2 completed trials are too few/, 'two completed trials give no importance, and the page says why');
    assert.equal((await get(d.port, '/api/study/trials?study=nope')).status, 404);
    assert.equal((await get(d.port, '/api/study/trials')).status, 400);
  } finally {
    await d.close();
  }
});

test('study page API: PED-ANOVA importances over the completed trials, the parameter the value depends on first', async () => {
  const root = tempDir('tc-study-page-imp-');
  // 30 completed trials: val_accuracy peaks at lr = 1e-3 and ignores hidden (which cycles independently of lr).
  for (let i = 0; i < 30; i++) {
    const lr = 10 ** (-4 + (2 * ((i * 7) % 30)) / 29);
    const hidden = 64 + ((i * 11) % 15) * 32;
    trialRun(root, `r${i}`, i, 'completed', [0.5, 0.95 - 0.1 * (Math.log10(lr) + 3) ** 2], { lr, hidden });
  }
  trialRun(root, 'rp', 30, 'pruned', [0.99], { lr: 1e-4, hidden: 64 });
  const d = await startDashboard({ runsDir: root, port: 0 });
  try {
    const r = await get(d.port, '/api/study/trials?study=s');
    assert.equal(r.status, 200, r.body);
    const imp = (JSON.parse(r.body) as StudyView).importance!;
    assert.equal(imp.reason, null);
    assert.equal(imp.trials, 30, 'the pruned trial (with the highest partial value) is not counted');
    assert.deepEqual(Object.keys(imp.importances).sort(), ['hidden', 'lr']);
    assert.ok(Math.abs(imp.importances.lr + imp.importances.hidden - 1) < 1e-9);
    assert.ok(imp.importances.lr > 0.7, `importance(lr) = ${imp.importances.lr}`);
  } finally {
    await d.close();
  }
});

test('study page in Chromium: four charts (best so far, one per parameter, curves) and the trials table with the pruned trial marked', async (t) => {
  const { requireExternal, hasChromium } = await import('../external.js');
  if (!requireExternal(t, 'Chromium', hasChromium(), 'apt-get install chromium')) return;
  const root = tempDir('tc-study-page-ui-');
  trialRun(root, 'r0', 0, 'completed', [0.90, 0.93, 0.92], { lr: 1e-3, hidden: 128 });
  trialRun(root, 'r1', 1, 'pruned', [0.80], { lr: 1e-4, hidden: 64 });
  trialRun(root, 'r2', 2, 'completed', [0.91, 0.94, 0.95], { lr: 3e-3, hidden: 256 });
  await withDashboardPage(root, undefined, async (page, url, errors) => {
    await page.goto(`${url}#/study?study=s`);
    await page.waitForSelector('.table-wrap table tbody tr, table:not(.u-legend) tbody tr');
    const charts = page.locator('.chart');
    assert.equal(await charts.count(), 4);
    assert.deepEqual(await charts.evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.points, (e as HTMLElement).dataset.log])), [['2', 'false'], ['2', 'false'], ['2', 'false'], ['3', 'false']]);
    const rows = await page.locator('table:not(.u-legend)').last().locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.className, (tr as HTMLElement).innerText.split('\t')[0]]));
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.find((r) => r[1].trim() === '1')?.[0], 'muted', 'the pruned trial is marked');
    assert.match(await page.locator('p.muted').first().innerText(), /3 trials, 2 completed, 1 pruned; best 0\.9500 \(trial 2\)/);
    // Parallel coordinates: an axis per parameter plus the objective, one line per completed trial.
    assert.deepEqual(await page.locator('svg.parallel-coords g.axis').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-param'))), ['lr', 'hidden', 'val_accuracy']);
    assert.equal(await page.locator('svg.parallel-coords g.axis[data-param="lr"] text').first().textContent(), 'lr (log)');
    assert.deepEqual(await page.locator('svg.parallel-coords polyline').evaluateAll((ls) => ls.map((l) => [l.getAttribute('data-trial'), l.getAttribute('points')!.split(' ').length])), [['0', 3], ['2', 3]],
      'worst first, so the best trial is drawn on top');
    assert.match(await page.locator('p.importance-note').innerText(), /too few/);
    assert.deepEqual(errors, []);
  });
});
