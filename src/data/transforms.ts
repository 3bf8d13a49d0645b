import { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import { formatShape, ShapeError } from '../tensor/shape.js';

/**
 * Image augmentations for (N, C, H, W) float batches. They are batch transforms given a seeded
 * generator by the DataLoader, which applies them to the training split only.
 */

function check(op: string, x: Tensor): [number, number, number, number] {
  if (x.ndim !== 4) throw new ShapeError(`${op}: expects images (N, C, H, W), got ${formatShape(x.shape)}`);
  return x.shape as unknown as [number, number, number, number];
}

/** Pads each image by `padding` (with `fill`) and crops a random HxW window back out. */
export function randomCrop(padding: number, fill = 0) {
  return (x: Tensor, g: Generator): Tensor => {
    const [n, c, h, w] = check('randomCrop', x);
    const out = new Float32Array(x.size);
    const src = x.f32;
    for (let i = 0; i < n; i++) {
      const dy = g.below(2 * padding + 1) - padding, dx = g.below(2 * padding + 1) - padding;
      for (let ch = 0; ch < c; ch++) {
        const base = (i * c + ch) * h * w;
        for (let r = 0; r < h; r++) {
          const sr = r + dy;
          for (let col = 0; col < w; col++) {
            const sc = col + dx;
            out[base + r * w + col] = sr >= 0 && sr < h && sc >= 0 && sc < w ? src[base + sr * w + sc] : fill;
          }
        }
      }
    }
    return new Tensor(out, x.shape);
  };
}

/** Mirrors each image left-right with probability p (not for digits, where it changes meaning). */
export function randomHorizontalFlip(p = 0.5) {
  return (x: Tensor, g: Generator): Tensor => {
    const [n, c, h, w] = check('randomHorizontalFlip', x);
    const out = x.f32.slice();
    for (let i = 0; i < n; i++) {
      if (g.uniform() >= p) continue;
      for (let ch = 0; ch < c; ch++) for (let r = 0; r < h; r++) {
        const base = ((i * c + ch) * h + r) * w;
        for (let col = 0; col < w; col++) out[base + col] = x.f32[base + w - 1 - col];
      }
    }
    return new Tensor(out, x.shape);
  };
}

/** Adds N(0, std^2) noise to every value. */
export function gaussianNoise(std: number) {
  if (!(std >= 0)) throw new RangeError(`gaussianNoise: std must be >= 0, got ${std}`);
  return (x: Tensor, g: Generator): Tensor => {
    const out = x.f32.slice();
    for (let i = 0; i < out.length; i++) out[i] += std * g.normal();
    return new Tensor(out, x.shape);
  };
}

/** Applies transforms in order. */
export function compose(...ts: Array<(x: Tensor, g: Generator) => Tensor>) {
  return (x: Tensor, g: Generator): Tensor => ts.reduce((acc, t) => t(acc, g), x);
}
