import { Tensor } from '../tensor/tensor.js';
import type { TensorDataset } from './dataset.js';
import { emptyF32 } from '../backend/alloc.js';

/**
 * Feature scalers that are fitted on the training split and then applied to every split.
 * Fitting on a dataset whose name marks it as validation or test data is refused: statistics
 * computed there leak the held-out data into training.
 */
export interface FitOptions {
  /** Per feature (column after the first dim) or one statistic for all values. */
  perFeature?: boolean;
  /** Allow a train+validation dataset (a final retrain after model selection). */
  allowValidation?: boolean;
}

export class LeakageError extends Error {
  override name = 'LeakageError';
}

function refuseHeldOut(scaler: string, ds: TensorDataset, o: FitOptions): void {
  const parts = ds.name.toLowerCase().split(/[^a-z]+/);
  const test = parts.includes('test');
  const val = parts.includes('val') || parts.includes('validation');
  if (test || (val && !o.allowValidation)) {
    throw new LeakageError(
      `${scaler}.fit: refusing to fit on '${ds.name}', which contains ${test ? 'test' : 'validation'} items. ` +
      'Statistics fitted on held-out data leak it into training and make its scores optimistic. ' +
      'Fit on the training split and transform the others' + (test ? '.' : ' (or pass { allowValidation: true } for a final retrain on train+validation).'),
    );
  }
}

function featureCount(x: Tensor, perFeature: boolean): number {
  return perFeature ? x.size / x.shape[0] : 1;
}

export class Standardizer {
  mean: Float32Array | null = null;
  std: Float32Array | null = null;
  fittedOn = '';

  fit(ds: TensorDataset, o: FitOptions = {}): this {
    refuseHeldOut('Standardizer', ds, o);
    const x = ds.x.data, f = featureCount(ds.x, o.perFeature ?? false);
    const sum = new Float64Array(f), sq = new Float64Array(f);
    const n = x.length / f;
    if (f === 1) {
      // One statistic for all values (MNIST: 47M of them): the sums live in locals, since a chain of
      // additions through sum[0] in memory ran ~4x slower. Same additions in the same order.
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      sum[0] = s;
    } else {
      // Row by row so the inner loop has no modulo.
      for (let r = 0; r < n; r++) for (let k = 0, base = r * f; k < f; k++) sum[k] += x[base + k];
    }
    const mean = Float32Array.from(sum, (s) => s / n);
    if (f === 1) {
      const m = mean[0];
      let s = 0;
      for (let i = 0; i < x.length; i++) { const d = x[i] - m; s += d * d; }
      sq[0] = s;
    } else {
      for (let r = 0; r < n; r++) for (let k = 0, base = r * f; k < f; k++) { const d = x[base + k] - mean[k]; sq[k] += d * d; }
    }
    // Unbiased std, as torch.std; constant features get std 1 so they map to 0 instead of NaN.
    this.std = Float32Array.from(sq, (s) => { const v = Math.sqrt(s / Math.max(n - 1, 1)); return v > 0 ? v : 1; });
    this.mean = mean;
    this.fittedOn = ds.name;
    return this;
  }

  transform(x: Tensor): Tensor {
    if (!this.mean || !this.std) throw new Error('Standardizer.transform: call fit(trainingSet) first');
    // Every element is written below: no zero-fill of a buffer as large as the dataset.
    const f = this.mean.length, out = emptyF32(x.size), src = x.data;
    if (f !== 1 && x.size / x.shape[0] !== f) throw new Error(`Standardizer.transform: fitted on ${f} features, got ${x.size / x.shape[0]}`);
    if (f === 1) {
      const m = this.mean[0], inv = 1 / this.std[0];
      for (let i = 0; i < out.length; i++) out[i] = (src[i] - m) * inv;
    } else {
      for (let i = 0; i < out.length; i++) out[i] = (src[i] - this.mean[i % f]) / this.std[i % f];
    }
    return new Tensor(out, x.shape);
  }
}

export class MinMaxScaler {
  min: Float32Array | null = null;
  max: Float32Array | null = null;

  fit(ds: TensorDataset, o: FitOptions = {}): this {
    refuseHeldOut('MinMaxScaler', ds, o);
    const x = ds.x.data, f = featureCount(ds.x, o.perFeature ?? false);
    const lo = new Float32Array(f).fill(Infinity), hi = new Float32Array(f).fill(-Infinity);
    for (let i = 0; i < x.length; i++) { const k = i % f; if (x[i] < lo[k]) lo[k] = x[i]; if (x[i] > hi[k]) hi[k] = x[i]; }
    this.min = lo; this.max = hi;
    return this;
  }

  transform(x: Tensor): Tensor {
    if (!this.min || !this.max) throw new Error('MinMaxScaler.transform: call fit(trainingSet) first');
    const f = this.min.length, out = new Float32Array(x.size), src = x.data;
    for (let i = 0; i < out.length; i++) {
      const k = i % f, range = this.max[k] - this.min[k];
      out[i] = range > 0 ? (src[i] - this.min[k]) / range : 0;
    }
    return new Tensor(out, x.shape);
  }
}
