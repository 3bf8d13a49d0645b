import * as nn from '../../nn/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import { SGD } from '../../optim/sgd.js';
import { mseLoss } from '../../ops/loss.js';
import { sharpnessTracker } from '../../optim-lab/sharpness-tracker.js';
import { lineChartSvg } from './svg-chart.js';
import type { ReproContext, ReproResult } from './types.js';

/**
 * The edge of stability (Cohen et al. 2021): full-batch gradient descent on a tanh MLP with MSE
 * sharpens progressively (the top Hessian eigenvalue rises) until the sharpness reaches 2/lr,
 * the step size at which gradient descent on a quadratic of that curvature stops being stable,
 * and then hovers near 2/lr while the loss keeps falling, non-monotonically. Toy scale: `n`
 * examples of a smooth teacher y = sin(w.x) + cos(2 w.x)/2 in `d` dimensions.
 */
export interface EdgeOfStabilityOptions { lrs?: number[]; steps?: number; every?: number; n?: number; d?: number; hidden?: number; seed?: number }

/** `n` examples of a smooth teacher y = sin(w.x) + cos(2 w.x)/2 in `d` dimensions (x and w standard normal). */
export function teacherData(n: number, d: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const X = Float32Array.from({ length: n * d }, () => g.normal());
  const w = Float32Array.from({ length: d }, () => g.normal());
  const Y = new Float32Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += w[j] * X[i * d + j]; Y[i] = Math.sin(s) + 0.5 * Math.cos(2 * s); }
  return { x: new Tensor(X, [n, d]), y: new Tensor(Y, [n, 1]) };
}

/**
 * Full-batch gradient descent on a d-hidden-hidden-1 tanh MLP with MSE, the sharpness measured
 * every `every` steps (before that step's update): the tracker's history and the loss per step.
 */
export function gdWithSharpness(o: { x: Tensor; y: Tensor; hidden: number; lr: number; steps: number; every: number; seed: number }): { history: Array<{ step: number; sharpness: number }>; loss: number[] } {
  const { x, y, hidden, lr, steps, every } = o;
  manualSeed(o.seed);
  const model = nn.sequential(nn.linear(x.shape[1], hidden), nn.tanh(), nn.linear(hidden, hidden), nn.tanh(), nn.linear(hidden, 1));
  const opt = new SGD(model.parameters(), { lr });
  const tracker = sharpnessTracker({ every, batch: { x, y } });
  const loss: number[] = [];
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    const l = mseLoss(model.call(x), y);
    l.backward();
    tracker.onTrainStep({ step, epoch: 1, x, y, model, loss: mseLoss, lr, log: () => {} });
    loss.push(l.item());
    opt.step();
  }
  return { history: tracker.history, loss };
}

export function runEdgeOfStability(o: EdgeOfStabilityOptions = {}, ctx: ReproContext = {}): ReproResult {
  const lrs = o.lrs ?? [0.1], steps = o.steps ?? 800, every = o.every ?? 10, n = o.n ?? 200, d = o.d ?? 10, hidden = o.hidden ?? 32, seed = o.seed ?? 0;
  if (lrs.length === 0 || lrs.some((lr) => !(lr > 0))) throw new RangeError(`edge-of-stability: learning rates must be positive, got ${lrs.join(', ')}`);
  const { x, y } = teacherData(n, d, seed);
  const runs = lrs.map((lr) => {
    const { history: h0, loss } = gdWithSharpness({ x, y, hidden, lr, steps, every, seed });
    const h = h0, limit = 2 / lr;
    const cross = h.findIndex((r) => r.sharpness >= 0.8 * limit);
    const after = cross >= 0 ? h.slice(cross).map((r) => r.sharpness) : [];
    const r = {
      lr, limit, initial: h[0].sharpness, crossStep: cross >= 0 ? h[cross].step : null,
      peak: after.length ? Math.max(...after) : Math.max(...h.map((x) => x.sharpness)), low: after.length ? Math.min(...after) : null,
      lossAtCross: cross >= 0 ? loss[h[cross].step - 1] : null, finalLoss: loss[loss.length - 1],
      sharpness: h.map((x) => ({ step: x.step, value: x.sharpness })), loss,
    };
    ctx.log?.(`lr ${lr}: sharpness ${r.initial.toFixed(2)} -> peak ${r.peak.toFixed(2)} (2/lr = ${limit})`);
    return r;
  });
  // Held for an lr: it reached 0.8 x 2/lr, peaked within [1, 1.3] x 2/lr and stayed above 0.65 x 2/lr after, and the loss ended below its value there.
  const ok = (r: typeof runs[number]) => r.crossStep !== null && r.finalLoss < r.lossAtCross! && r.peak >= r.limit && r.peak <= 1.3 * r.limit && r.low! >= 0.65 * r.limit;
  const f = (v: number | null) => (v === null ? '-' : v.toFixed(2));
  return {
    name: 'edge-of-stability',
    claim: 'full-batch gradient descent sharpens until the top Hessian eigenvalue reaches 2/lr, then hovers there (peak within 1-1.3 x 2/lr, never below 0.65 x 2/lr after first reaching 0.8 x) while the loss keeps falling',
    held: runs.every(ok),
    evidence: runs.map((r) => `lr ${r.lr} (2/lr = ${f(r.limit)}): sharpness ${f(r.initial)} at step 1, reached 0.8 x 2/lr at step ${r.crossStep ?? 'never'}, then ${f(r.low)} .. ${f(r.peak)} (${f(r.peak / r.limit)} x 2/lr at the peak); loss ${f(r.lossAtCross)} -> ${r.finalLoss.toFixed(4)}: ${ok(r) ? 'held' : 'did not hold'}`),
    table: ['lr      2/lr    initial  reached 0.8x at  low     peak    peak/(2/lr)  final loss',
      ...runs.map((r) => `${String(r.lr).padEnd(6)}  ${f(r.limit).padEnd(6)}  ${f(r.initial).padEnd(7)}  ${String(r.crossStep ?? 'never').padEnd(15)}  ${f(r.low).padEnd(6)}  ${f(r.peak).padEnd(6)}  ${f(r.peak / r.limit).padEnd(11)}  ${r.finalLoss.toFixed(4)}`)],
    plots: {
      'sharpness.svg': lineChartSvg({
        title: `Full-batch GD, ${d}-${hidden}-${hidden}-1 tanh MLP, MSE: sharpness (solid) and 2/lr`, xLabel: 'step', yLabel: 'top Hessian eigenvalue',
        series: runs.flatMap((r) => [
          { name: `sharpness, lr ${r.lr}`, points: r.sharpness.map((p) => ({ x: p.step, y: p.value })) },
          { name: `2/lr = ${f(r.limit)}`, points: [{ x: 1, y: r.limit }, { x: steps, y: r.limit }] },
        ]),
      }),
      'loss.svg': lineChartSvg({
        title: 'Training loss (full batch)', xLabel: 'step', yLabel: 'MSE', logY: true,
        series: runs.map((r) => ({ name: `lr ${r.lr}`, points: r.loss.map((v, i) => ({ x: i + 1, y: v })) })),
      }),
    },
    data: { runs: runs.map(({ loss: _l, ...r }) => r) },
  };
}
