import { Parameter, type Tensor } from '../tensor/tensor.js';
import { zeros, ones } from '../tensor/create.js';
import { noGrad } from '../autograd/grad-mode.js';
import { batchNorm, layerNorm, groupNorm, instanceNorm } from '../ops/norm.js';
import { formatShape, ShapeError } from '../tensor/shape.js';
import { Module } from './module.js';
import { checkSize } from './linear.js';

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * Batch normalization: batch statistics in training, running averages in eval. Buffers use
 * PyTorch's names (running_mean, running_var, num_batches_tracked) so state dicts interoperate.
 */
abstract class BatchNormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number;
  readonly trackRunningStats: boolean;
  protected abstract readonly ranks: number[];

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    checkSize(this.constructor.name, 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    }
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.constructor.name}(${this.numFeatures}): expected input of rank ${this.ranks.join(' or ')} with ${this.numFeatures} channels in dim 1, got ${formatShape(x.shape)}`);
    }
    const track = this.trackRunningStats;
    const useBatch = this.training || !track;
    if (this.training && track) noGrad(() => { this.buffer('num_batches_tracked').data[0] += 1; });
    return batchNorm(
      x, track ? this.buffer('running_mean') : null, track ? this.buffer('running_var') : null,
      this.weight, this.bias, { training: useBatch, momentum: this.training ? this.momentum : 0, eps: this.eps },
    );
  }

  protected override describe(): string { return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}`; }
}

export class BatchNorm1d extends BatchNormBase { protected readonly ranks = [2, 3]; }
export class BatchNorm2d extends BatchNormBase { protected readonly ranks = [4]; }

export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];

  constructor(normalizedShape: number | number[], readonly opts: { eps?: number; elementwiseAffine?: boolean } = {}) {
    super();
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor { return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.opts.eps ?? 1e-5); }
  protected override describe(): string { return formatShape(this.normalizedShape); }
}

export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly numGroups: number, readonly numChannels: number, readonly opts: { eps?: number; affine?: boolean } = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: numGroups=${numGroups} must divide numChannels=${numChannels}`);
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels])) : null;
    this.bias = affine ? new Parameter(zeros([numChannels])) : null;
  }

  forward(x: Tensor): Tensor { return groupNorm(x, this.numGroups, this.weight, this.bias, this.opts.eps ?? 1e-5); }
  protected override describe(): string { return `${this.numGroups}, ${this.numChannels}`; }
}

/** Instance normalization over each (sample, channel) plane; affine off by default, no running stats (torch defaults). */
export class InstanceNorm2d extends Module {
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly numFeatures: number, readonly opts: { eps?: number; affine?: boolean } = {}) {
    super();
    const affine = opts.affine ?? false;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new ShapeError(`InstanceNorm2d: expected (N, C, H, W), got ${formatShape(x.shape)}`);
    return instanceNorm(x, this.weight, this.bias, this.opts.eps ?? 1e-5);
  }
}

