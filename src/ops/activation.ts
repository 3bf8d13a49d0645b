import { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32 } from '../backend/alloc.js';
import { record } from '../autograd/record.js';
import { normalizeAxis } from '../tensor/shape.js';
import { unaryRaw, binaryRaw, where, mul, sub, add, exp, expm1, maximum, clamp, erf, neg, log1p, abs, toFloat32 } from './elementwise.js';
import { sum } from './reduce.js';
import { transpose } from './shape.js';

/** Activation functions with PyTorch's definitions and their gradients. */

export function relu(x: Tensor): Tensor {
  return record(unaryRaw('relu', x), 'relu', [x], (g) => [reluBackward(g, x)]);
}

/** g where x > 0, else 0: one fused pass. Linear in g; x only gates (its derivative is 0 a.e.). */
export function reluBackward(g: Tensor, x: Tensor): Tensor {
  return record(binaryRaw('reluBackward', g, x), 'reluBackward', [g], (gz) => [reluBackward(gz, x)]);
}

export function sigmoid(x: Tensor): Tensor {
  const y = unaryRaw('sigmoid', x);
  return record(y, 'sigmoid', [x], (g) => [mul(g, mul(y, sub(1, y)))]);
}

export function tanh(x: Tensor): Tensor {
  const y = unaryRaw('tanh', x);
  return record(y, 'tanh', [x], (g) => [mul(g, sub(1, mul(y, y)))]);
}

/** x for x > 0, slope*x otherwise (default slope 0.01, as torch). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(x.gt(0), x, mul(x, negativeSlope));
}

/**
 * x for x > 0, alpha*(exp(x)-1) otherwise; expm1 of min(x, 0) keeps the unused branch finite.
 * clamp (not minimum) so the gradient at exactly 0 is alpha, as torch (minimum would halve it at the tie).
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, mul(expm1(clamp(x, null, 0)), alpha));
}

/** GELU: exact x*Phi(x) via erf (torch's default), or the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** SiLU (swish): x * sigmoid(x). */
export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

/**
 * softplus(x) = log(1 + exp(x)) computed as max(x, 0) + log1p(exp(-|x|)) to avoid overflow.
 * maximum (not relu) because at x = 0 its tie-split gradient 1/2 is what makes the sum's gradient
 * the true 1/2 (relu and abs both give 0 there).
 */
export function softplus(x: Tensor): Tensor {
  return add(maximum(x, 0), log1p(exp(neg(abs(x)))));
}

function softmaxLastDim(x: Tensor, log: boolean): Tensor {
  const cols = x.shape[x.ndim - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = emptyF32(x.size);
  backend().softmax(toFloat32(x).f32, rows, cols, out, log);
  const y = new Tensor(out, x.shape);
  return record(y, log ? 'logSoftmax' : 'softmax', [x], (g) =>
    log
      ? [sub(g, mul(exp(y), sum(g, -1, true)))]
      : [mul(y, sub(g, sum(mul(g, y), -1, true)))],
  );
}

function alongDim(x: Tensor, dim: number, log: boolean): Tensor {
  if (x.ndim === 0) return softmaxLastDim(x.reshape([1]), log).reshape([]);
  const d = normalizeAxis(log ? 'logSoftmax' : 'softmax', dim, x.ndim);
  if (d === x.ndim - 1) return softmaxLastDim(x, log);
  return transpose(softmaxLastDim(transpose(x, d, -1), log), d, -1);
}

export const softmax = (x: Tensor, dim = -1): Tensor => alongDim(x, dim, false);
export const logSoftmax = (x: Tensor, dim = -1): Tensor => alongDim(x, dim, true);
