/**
 * One tiny product, forward and backward, when the package loads: V8 compiles the JavaScript of
 * the matmul path (the op, its shape checks, the tape and the gradient rule) on its first call,
 * which cost a fresh process ~0.5-3 ms on its first real product (measured on a 2-core Zen 3,
 * bench/limits.ts's cold-start figure). Paid here it is hidden in the import (~1 ms). Uses no
 * random numbers, so seeded results do not change.
 */
import { ones } from './tensor/create.js';

export function warmUpMatmulPath(): void {
  const a = ones([2, 2], { requiresGrad: true });
  const b = ones([2, 2], { requiresGrad: true });
  a.matmul(b).sum().backward();
}
