import { Tensor } from '../tensor/tensor.js';
import { noGrad } from './grad-mode.js';
import { grad } from './engine.js';
import { Generator } from '../tensor/random.js';

export interface GradcheckOptions {
  /** Finite-difference step. float32 needs a larger step than torch's float64 default of 1e-6. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Inputs (by position) to check; default all that require grad. */
  check?: number[];
  seed?: number;
}

export class GradcheckError extends Error {
  override name = 'GradcheckError';
}

/**
 * Compares autograd's gradient with central finite differences, element by element.
 * The output is reduced to a scalar with fixed random weights so every output element
 * counts. Throws a GradcheckError naming the input, the element and both values; returns
 * the largest absolute difference seen when all agree.
 * Example: `gradcheck((x) => x.exp().sum(), [randn([3], { requiresGrad: true })])`.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): number {
  const eps = opts.eps ?? 1e-3, atol = opts.atol ?? 1e-3, rtol = opts.rtol ?? 1e-2;
  const probe = fn(...inputs);
  const g = new Generator(opts.seed ?? 1234);
  const weights = new Tensor(Float32Array.from({ length: probe.size }, () => g.uniform() * 2 - 1), probe.shape);
  const scalar = (...xs: Tensor[]): Tensor => fn(...xs).mul(weights).sum();
  const indices = opts.check ?? inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (indices.length === 0) throw new GradcheckError('gradcheck: no input requires grad; set requiresGrad on the inputs to check');
  const analytic = grad([scalar(...inputs)], indices.map((i) => inputs[i]), { allowUnused: true });
  let worst = 0;
  indices.forEach((inputIndex, k) => {
    const x = inputs[inputIndex];
    const data = x.data as Float32Array;
    const a = analytic[k];
    for (let j = 0; j < data.length; j++) {
      const orig = data[j];
      const f = (v: number): number => { data[j] = v; const r = noGrad(() => scalar(...inputs).item()); data[j] = orig; return r; };
      const hi = f(orig + eps), lo = f(orig - eps);
      // Use the perturbation float32 actually applied, not the nominal eps.
      const numeric = (hi - lo) / (Math.fround(orig + eps) - Math.fround(orig - eps));
      const an = a ? a.data[j] : 0;
      const diff = Math.abs(an - numeric);
      worst = Math.max(worst, diff);
      if (!(diff <= atol + rtol * Math.abs(numeric))) {
        throw new GradcheckError(
          `gradcheck: input ${inputIndex} (shape (${x.shape.join(', ')})) element ${j}: autograd gives ${an}, ` +
          `finite differences give ${numeric} (|diff| ${diff.toExponential(3)} > atol ${atol} + rtol ${rtol} * |numeric|)`,
        );
      }
    }
  });
  return worst;
}
