/**
 * `node dist/bench/study-store.js [--trials 1000] [--steps 100] [--storage URL]`: the study
 * store under a large study. Records `trials` trials of `steps` intermediate values each (the
 * writes a trial makes: create, one report per epoch, finish), then times what every report
 * also costs when a pruner is on: reading the whole study and asking the median pruner.
 * Default storage: a fresh SQLite file in the OS temp dir (removed afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/tune/study/open-store.js';
import { loadStudy } from '../src/tune/study/study.js';
import { MedianPruner } from '../src/tune/pruners/median.js';
import type { FrozenTrial } from '../src/tune/types.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x: number) => `${x.toFixed(3)} ms`;

const nTrials = Number(arg('trials', '1000')), nSteps = Number(arg('steps', '100'));
const dir = mkdtempSync(join(tmpdir(), 'tc-bench-store-'));
const storage = arg('storage', join(dir, 'study.db'));
const store = openStore(storage);
try {
  const name = `bench-${Date.now()}`;
  const study = await store.createStudy({ name, direction: 'maximize', space: { x: { type: 'float', low: 0, high: 1 } }, sampler: 'random', pruner: 'median' });
  const create: number[] = [], report: number[] = [], finish: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < nTrials; i++) {
    let t = performance.now();
    const trial = (await store.createTrial(study.id, { params: { x: i / nTrials }, worker: 'bench' }))!;
    create.push(performance.now() - t);
    for (let s = 1; s <= nSteps; s++) {
      t = performance.now();
      await store.reportIntermediate(trial.id, s, Math.sin(i + s));
      report.push(performance.now() - t);
    }
    t = performance.now();
    await store.finishTrial(trial.id, 'complete', Math.sin(i));
    finish.push(performance.now() - t);
  }
  const total = (performance.now() - t0) / 1000;
  const writes = create.length + report.length + finish.length;
  const read: number[] = [], prune: number[] = [];
  const pruner = new MedianPruner();
  let trials: FrozenTrial[] = [];
  for (let k = 0; k < 10; k++) {
    let t = performance.now();
    trials = await store.trials(study.id);
    read.push(performance.now() - t);
    t = performance.now();
    pruner.shouldPrune({ number: -1, state: 'running', params: {}, intermediate: { 1: 0.1, 2: 0.2 } }, 2, trials, 'maximize');
    prune.push(performance.now() - t);
  }
  console.log(`study store: ${store.location}`);
  console.log(`${nTrials} trials x ${nSteps} intermediate values: ${writes} writes in ${total.toFixed(1)} s (${(writes / total).toFixed(0)} writes/s), one transaction each`);
  console.log(`  create trial      median ${ms(quantile(create, 0.5))}  p99 ${ms(quantile(create, 0.99))}`);
  console.log(`  report value      median ${ms(quantile(report, 0.5))}  p99 ${ms(quantile(report, 0.99))}`);
  console.log(`  finish trial      median ${ms(quantile(finish, 0.5))}  p99 ${ms(quantile(finish, 0.99))}`);
  console.log(`  read the study (${trials.length} trials, ${trials.reduce((a, t) => a + Object.keys(t.intermediate).length, 0)} values)  median ${ms(quantile(read, 0.5))}`);
  console.log(`  median pruner decision on it  median ${ms(quantile(prune, 0.5))}`);
  // What a trial really pays per epoch: Study.trials() reads finished trials' values once and caches them.
  const s = await loadStudy(name, storage);
  const live = (await store.createTrial(study.id, { params: { x: 0.5 }, worker: 'bench' }))!;
  let t = performance.now();
  await s.trials();
  const cold = performance.now() - t;
  const epoch: number[] = [];
  for (let k = 1; k <= 20; k++) {
    t = performance.now();
    await store.reportIntermediate(live.id, k, 0.5);
    const all = await s.trials();
    const self = all.find((x) => x.id === live.id)!;
    pruner.shouldPrune(self, k, all, 'maximize');
    epoch.push(performance.now() - t);
  }
  await s.close();
  console.log(`per epoch of a trial with the median pruner at this size (report + cached study read + decision): median ${ms(quantile(epoch, 0.5))} (first read, filling the cache: ${ms(cold)})`);
  await store.deleteStudy(name);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
