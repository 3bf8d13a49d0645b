import { Tensor, Parameter } from '../../tensor/tensor.js';
import { Generator } from '../../tensor/random.js';
import { SGD } from '../../optim/sgd.js';
import { Adam } from '../../optim/adam.js';
import type { Optimizer, Hyper } from '../../optim/optimizer.js';
import { solveLinear } from '../../optim-lab/index.js';
import { lineChartSvg } from './svg-chart.js';
import { overSeeds } from './seed-interval.js';
import type { ReproResult } from './types.js';

/**
 * Overparameterized linear regression (more features than examples; Wilson et al. 2017, "The
 * Marginal Value of Adaptive Gradient Methods in Machine Learning", section 3): every method
 * drives the training loss to ~0, but they reach different interpolating solutions. Full-batch
 * GD and heavy-ball momentum started at zero only ever move within the row space of X, so they
 * converge to the minimum-norm interpolant; Adam's per-coordinate scaling leaves that subspace
 * and lands on another interpolant. With isotropic Gaussian features, isotropic Gaussian true
 * weights and noiseless targets the minimum-norm interpolant is the posterior mean of the true
 * weights given the data, so no interpolant has a lower expected held-out loss: here GD or
 * momentum reaches a lower held-out (population) loss than Adam at the same budget, for the
 * structural reason, not by tuning. The held-out loss is exact: for unit isotropic features
 * E[(x·w - x·w_true)²] = |w - w_true|².
 *
 * What did not hold (measured, kept in the README): on a well-conditioned underparameterized
 * problem (condition ~14, 500 steps, full batch) all three reach the float32 floor (~1e-12
 * excess training loss); Adam's default beta2 = 0.999 keeps the memory of the large early
 * gradients for thousands of steps, so it acts like preconditioned GD and converges linearly
 * too, and its sign-like lr-set floor only appears later (at 3,000 steps its loss is erratic
 * in lr: 5e-6 at lr 0.05, 1e-12 at lr 0.02).
 *
 * Each optimizer gets the same log-spaced lr grid and is scored by its final held-out loss;
 * a winner on the grid's edge makes the verdict "did not hold" (the grid would be too narrow).
 */
export interface AdamVsSgdOptions {
  /** Training examples (default 50). */
  n?: number;
  /** Features, > n for the overparameterized regime (default 200). */
  d?: number;
  steps?: number; seed?: number;
  /** Independent problems (data and true weights), seed, seed+1, ... (default 5). */
  seeds?: number;
}

const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
type Opt = typeof OPTIMIZERS[number];
// One grid for all, wide enough that no winner sits on its edge (checked in the verdict).
export const ADAM_VS_SGD_GRID = [1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

interface Problem { x: Tensor; y: Tensor; wTrue: Float64Array; minNorm: Float64Array; d: number; n: number }

function makeProblem(n: number, d: number, seed: number): Problem {
  const g = new Generator(seed);
  // Features and true weights scaled so the targets have unit variance.
  const X = new Float32Array(n * d).map(() => g.normal());
  const wTrue = Float64Array.from({ length: d }, () => g.normal() / Math.sqrt(d));
  const Y = new Float32Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += X[i * d + j] * wTrue[j]; Y[i] = s; }
  // The minimum-norm interpolant X^T (X X^T)^-1 y (float64), where GD from zero converges.
  const K = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => { let s = 0; for (let j = 0; j < d; j++) s += X[a * d + j] * X[b * d + j]; return s; }));
  const alpha = solveLinear(K, Array.from(Y));
  const minNorm = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) minNorm[j] += X[i * d + j] * alpha[i];
  return { x: new Tensor(X, [n, d]), y: new Tensor(Y, [n, 1]), wTrue, minNorm, d, n };
}

const sqDist = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let s = 0; for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2; return s; };

interface Trained { curve: number[]; trainCurve: number[]; final: number; train: number; fromMinNorm: number; norm: number }

