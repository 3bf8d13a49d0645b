import type { Tensor } from '../tensor/tensor.js';
import type { Callback, TrainStepContext } from '../train/callbacks.js';
import { topHessianEigenvalue } from './hessian.js';

export interface SharpnessTrackerOptions {
  /** Measure at optimizer steps 1, 1 + every, 1 + 2*every, ... (the weights after 0, every, 2*every steps). */
  every: number;
  /**
   * The fixed batch the loss is measured on: a number keeps the first N examples of the first
   * training batch the tracker sees (default: all of it); `{ x, y }` gives the batch itself.
   */
  batch?: number | { x: Tensor; y: Tensor };
  /** Power iterations (HVPs) per measurement at most (default 20; warm starts need few). */
  iterations?: number;
  /** Relative change of the Rayleigh quotient that ends the iteration (default 1e-3). */
  tol?: number;
}

export interface SharpnessRecord {
  /** The optimizer step about to be taken when this was measured (the weights after step - 1 steps). */
  step: number;
  /** The top eigenvalue of the Hessian of the training loss on the fixed batch. */
  sharpness: number;
  /** 2 / lr: where gradient descent on a quadratic of this curvature stops being stable. */
  twoOverLr: number | null;
  iterations: number;
  converged: boolean;
}

/**
 * Tracks the sharpness during training (Cohen et al. 2021, "Gradient Descent on Neural Networks
 * Typically Occurs at the Edge of Stability"): every `every` optimizer steps it estimates the top
 * eigenvalue of the Hessian of the training loss on one fixed batch by power iteration on
 * Hessian-vector products, warm-started from the previous eigenvector, and logs `sharpness` and
 * `two_over_lr` (2/lr) as training metrics. Full-batch gradient descent with MSE tends to sharpen
 * until the sharpness reaches 2/lr and then hovers there; for adaptive optimizers 2/lr is not the
 * stability limit (the preconditioned Hessian is what matters), so compare with care.
 *
 * Measurements run in eval mode (dropout off, batch-norm statistics frozen) so the loss is a
 * fixed function of the weights; weights, gradients and the generator are left as they were.
 * Each measurement costs about 2 forward/backward passes over the batch per power iteration.
 * @example new Trainer({ model, optimizer, loss, run, callbacks: [sharpnessTracker({ every: 20, batch: 256 })] })
 */
export class SharpnessTracker implements Callback {
  readonly name = 'sharpness';
  readonly history: SharpnessRecord[] = [];
  private fixed: { x: Tensor; y: Tensor } | null;
  private vector: Float64Array | null = null;

  constructor(readonly o: SharpnessTrackerOptions) {
    if (!Number.isInteger(o.every) || o.every < 1) throw new RangeError(`sharpnessTracker: every must be a positive integer (optimizer steps), got ${o.every}`);
    if (typeof o.batch === 'number' && !(Number.isInteger(o.batch) && o.batch >= 1)) throw new RangeError(`sharpnessTracker: batch must be a positive integer (examples), got ${o.batch}`);
    if (o.iterations !== undefined && !(Number.isInteger(o.iterations) && o.iterations >= 2)) throw new RangeError(`sharpnessTracker: iterations must be an integer >= 2, got ${o.iterations}`);
    if (o.tol !== undefined && !(o.tol > 0)) throw new RangeError(`sharpnessTracker: tol must be positive, got ${o.tol}`);
    this.fixed = typeof o.batch === 'object' ? o.batch : null;
  }

  onTrainStep(ctx: TrainStepContext): void {
    if ((ctx.step - 1) % this.o.every !== 0) return;
    if (!this.fixed) this.fixed = typeof this.o.batch === 'number' ? { x: ctx.x.slice(0, 0, this.o.batch), y: ctx.y.slice(0, 0, this.o.batch) } : { x: ctx.x, y: ctx.y };
    const r = this.measure(ctx);
    this.history.push(r);
    ctx.log('sharpness', r.sharpness);
    if (r.twoOverLr !== null) ctx.log('two_over_lr', r.twoOverLr);
  }

  /** The top Hessian eigenvalue at the model's current weights on the fixed batch. */
  private measure(ctx: TrainStepContext): SharpnessRecord {
    const { model } = ctx;
    const { x, y } = this.fixed!;
    const params = model.parameters().filter((p) => p.requiresGrad);
    const wasTraining = model.training;
    model.eval();
    try {
      const loss = () => ctx.loss(model.call(x), y);
      const o = { maxIterations: this.o.iterations ?? 20, tol: this.o.tol ?? 1e-3 };
      let r = topHessianEigenvalue(loss, params, { ...o, start: this.vector ?? undefined });
      // Power iteration finds the eigenvalue of largest magnitude; when that is negative (early
      // in training, or at a saddle) iterating on H - rI finds the top one.
      if (r.value < 0) r = topHessianEigenvalue(loss, params, { ...o, shift: r.value, seed: 1 });
      this.vector = r.vector;
      const lr = ctx.lr;
      return { step: ctx.step, sharpness: r.value, twoOverLr: lr !== undefined && lr > 0 ? 2 / lr : null, iterations: r.iterations, converged: r.converged };
    } finally {
      model.train(wasTraining);
    }
  }
}

/** A SharpnessTracker (see there): `callbacks: [sharpnessTracker({ every: 20 })]`. */
export const sharpnessTracker = (o: SharpnessTrackerOptions): SharpnessTracker => new SharpnessTracker(o);
