import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';

/**
 * Initializers with PyTorch's formulas (torch.nn.init). All fill in place from the seeded
 * generator and return the tensor.
 */

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu' | 'identity';

/** The recommended gain for an activation: tanh 5/3, relu sqrt(2), leaky_relu sqrt(2/(1+a^2)), selu 3/4, else 1. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'sigmoid': case 'identity': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new Error(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'; use one of linear, conv2d, sigmoid, tanh, relu, leaky_relu, selu`);
  }
}

/** fan_in = size(1) * receptive field, fan_out = size(0) * receptive field, as torch. */
export function fanInAndFanOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`fan in and fan out need a tensor of at least 2 dims, got ${formatShape(shape)}`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function fill(t: Tensor, sample: () => number): Tensor {
  noGrad(() => {
    const d = t.data;
    for (let i = 0; i < d.length; i++) d[i] = sample();
  });
  return t;
}

export function uniform_(t: Tensor, a = 0, b = 1, g: Generator = defaultGenerator): Tensor {
  return fill(t, () => a + (b - a) * g.uniform());
}

export function normal_(t: Tensor, mean = 0, std = 1, g: Generator = defaultGenerator): Tensor {
  return fill(t, () => mean + std * g.normal());
}

export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Glorot/Xavier uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, g?: Generator): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, g);
}

/** Glorot/Xavier normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, g?: Generator): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), g);
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape);
  const mode = o.mode ?? 'fan_in';
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`kaiming init: mode must be 'fan_in' or 'fan_out', got '${String(mode)}'`);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return gain / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut);
}

/** He/Kaiming uniform: U(-b, b), b = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -bound, bound, o.generator);
}

/** He/Kaiming normal: N(0, std^2), std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, o), o.generator);
}

/**
 * PyTorch's default for Linear and Conv layers: weight kaiming_uniform(a = sqrt(5)), which is
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = fanInAndFanOut(weight.shape);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
