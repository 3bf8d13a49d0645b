import * as nn from '../../nn/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { manualSeed, Generator } from '../../tensor/random.js';
import { Adam } from '../../optim/adam.js';
import { crossEntropy } from '../../ops/loss.js';
import { avgPool2d } from '../../ops/pool.js';
import { DataLoader } from '../../data/loader.js';
import { TensorDataset } from '../../data/dataset.js';
import { mnist } from '../../data/mnist.js';
import { evaluate } from '../../train/evaluate.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { lineChartSvg } from './svg-chart.js';
import type { ReproContext, ReproResult } from './types.js';

/**
 * Zhang et al. 2017, "Understanding deep learning requires rethinking generalization": the same
 * MLP fits true labels, random labels, shuffled pixels (one fixed permutation for every image)
 * and Gaussian images with random labels to ~100% training accuracy; validation accuracy falls
 * to chance (10%) where the labels carry no signal, and the randomized problems take longer
 * to fit (random labels; Gaussian inputs with few examples per dimension can be easier). (An MLP ignores pixel order, so a fixed shuffle changes nothing for it: its
 * validation accuracy stays with the true labels', unlike the CNNs of the paper.)
 */
export interface RandomLabelsOptions {
  train?: number; val?: number; hidden?: number; maxEpochs?: number; batchSize?: number; lr?: number;
  /** 2x2 average pooling of the images (196 inputs instead of 784) for quick runs. */
  pool?: boolean; seed?: number;
}

type Variant = 'true labels' | 'random labels' | 'shuffled pixels' | 'gaussian images';
const VARIANTS: Variant[] = ['true labels', 'random labels', 'shuffled pixels', 'gaussian images'];

function variantData(kind: Variant, x: Tensor, y: Tensor, g: Generator, perm: Int32Array): TensorDataset {
  const n = x.shape[0], d = x.size / n;
  let xs = x, ys = y;
  if (kind === 'random labels' || kind === 'gaussian images') ys = new Tensor(Int32Array.from({ length: n }, () => g.below(10)), [n], 'int32');
  if (kind === 'shuffled pixels') {
    const out = new Float32Array(x.size);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = x.data[i * d + perm[j]];
    xs = new Tensor(out, [...x.shape]);
  }
  if (kind === 'gaussian images') xs = new Tensor(Float32Array.from({ length: x.size }, () => g.normal()), [...x.shape]);
  return new TensorDataset(xs, ys, kind);
}

export function runRandomLabels(o: RandomLabelsOptions = {}, ctx: ReproContext = {}): ReproResult {
  const nTrain = o.train ?? 2000, nVal = o.val ?? 1000, hidden = o.hidden ?? 512, maxEpochs = o.maxEpochs ?? 150;
  const batchSize = o.batchSize ?? 100, lr = o.lr ?? 1e-3, seed = o.seed ?? 0;
  const d = mnist({ dataDir: ctx.dataDir, limitTrain: nTrain + nVal, valSize: nVal, limitTest: 1 });
  const prep = (x: Tensor): Tensor => noGrad(() => (o.pool ? avgPool2d(x, 2) : x).reshape(x.shape[0], -1));
  const trainX = prep(d.train.x), valX = prep(d.val.x);
  const dim = trainX.shape[1];
  const g = new Generator(seed + 17);
  const perm = new Int32Array(dim).map((_, i) => i);
  g.shuffle(perm);
  const rows: Array<{ variant: Variant; epochsToFit: number | null; trainAccuracy: number; valAccuracy: number; seconds: number; curve: number[] }> = [];
  for (const v of VARIANTS) {
    const train = variantData(v, trainX, d.train.y, g, perm);
    const val = variantData(v, valX, d.val.y, g, perm);
    manualSeed(seed);
    const model = nn.sequential(nn.linear(dim, hidden), nn.relu(), nn.linear(hidden, hidden), nn.relu(), nn.linear(hidden, 10));
    const opt = new Adam(model.parameters(), { lr });
    const loader = new DataLoader(train, { batchSize, shuffle: true, seed });
    const t0 = performance.now();
    const curve: number[] = [];
    let epochsToFit: number | null = null, trainAcc = 0;
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      loader.setEpoch(epoch);
      model.train();
      for (const b of loader) { opt.zeroGrad(); crossEntropy(model.call(b.x), b.y).backward(); opt.step(); }
      trainAcc = evaluate(model, crossEntropy, train).accuracy!;
      curve.push(trainAcc);
      if (trainAcc >= 0.999) { epochsToFit = epoch; break; }
    }
    const seconds = (performance.now() - t0) / 1000;
    const valAcc = evaluate(model, crossEntropy, val).accuracy!;
    rows.push({ variant: v, epochsToFit, trainAccuracy: trainAcc, valAccuracy: valAcc, seconds, curve });
    ctx.log?.(`${v}: train ${(100 * trainAcc).toFixed(1)}% after ${curve.length} epochs, val ${(100 * valAcc).toFixed(1)}%`);
  }
  const base = rows[0];
  const randomized = rows.filter((r) => r.variant === 'random labels' || r.variant === 'gaussian images');
  const allFit = rows.every((r) => r.trainAccuracy > 0.95);
  const chance = randomized.every((r) => Math.abs(r.valAccuracy - 0.1) <= 0.03);
  const slower = rows[1].curve.length > base.curve.length; // random labels (Gaussian inputs in few dimensions can be easy)
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return {
    name: 'random-labels',
    claim: 'an MLP fits random labels and Gaussian images to >95% training accuracy (random labels more slowly than true ones) while their validation accuracy stays within 3 points of chance (10%)',
    held: allFit && chance && slower,
    evidence: [
      ...rows.map((r) => `${r.variant}: train ${pct(r.trainAccuracy)} in ${r.curve.length} epochs${r.epochsToFit ? '' : ' (not fitted to 99.9%)'}, val ${pct(r.valAccuracy)}, ${r.seconds.toFixed(1)} s (${(r.curve.length / base.curve.length).toFixed(1)}x the epochs of true labels)`),
      `all > 95% train: ${allFit ? 'yes' : 'no'}; randomized within 3 points of chance: ${chance ? 'yes' : 'no'}; random labels slower to fit: ${slower ? 'yes' : 'no'}`,
    ],
    table: ['variant           train acc  val acc  epochs  to 99.9%  seconds', ...rows.map((r) => `${r.variant.padEnd(16)}  ${pct(r.trainAccuracy).padStart(9)}  ${pct(r.valAccuracy).padStart(7)}  ${String(r.curve.length).padStart(6)}  ${String(r.epochsToFit ?? '-').padStart(8)}  ${r.seconds.toFixed(1).padStart(7)}`)],
    plots: {
      'train-accuracy.svg': lineChartSvg({
        title: `Fitting random labels (Zhang et al. 2017): ${nTrain} MNIST images, MLP ${dim}-${hidden}-${hidden}-10`,
        xLabel: 'epoch', yLabel: 'training accuracy (%)',
        series: rows.map((r) => ({ name: r.variant, points: r.curve.map((a, i) => ({ x: i + 1, y: 100 * a })) })),
        linesY: [{ y: 10, label: 'chance' }],
      }),
    },
    data: { options: { nTrain, nVal, hidden, maxEpochs, batchSize, lr, pool: Boolean(o.pool), seed }, rows },
  };
}
