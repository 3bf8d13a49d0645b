import type { Tensor } from '../tensor/tensor.js';
import { record } from '../autograd/record.js';
import { convCall, convRaw, convGradients, type Conv2dOptions, type Pair } from './conv.js';
import { maxPoolRaw, maxPoolBackward, type Pool2dOptions } from './pool.js';
import { reluBackward } from './activation.js';

/**
 * Fused convolution ops, what nn.Sequential runs for a plain Conv2d -> ReLU (-> MaxPool2d).
 * Each gives bit-for-bit the numbers of the separate ops with fewer passes over memory:
 * the kernel applies bias and relu while each image's output is in cache, and since
 * relu(z) > 0 exactly where z > 0 the output itself gates the gradient.
 */

/** relu(conv2d(x, weight, bias)) as one op. */
export function conv2dRelu(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const { g, x: xf, bias: b } = convCall(x, weight, bias, opts);
  const y = convRaw(xf, weight, g, b, true);
  return record(y, 'conv2d+relu', b ? [xf, weight, b] : [xf, weight], (gy) => convGradients(xf, weight, b, reluBackward(gy, y), g));
}

/**
 * maxPool2d(relu(conv2d(x, weight, bias))) as one op. A pooled output is the relu output at the
 * index it picked, so relu's gate can be applied to the pooled gradient (a quarter of the size
 * for 2x2 pooling) before it is scattered back; the full-size activation is not kept.
 */
export function conv2dReluMaxPool(
  x: Tensor, weight: Tensor, bias: Tensor | null, convOpts: Conv2dOptions, kernel: Pair, poolOpts: Pool2dOptions = {},
): Tensor {
  const { g, x: xf, bias: b } = convCall(x, weight, bias, convOpts);
  const { out, idx, g: pg } = maxPoolRaw(convRaw(xf, weight, g, b, true), kernel, poolOpts);
  return record(out, 'conv2d+relu+maxPool2d', b ? [xf, weight, b] : [xf, weight], (gp) =>
    convGradients(xf, weight, b, maxPoolBackward(reluBackward(gp, out), idx, pg), g));
}