function train(p: Problem, name: Opt, lr: number, steps: number): Trained {
  const w = new Parameter(new Tensor(new Float32Array(p.d), [p.d, 1]));
  const opt: Optimizer<Hyper> = (name === 'adam' ? new Adam([w], { lr }) : new SGD([w], { lr, momentum: name === 'momentum' ? 0.9 : 0 })) as unknown as Optimizer<Hyper>;
  const curve: number[] = [], trainCurve: number[] = [];
  let train = Infinity;
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = p.x.matmul(w).sub(p.y).square().mean();
    train = loss.item();
    loss.backward();
    opt.step();
    const heldOut = sqDist(w.data, p.wTrue);
    trainCurve.push(train);
    curve.push(Number.isFinite(heldOut) ? heldOut : Infinity);
    if (!Number.isFinite(heldOut) || !Number.isFinite(train)) { while (curve.length < steps) { curve.push(Infinity); trainCurve.push(Infinity); } train = Infinity; break; }
  }
  const final = curve[curve.length - 1];
  const ok = Number.isFinite(final);
  return { curve, trainCurve, final, train, fromMinNorm: ok ? Math.sqrt(sqDist(w.data, p.minNorm)) : Infinity, norm: ok ? Math.hypot(...w.data) : Infinity };
}

export function runAdamVsSgdLinear(o: AdamVsSgdOptions = {}): ReproResult {
  const n = o.n ?? 50, d = o.d ?? 200, steps = o.steps ?? 300;
  const seed0 = o.seed ?? 0, nSeeds = o.seeds ?? 5;
  if (!(Number.isInteger(steps) && steps >= 2)) throw new RangeError(`adam-vs-sgd-linear: steps must be an integer >= 2, got ${steps}`);
  if (!(Number.isInteger(nSeeds) && nSeeds >= 1)) throw new RangeError(`adam-vs-sgd-linear: seeds must be a positive integer, got ${nSeeds}`);
  if (!(Number.isInteger(n) && Number.isInteger(d) && n >= 2 && d > n)) throw new RangeError(`adam-vs-sgd-linear: needs integers d > n >= 2 (the overparameterized regime), got n=${n}, d=${d}`);
  const GRID = ADAM_VS_SGD_GRID;
  type Run = { seed: number; optimizer: Opt; lr: number } & Trained;
  const perSeed: Array<{ seed: number; minNormLoss: number; best: Run[]; runs: Run[] }> = [];
  for (let s = 0; s < nSeeds; s++) {
    const seed = seed0 + s;
    const p = makeProblem(n, d, seed);
    const runs: Run[] = [];
    for (const name of OPTIMIZERS) for (const lr of GRID) runs.push({ seed, optimizer: name, lr, ...train(p, name, lr, steps) });
    const best = OPTIMIZERS.map((name) => runs.filter((r) => r.optimizer === name).reduce((a, b) => (b.final < a.final ? b : a)));
    perSeed.push({ seed, minNormLoss: sqDist(p.minNorm, p.wTrue), best, runs });
  }
  const e = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : 'diverged');
  const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'diverged');
  const onEdge = perSeed.flatMap((ps) => ps.best.filter((w) => w.lr === GRID[0] || w.lr === GRID[GRID.length - 1]).map((w) => `${w.optimizer} (seed ${ps.seed})`));
  // Adam's best held-out loss minus the better of SGD and momentum, per seed: positive when the claim holds.
  const gaps = perSeed.map((ps) => ps.best[2].final - Math.min(ps.best[0].final, ps.best[1].final));
  const m = overSeeds(gaps);
  const allSeeds = gaps.every((v) => v > 0);
  // GD and momentum at their best lr must interpolate (else the comparison is about early stopping).
  // Adam's best lr may stop short of fitting (an early-stopping advantage it is allowed to keep);
  // its best among the runs that do fit is reported alongside.
  const fitted = perSeed.every((ps) => ps.best.slice(0, 2).every((w) => w.train < 1e-3));
  const adamFitted = perSeed.map((ps) => ps.runs.filter((r) => r.optimizer === 'adam' && r.train < 1e-3).reduce((a, b) => (b.final < a.final ? b : a), { final: Infinity, lr: NaN } as { final: number; lr: number }));
  const held = allSeeds && fitted && onEdge.length === 0;
  const first = perSeed[0];
  return {
    name: 'adam-vs-sgd-linear',
    claim: `on overparameterized linear regression (${n} examples, ${d} isotropic Gaussian features, noiseless targets; full batch, zero init, constant lr from one grid), plain GD or heavy-ball momentum at its best lr reaches a lower held-out loss than Adam at its best lr after the same ${steps} steps, on every one of ${nSeeds} random problems, GD and momentum fitting the training set (GD converges to the minimum-norm interpolant, Adam to another one; Wilson et al. 2017)`,
    held,
    evidence: [
      ...perSeed.map((ps) => `seed ${ps.seed}: held-out loss ${ps.best.map((w) => `${w.optimizer} ${f3(w.final)} (lr ${w.lr}, train ${e(w.train)}, distance to min-norm ${f3(w.fromMinNorm)})`).join('; ')}; min-norm interpolant ${f3(ps.minNormLoss)}`),
      `adam's best among its runs that fit the training set (< 1e-3): ${adamFitted.map((a, i) => `seed ${perSeed[i].seed} ${f3(a.final)} (lr ${a.lr})`).join(', ')}`,
      `adam minus best of sgd/momentum held-out loss over ${nSeeds} seeds: ${m.mean.toFixed(3)} (95% interval ${m.lo.toFixed(3)} to ${m.hi.toFixed(3)}); lower on every seed: ${allSeeds ? 'yes' : 'no'}; GD and momentum fit the training set (< 1e-3): ${fitted ? 'yes' : 'no'}; best lr on the grid's edge: ${onEdge.join(', ') || 'none'}`,
    ],
    table: ['seed  optimizer  lr      held-out loss  train loss  |w - w_minnorm|', ...perSeed.flatMap((ps) => ps.runs.map((r) => `${String(r.seed).padEnd(4)}  ${r.optimizer.padEnd(9)}  ${String(r.lr).padEnd(6)}  ${f3(r.final).padStart(13)}  ${e(r.train).padStart(10)}  ${f3(r.fromMinNorm).padStart(15)}`))],
    plots: {
      'heldout-loss.svg': lineChartSvg({
        title: `Overparameterized linear regression (n=${n}, d=${d}, seed ${first.seed}): each at its best lr`, xLabel: 'step', yLabel: 'held-out loss', logX: true,
        series: first.best.map((w) => ({ name: `${w.optimizer} (lr ${w.lr})`, points: w.curve.map((v, i) => ({ x: i + 1, y: v })) })),
        linesY: [{ y: first.minNormLoss, label: 'min-norm interpolant' }],
      }),
      'train-loss.svg': lineChartSvg({
        title: `Training loss (seed ${first.seed}): all three interpolate`, xLabel: 'step', yLabel: 'training loss', logY: true,
        series: first.best.map((w) => ({ name: `${w.optimizer} (lr ${w.lr})`, points: w.trainCurve.map((v, i) => ({ x: i + 1, y: Math.max(v, 1e-12) })) })),
      }),
    },
    data: {
      adamBestFitted: adamFitted, n, d, steps, seeds: nSeeds, grid: GRID, gap: m,
      perSeed: perSeed.map((ps) => ({ seed: ps.seed, minNormLoss: ps.minNormLoss, best: ps.best.map(({ curve: _c, trainCurve: _t, ...r }) => r), runs: ps.runs.map(({ curve: _c, trainCurve: _t, ...r }) => r) })),
    },
  };
}
