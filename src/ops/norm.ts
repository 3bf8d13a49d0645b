import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape, ShapeError } from '../tensor/shape.js';
import { reshape } from './shape.js';

/** Normalization functions composed from differentiable primitives (PyTorch's definitions). */

export interface BatchNormOptions {
  training: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over (N, C) or (N, C, ...): batch statistics in training (biased variance
 * to normalize, unbiased to update the running variance, as torch), running averages in eval.
 * runningMean/runningVar are updated in place when training.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  weight: Tensor | null, bias: Tensor | null, o: BatchNormOptions,
): Tensor {
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be (N, C, ...), got ${formatShape(x.shape)}`);
  const c = x.shape[1];
  const eps = o.eps ?? 1e-5, momentum = o.momentum ?? 0.1;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((d, i) => (i === 1 ? c : 1));
  let mean: Tensor, varb: Tensor;
  if (o.training) {
    const count = x.size / c;
    if (count <= 1) throw new ShapeError(`batchNorm: training needs more than one value per channel, got input ${formatShape(x.shape)}; use a larger batch or eval()`);
    mean = x.mean(axes, true);
    varb = x.sub(mean).square().mean(axes, true);
    if (runningMean && runningVar) {
      noGrad(() => {
        const m = mean.reshape([c]), unbiased = varb.reshape([c]).mul(count / (count - 1));
        runningMean.mul_(1 - momentum).add_(m, momentum);
        runningVar.mul_(1 - momentum).add_(unbiased, momentum);
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new Error('batchNorm: eval mode needs running statistics (the layer was built with trackRunningStats=false)');
    mean = reshape(runningMean, bshape);
    varb = reshape(runningVar, bshape);
  }
  let y = x.sub(mean).div(varb.add(eps).sqrt());
  if (weight) y = y.mul(reshape(weight, bshape));
  if (bias) y = y.add(reshape(bias, bshape));
  return y;
}

/** Layer normalization over the trailing dims given by normalizedShape. */
export function layerNorm(x: Tensor, normalizedShape: number[], weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (x.ndim < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(`layerNorm: input ${formatShape(x.shape)} must end with the normalized shape ${formatShape(normalizedShape)}`);
  }
  const axes = normalizedShape.map((_, i) => x.ndim - k + i);
  const mean = x.mean(axes, true);
  const v = x.sub(mean).square().mean(axes, true);
  let y = x.sub(mean).div(v.add(eps).sqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/** Group normalization: channels split into groups, each normalized over (channels in group, spatial). */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim < 2) throw new ShapeError(`groupNorm: input must be (N, C, ...), got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new ShapeError(`groupNorm: ${numGroups} groups must divide the ${c} channels of input ${formatShape(x.shape)}`);
  }
  const g = reshape(x, [n, numGroups, -1]);
  const mean = g.mean(2, true);
  const v = g.sub(mean).square().mean(2, true);
  let y = reshape(g.sub(mean).div(v.add(eps).sqrt()), [...x.shape]);
  const bshape = x.shape.map((d, i) => (i === 1 ? c : 1));
  if (weight) y = y.mul(reshape(weight, bshape));
  if (bias) y = y.add(reshape(bias, bshape));
  return y;
}

/** Instance normalization: each (sample, channel) plane normalized on its own. */
export function instanceNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  return groupNorm(x, x.shape[1], weight, bias, eps);
}
