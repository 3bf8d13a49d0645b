import type { Callback, TrainStepContext } from '../train/callbacks.js';
import { measureGradientNoise, NoiseScaleEma } from './noise-scale.js';

export interface NoiseScaleCallbackOptions {
  /** Measure every this many optimizer steps (default 50). */
  every?: number;
  /** The small batch; the training batch is the big one and must hold at least two (default batch / 4). */
  smallBatch?: number;
  /** EMA coefficient for |G|² and tr(Σ) (default 0.9 over measurements). */
  beta?: number;
}

/**
 * Opt-in tracking of the gradient noise scale during training: every N steps, the current
 * training batch is split into small batches (see measureGradientNoise) and the smoothed
 * B_simple is logged as `noise_scale` with its parts `noise_grad_sq` and `noise_trace`.
 * It costs one extra forward and backward pass over the batch per measurement and leaves the
 * training trajectory unchanged (weights, statistics and the generator are restored).
 * @example new Trainer({ model, optimizer, loss, callbacks: [new NoiseScaleCallback({ every: 50 })] })
 */
export class NoiseScaleCallback implements Callback {
  readonly name = 'noiseScale';
  readonly ema: NoiseScaleEma;
  readonly every: number;

  constructor(readonly o: NoiseScaleCallbackOptions = {}) {
    this.every = o.every ?? 50;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`NoiseScaleCallback: every must be a positive integer, got ${o.every}`);
    this.ema = new NoiseScaleEma(o.beta ?? 0.9);
  }

  onTrainStep(ctx: TrainStepContext): void {
    if (ctx.step % this.every !== 0) return;
    const n = ctx.x.shape[0];
    const small = this.o.smallBatch ?? Math.floor(n / 4);
    if (small < 1 || Math.floor(n / small) < 2) return; // a short last batch: skip rather than fail the run
    const s = measureGradientNoise(ctx.model, ctx.loss, { x: ctx.x, y: ctx.y }, small);
    this.ema.update(s);
    ctx.log('noise_grad_sq', this.ema.gradSq);
    ctx.log('noise_trace', this.ema.trace);
    if (Number.isFinite(this.ema.bSimple)) ctx.log('noise_scale', this.ema.bSimple);
  }

  state(): unknown { return this.ema.state(); }
  load(s: unknown): void { this.ema.load(s as { g: number; s: number; n: number }); }
}
