/**
 * Fused in-place optimizer updates following torch.optim's single-tensor code paths. State
 * buffers are float32 like PyTorch's, so values are re-read at float32 precision (Math.fround)
 * before being used further, which keeps the arithmetic in step with PyTorch's. The gradient
 * array is never modified.
 */
import type { AdamStepArgs, F32, SgdStepArgs } from '../backend.js';

const f32 = Math.fround;

/**
 * torch.optim.Adam / AdamW:
 *   Adam:  g += wd * p              AdamW: p *= 1 - lr * wd
 *   m = lerp(m, g, 1 - beta1)       v = beta2 * v + (1 - beta2) * g^2
 *   AMSGrad: vmax = max(vmax, v), used instead of v below
 *   denom = sqrt(v) / sqrt(bc2) + eps;   p -= (lr / bc1) * m / denom
 */
export function adamStep(p: F32, grad: F32, m: F32, v: F32, vmax: F32 | null, a: AdamStepArgs): void {
  const n = p.length;
  const { beta1, beta2, eps, weightDecay: wd, decoupled } = a;
  const w1 = 1 - beta1, w2 = 1 - beta2;
  const stepSize = a.lr / a.biasCorrection1;
  // sqrt(v)/sqrt(bc2) as a product with the reciprocal: same value to ~1 ulp of a double, far cheaper.
  const invBc2Sqrt = 1 / Math.sqrt(a.biasCorrection2);
  // AdamW's decay factor; 1 otherwise (multiplying a float32 by 1 is exact, so no branch is needed).
  const decay = wd !== 0 && decoupled ? f32(1 - a.lr * wd) : 1;
  const l2 = wd !== 0 && !decoupled ? wd : 0;
  // m = lerp(m, g, w1) is evaluated as m + w1 * (g - m) in float64 and rounded once: torch's two
  // lerp branches differ only in float32 rounding of the intermediate.
  if (vmax === null && l2 === 0) {
    // The common case gets a loop without per-element branches.
    for (let i = 0; i < n; i++) {
      const pi = f32(p[i] * decay);
      const g = grad[i];
      const mPrev = m[i];
      const mi = f32(mPrev + w1 * (g - mPrev));
      m[i] = mi;
      const vi = f32(beta2 * v[i] + w2 * g * g);
      v[i] = vi;
      p[i] = pi - stepSize * (mi / (Math.sqrt(vi) * invBc2Sqrt + eps));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const pi = f32(p[i] * decay);
    const g = l2 === 0 ? grad[i] : f32(grad[i] + l2 * pi);
    const mPrev = m[i];
    const mi = f32(mPrev + w1 * (g - mPrev));
    m[i] = mi;
    let vi = f32(beta2 * v[i] + w2 * g * g);
    v[i] = vi;
    if (vmax !== null) {
      // AMSGrad: torch.maximum (NaN-propagating) of the running max and v.
      const old = vmax[i];
      if (old > vi || old !== old) vi = old;
      vmax[i] = vi;
    }
    p[i] = pi - stepSize * (mi / (Math.sqrt(vi) * invBc2Sqrt + eps));
  }
}

/**
 * torch.optim.SGD:
 *   g += wd * p
 *   momentum: buf = first ? g : momentum * buf + (1 - dampening) * g
 *             g = nesterov ? g + momentum * buf : buf
 *   p -= lr * g
 */
let scratch = new Float32Array(0);

export function sgdStep(p: F32, grad: F32, buf: F32 | null, a: SgdStepArgs): void {
  const n = p.length;
  const { lr, momentum, dampening, nesterov, weightDecay: wd, firstStep } = a;
  // The effective gradient (with L2 decay) is formed in one pass so the loops below are branch-free.
  let g = grad;
  if (wd !== 0) {
    if (scratch.length < n) scratch = new Float32Array(n);
    g = scratch;
    for (let i = 0; i < n; i++) g[i] = grad[i] + wd * p[i];
  }
  if (buf === null) {
    for (let i = 0; i < n; i++) p[i] -= lr * g[i];
    return;
  }
  const keep = 1 - dampening;
  if (firstStep) {
    // PyTorch: the buffer starts as a copy of the gradient (no dampening).
    if (nesterov) for (let i = 0; i < n; i++) { const d = g[i]; buf[i] = d; p[i] -= lr * f32(d + momentum * d); }
    else for (let i = 0; i < n; i++) { const d = g[i]; buf[i] = d; p[i] -= lr * d; }
  } else if (nesterov) {
    for (let i = 0; i < n; i++) {
      const d = g[i];
      const b = f32(momentum * buf[i] + keep * d);
      buf[i] = b;
      p[i] -= lr * f32(d + momentum * b);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const b = f32(momentum * buf[i] + keep * g[i]);
      buf[i] = b;
      p[i] -= lr * b;
    }
  }
}
