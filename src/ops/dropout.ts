import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { mul } from './elementwise.js';

/**
 * Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1-p),
 * so evaluation needs no rescaling; the identity when not training.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const mask = new Float32Array(x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.uniform() < p ? 0 : scale;
  return mul(x, new Tensor(mask, x.shape));
}
