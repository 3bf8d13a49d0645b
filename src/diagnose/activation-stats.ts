import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import type { LossFn } from '../train/evaluate.js';
import { hookModules, isLeafModule, meanStd, preservingState, splitBatch, type BatchLike } from './hooks.js';

/**
 * Activation and gradient statistics by depth. A healthy network keeps the spread of its
 * activations (forward) and of the gradients with respect to them (backward) within a few
 * orders of magnitude from layer to layer; a standard deviation that collapses with depth is a
 * vanishing signal (bad initialization, saturated tanh/sigmoid, dead ReLUs), one that grows by
 * orders of magnitude is exploding (initialization too large, missing normalization).
 */
export type DepthTrend = 'ok' | 'vanishing' | 'exploding';

export interface LayerActivationStats {
  /** Module name, e.g. `1` or `features.0`. */
  name: string;
  /** Class name, e.g. Linear or Conv2d. */
  type: string;
  /** Position in the order the layers ran (0 = first). */
  depth: number;
  shape: number[];
  outputMean: number;
  outputStd: number;
  /** Statistics of d(loss)/d(output); null when no gradient reached this output. */
  gradMean: number | null;
  gradStd: number | null;
  /**
   * gradStd * sqrt(elements per example): the typical size of one example's gradient with
   * respect to this output. Unlike the per-element std it does not shrink just because a wide
   * layer (a convolution's many positions) spreads the same gradient over more elements.
   */
  gradNormPerExample: number | null;
  /** outputStd relative to the first layer's. */
  outputRatio: number;
  /** gradNormPerExample relative to the last layer's (the first one the backward pass reaches). */
  gradRatio: number | null;
  outputTrend: DepthTrend;
  gradTrend: DepthTrend;
}

export interface ActivationStats {
  layers: LayerActivationStats[];
  vanishing: boolean;
  exploding: boolean;
  /** One sentence per flagged layer, naming it and the ratio. */
  flags: string[];
}

export interface ActivationStatsOptions {
  /** The loss to backpropagate; with batch targets y. Without it, 0.5 * mean(output^2) is used as a stand-in. */
  loss?: LossFn;
  /** A std ratio below this is vanishing (default 1e-3). */
  vanishingBelow?: number;
  /** A std ratio above this is exploding (default 1e3). */
  explodingAbove?: number;
  /** Which modules count as layers; default: leaf modules that own parameters (Linear, Conv2d, norms, ...). */
  include?: (name: string, m: Module) => boolean;
}

const defaultInclude = (_: string, m: Module): boolean => isLeafModule(m) && m.parameters().length > 0;

/**
 * One forward and backward pass over `batch` with forward hooks that record each layer's
 * output and call retainGrad() on it, then per-layer mean/std of outputs and of their
 * gradients. Activation ratios (of the std) are taken against the first layer, gradient
 * ratios (of gradNormPerExample) against the last — each in the direction its signal travels. The model's modes and buffers are
 * restored afterwards; its parameter gradients are cleared first and left holding this
 * batch's gradients, so `gradientFlow(model)` can be called right after.
 */
export function activationStats(model: Module, batch: BatchLike, opts: ActivationStatsOptions = {}): ActivationStats {
  if (!(model instanceof Module)) throw new TypeError('activationStats: expected a Module');
  const { x, y } = splitBatch(batch, 'activationStats');
  const low = opts.vanishingBelow ?? 1e-3;
  const high = opts.explodingAbove ?? 1e3;
  const seen: Array<{ name: string; type: string; out: Tensor }> = [];
  const hooks = hookModules(model, opts.include ?? defaultInclude, (name, m, out) => {
    out.retainGrad();
    seen.push({ name, type: m.constructor.name, out });
  });
  try {
    preservingState(model, () => {
      model.zeroGrad();
      const out = model.call(x);
      let objective: Tensor;
      if (opts.loss && y) objective = opts.loss(out, y);
      else objective = out.square().mean().mul(0.5);
      if (objective.requiresGrad) objective.backward();
    });
  } finally {
    hooks.remove();
  }
  if (seen.length === 0) {
    const names = [...model.namedModules()].map(([n, m]) => `${n || '(model)'}:${m.constructor.name}`).join(', ');
    throw new Error(`activationStats: no layer was called through Module.call(), so there was nothing to hook (modules: ${names})`);
  }

  const rows = seen.map(({ name, type, out }, depth) => {
    const o = meanStd(out);
    const g = out.grad ? meanStd(out.grad) : null;
    const perExample = out.ndim > 0 && out.shape[0] > 0 ? out.size / out.shape[0] : out.size;
    return {
      name, type, depth, shape: [...out.shape], outputMean: o.mean, outputStd: o.std, gradMean: g?.mean ?? null, gradStd: g?.std ?? null,
      gradNormPerExample: g ? g.std * Math.sqrt(perExample) : null,
    };
  });
  const refOut = rows[0].outputStd;
  const withGrad = rows.filter((r) => r.gradNormPerExample !== null);
  const refGrad = withGrad.length ? withGrad[withGrad.length - 1].gradNormPerExample! : null;
  const trend = (ratio: number | null): DepthTrend =>
    ratio === null || Number.isNaN(ratio) ? 'ok' : ratio < low ? 'vanishing' : ratio > high ? 'exploding' : 'ok';
  const ratioOf = (v: number, ref: number): number => (ref > 0 ? v / ref : NaN);

  const flags: string[] = [];
  const layers: LayerActivationStats[] = rows.map((r) => {
    const outputRatio = ratioOf(r.outputStd, refOut);
    const gradRatio = r.gradNormPerExample === null || refGrad === null ? null : ratioOf(r.gradNormPerExample, refGrad);
    const layer: LayerActivationStats = { ...r, outputRatio, gradRatio, outputTrend: trend(outputRatio), gradTrend: trend(gradRatio) };
    if (layer.outputTrend !== 'ok') {
      flags.push(`output std of '${r.name}' (${r.type}) is ${fmt(r.outputStd)}, ${fmt(outputRatio)}x the first layer's: ${layer.outputTrend}`);
    }
    if (layer.gradTrend !== 'ok') {
      flags.push(`gradient per example at '${r.name}' (${r.type}) is ${fmt(r.gradNormPerExample!)}, ${fmt(gradRatio!)}x the last layer's: ${layer.gradTrend}`);
    }
    return layer;
  });
  return {
    layers,
    vanishing: layers.some((l) => l.outputTrend === 'vanishing' || l.gradTrend === 'vanishing'),
    exploding: layers.some((l) => l.outputTrend === 'exploding' || l.gradTrend === 'exploding'),
    flags,
  };
}

function fmt(v: number): string {
  return v === 0 || (Math.abs(v) >= 0.01 && Math.abs(v) < 1e4) ? String(Number(v.toPrecision(3))) : v.toExponential(1);
}
