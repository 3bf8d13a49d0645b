import { Tensor } from '../tensor/tensor.js';
import { formatShape, ShapeError } from '../tensor/shape.js';
import { logSoftmax } from './activation.js';
import { where, abs, log1p, exp, neg, mul, add, sub, maximum } from './elementwise.js';
import { gather, unsqueeze, squeeze, transpose, reshape } from './shape.js';

/** Loss functions with PyTorch's definitions (reduction 'mean' by default). */

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(loss: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'none') return loss;
  throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
}

function checkTargets(op: string, logits: Tensor, target: Tensor): void {
  if (target.dtype !== 'int32') {
    throw new ShapeError(`${op}: targets must be int32 class indices, got ${target.dtype}. Convert with .int() (class-probability targets are not supported).`);
  }
  const expected = [logits.shape[0], ...logits.shape.slice(2)];
  if (target.ndim !== expected.length || target.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(`${op}: input ${formatShape(logits.shape)} (N, C, ...) needs targets of shape ${formatShape(expected)}, got ${formatShape(target.shape)}`);
  }
  const c = logits.shape[1];
  const t = target.data;
  for (let i = 0; i < t.length; i++) {
    if (t[i] < 0 || t[i] >= c) {
      throw new ShapeError(`${op}: target ${t[i]} at position ${i} is not a class index in [0, ${c - 1}]; the model has ${c} outputs (check the label encoding or the last layer's size)`);
    }
  }
}

/** Moves the class dim last and flattens everything else: (N, C, d...) -> (N*d..., C). */
function classesLast(x: Tensor): Tensor {
  if (x.ndim === 2) return x;
  const moved = transpose(reshape(x, [x.shape[0], x.shape[1], -1]), 1, 2);
  return reshape(moved, [-1, x.shape[1]]);
}

export interface NllOptions { reduction?: Reduction }

/** Negative log-likelihood of log-probabilities (N, C, ...) at integer targets. */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  if (logProbs.ndim < 2) throw new ShapeError(`nllLoss: input must be (N, C, ...), got ${formatShape(logProbs.shape)}`);
  checkTargets('nllLoss', logProbs, target);
  const lp = classesLast(logProbs);
  const picked = squeeze(gather(lp, 1, unsqueeze(reshape(target, [-1]), 1)), 1);
  const loss = reshape(neg(picked), [...target.shape]);
  return reduce(loss, opts.reduction ?? 'mean', 'nllLoss');
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Mixes the one-hot target with the uniform distribution: (1-e)*onehot + e/C (torch's label_smoothing). */
  labelSmoothing?: number;
}

/** Cross-entropy of logits (N, C, ...) against int32 class targets, via a stable log-softmax. */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  if (logits.ndim < 2) throw new ShapeError(`crossEntropy: logits must be (N, C, ...), got ${formatShape(logits.shape)}; for one sample use unsqueeze(0)`);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  checkTargets('crossEntropy', logits, target);
  const lp = logSoftmax(classesLast(logits), 1);
  const nll = neg(squeeze(gather(lp, 1, unsqueeze(reshape(target, [-1]), 1)), 1));
  let loss = nll;
  if (eps > 0) loss = add(mul(nll, 1 - eps), mul(neg(lp.mean(1)), eps));
  return reduce(reshape(loss, [...target.shape]), opts.reduction ?? 'mean', 'crossEntropy');
}

function checkSame(op: string, a: Tensor, b: Tensor): void {
  if (a.ndim !== b.ndim || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new ShapeError(
      `${op}: input ${formatShape(a.shape)} and target ${formatShape(b.shape)} must have the same shape ` +
      '(broadcasting here is usually a bug, e.g. predictions (N, 1) against targets (N)); reshape one of them',
    );
  }
}

export function mseLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  checkSame('mseLoss', input, target);
  return reduce(sub(input, target).square(), opts.reduction ?? 'mean', 'mseLoss');
}

export function l1Loss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  checkSame('l1Loss', input, target);
  return reduce(abs(sub(input, target)), opts.reduction ?? 'mean', 'l1Loss');
}

/** Huber: 0.5 d^2 for |d| < delta, else delta (|d| - delta/2). */
export function huberLoss(input: Tensor, target: Tensor, opts: NllOptions & { delta?: number } = {}): Tensor {
  checkSame('huberLoss', input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${delta}`);
  const d = sub(input, target), ad = abs(d);
  const loss = where(ad.lt(delta), mul(d.square(), 0.5), mul(sub(ad, delta / 2), delta));
  return reduce(loss, opts.reduction ?? 'mean', 'huberLoss');
}

/** Smooth L1: 0.5 d^2 / beta for |d| < beta, else |d| - beta/2 (Huber divided by beta). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: NllOptions & { beta?: number } = {}): Tensor {
  checkSame('smoothL1Loss', input, target);
  const beta = opts.beta ?? 1;
  if (!(beta > 0)) throw new RangeError(`smoothL1Loss: beta must be positive, got ${beta}`);
  const d = sub(input, target), ad = abs(d);
  const loss = where(ad.lt(beta), mul(d.square(), 0.5 / beta), sub(ad, beta / 2));
  return reduce(loss, opts.reduction ?? 'mean', 'smoothL1Loss');
}

/**
 * Binary cross-entropy on logits, stable for any x:
 * (1 - y) x + (1 + (pw - 1) y) (log1p(exp(-|x|)) + max(-x, 0)), pw = posWeight (torch's formula).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: NllOptions & { posWeight?: Tensor | number } = {}): Tensor {
  checkSame('binaryCrossEntropyWithLogits', input, target);
  // maximum(-x, 0), not relu(-x): at a logit of exactly 0 (e.g. a zero-initialized last layer) relu and
  // abs both have gradient 0, while maximum's tie-split 1/2 gives the true derivative of log(1 + e^-x).
  const softTerm = add(log1p(exp(neg(abs(input)))), maximum(neg(input), 0));
  const pw = opts.posWeight;
  const weight = pw === undefined ? null : add(mul(target, typeof pw === 'number' ? pw - 1 : sub(pw, 1)), 1);
  const loss = add(mul(sub(1, target), input), weight ? mul(weight, softTerm) : softTerm);
  return reduce(loss, opts.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
}

/** Sum of |p| over the given tensors (an L1 penalty to add to a loss). */
export function l1Penalty(params: Iterable<Tensor>): Tensor {
  let total: Tensor | null = null;
  for (const p of params) total = total ? add(total, abs(p).sum()) : abs(p).sum();
  if (!total) throw new Error('l1Penalty: no tensors given');
  return total;
}

/** Sum of p^2 over the given tensors (an L2 penalty; multiply by lambda/2 for the classic form). */
export function l2Penalty(params: Iterable<Tensor>): Tensor {
  let total: Tensor | null = null;
  for (const p of params) total = total ? add(total, p.square().sum()) : p.square().sum();
  if (!total) throw new Error('l2Penalty: no tensors given');
  return total;
}
