/**
 * `npm run bench:samplers`: the samplers on two standard test functions.
 *
 *   node dist/bench/samplers.js [--seeds 20] [--budget 100] [--only random,sobol,tpe,gp,auto] [--timing-only] [--json]
 *
 * Branin (2-D, minimum 0.397887) and Hartmann-6 (6-D, minimum −3.32237): for each sampler, the
 * median over seeds of the best value found after 20, 50 and 100 evaluations; the median number
 * of evaluations gp needs to get within 0.001 of Branin's minimum; and the time of one
 * suggestion with 200 finished trials for tpe and gp. Sequential (one worker), in memory.
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createSampler, float, sampleLoop, type FrozenTrial, type Params, type SearchSpace } from '../src/tune/index.js';
import { SeededRandom } from '../src/stats/random.js';
import { median, medianByIndex } from './stats.js';

interface TestFunction { name: string; space: SearchSpace; f: (p: Params) => number; min: number }

const branin: TestFunction = {
  name: 'Branin',
  space: { x1: float(-5, 10), x2: float(0, 15) },
  min: 0.397887,
  f: (p) => {
    const x1 = p.x1 as number;
    const x2 = p.x2 as number;
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  },
};

// Hartmann-6 constants (Dixon & Szegő 1978; as tabulated by Surjanovic & Bingham's library).
const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]];
const hartmann6: TestFunction = {
  name: 'Hartmann-6',
  space: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i + 1}`, float(0, 1)])),
  min: -3.32237,
  f: (p) => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let e = 0;
      for (let j = 0; j < 6; j++) e += H_A[i][j] * ((p[`x${j + 1}`] as number) - H_P[i][j] * 1e-4) ** 2;
      s += H_ALPHA[i] * Math.exp(-e);
    }
    return -s;
  },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function samplerFor(name: string, seed: number) {
  if (name === 'sobol') return createSampler('sobol', { scramble: true, seed });
  if (name === 'auto') return createSampler('auto', { seed });
  return createSampler(name);
}

async function timeSuggestion(name: 'tpe' | 'gp', fn: TestFunction): Promise<{ wallMs: number; cpuMs: number }> {
  // 200 finished trials at random points, then the median time of 5 suggestions.
  const rng = new SeededRandom(1);
  const random = () => rng.uniform();
  const filler = createSampler('random');
  const ctx = { direction: 'minimize' as const, random, nextSequenceIndex: async () => 0 };
  const trials: FrozenTrial[] = [];
  for (let k = 0; k < 200; k++) {
    const { params } = await filler.sample(fn.space, trials, ctx);
    trials.push({ number: k, state: 'complete', params, value: fn.f(params), intermediate: {} });
  }
  const sampler = createSampler(name);
  // Wall time is what a worker waits; CPU time shows it apart from other load on the machine.
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await sampler.sample(fn.space, trials, ctx);
    cpu.push(process.cpuUsage(c0).user / 1000);
    wall.push(performance.now() - t0);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

async function main(): Promise<void> {
  const seeds = Number(arg('seeds', '20'));
  const budget = Number(arg('budget', '100'));
  const names = process.argv.includes('--timing-only') ? [] : arg('only', 'random,sobol,tpe,gp,auto').split(',');
  const checkpoints = [20, 50, 100].filter((c) => c <= budget);
  const results: Record<string, Record<string, number[]>> = {};
  const gpHits: number[] = [];
  const wall: Record<string, number> = {};
  for (const fn of [branin, hartmann6]) {
    results[fn.name] = {};
    for (const name of names) {
      const t0 = performance.now();
      const rows: number[][] = [];
      for (let seed = 0; seed < seeds; seed++) {
        const { trials } = await sampleLoop(samplerFor(name, seed), fn.space, fn.f, { trials: budget, seed });
        let best = Infinity;
        const bestAt = trials.map((t) => (best = Math.min(best, t.value!)));
        rows.push(checkpoints.map((c) => bestAt[c - 1]));
        if (fn === branin && name === 'gp') {
          const hit = bestAt.findIndex((v) => v <= fn.min + 0.001);
          gpHits.push(hit < 0 ? Infinity : hit + 1);
        }
      }
      results[fn.name][name] = medianByIndex(rows);
      wall[`${fn.name}/${name}`] = (performance.now() - t0) / 1000;
      process.stderr.write(`${fn.name} ${name}: ${results[fn.name][name].map((v) => v.toFixed(5)).join(' ')} (${wall[`${fn.name}/${name}`].toFixed(1)} s)\n`);
    }
  }
  const timing = { tpe: await timeSuggestion('tpe', hartmann6), gp: await timeSuggestion('gp', hartmann6) };
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  if (names.length) console.log(`\nSamplers, median over ${seeds} seeds of the best value after N evaluations (${cpu})\n`);
  if (names.length) {
    console.log(`| function (minimum) | sampler | ${checkpoints.map((c) => `best @ ${c}`).join(' | ')} |`);
    console.log(`|---|---|${checkpoints.map(() => '---:').join('|')}|`);
  }
  for (const fn of [branin, hartmann6]) {
    for (const name of names) {
      console.log(`| ${fn.name} (${fn.min}) | ${name} | ${results[fn.name][name].map((v) => v.toFixed(5)).join(' | ')} |`);
    }
  }
  const hitMedian = gpHits.length ? median(gpHits) : NaN;
  if (gpHits.length) {
    console.log(`\ngp evaluations to reach Branin within 0.001 of the minimum: median ${hitMedian} (per seed: ${gpHits.map((h) => (Number.isFinite(h) ? h : `>${budget}`)).join(', ')}); target <= 30`);
  }
  console.log(`time per suggestion at 200 finished trials (Hartmann-6), median of 5, wall (CPU): tpe ${timing.tpe.wallMs.toFixed(1)} ms (${timing.tpe.cpuMs.toFixed(1)}), target < 50; gp ${timing.gp.wallMs.toFixed(0)} ms (${timing.gp.cpuMs.toFixed(0)}), target < 1000`);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ cpu, seeds, budget, results, gpBraninHits: gpHits.map((h) => (Number.isFinite(h) ? h : null)), gpBraninHitMedian: Number.isFinite(hitMedian) ? hitMedian : null, timingMs: timing, wallSeconds: wall }));
}

main().catch((e) => { console.error(e instanceof Error ? e.message : String(e)); process.exit(1); });
