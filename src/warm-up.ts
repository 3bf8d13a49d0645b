/**
 * Tiny products, forward and backward, when the package loads: V8 compiles the JavaScript of
 * the matmul path (the op, its shape checks, the tape and the gradient rule) on its first call
 * and compiles it again, to baseline code, once it has run about eight times. Each of those
 * cost a fresh process's real products ~0.1-0.4 ms (the 1st and the 9th call of a 256 x 256
 * matmul, measured on a 2-core Zen 3 with bench/limits.ts's cold-start figure). Paid here both
 * are hidden in the import (~1 ms). Uses no random numbers, so seeded results do not change.
 */
import { ones } from './tensor/create.js';

const WARM_UP_CALLS = 16;

export function warmUpMatmulPath(): void {
  const a = ones([2, 2], { requiresGrad: true });
  const b = ones([2, 2], { requiresGrad: true });
  for (let i = 0; i < WARM_UP_CALLS; i++) a.matmul(b).sum().backward();
}
