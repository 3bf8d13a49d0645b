import { Parameter, type Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { conv2d, pair, type Pair } from '../ops/conv.js';
import { conv2dRelu, conv2dReluMaxPool } from '../ops/conv-fused.js';
import type { Pool2dOptions } from '../ops/pool.js';
import { Module } from './module.js';
import { defaultLayerInit_ } from './init.js';
import { checkSize } from './linear.js';

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** 2-D convolution layer over NCHW input; weight (out, in/groups, kH, kW). */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: Pair, opts: Conv2dLayerOptions = {}) {
    super();
    checkSize('Conv2d', 'inChannels', inChannels);
    checkSize('Conv2d', 'outChannels', outChannels);
    const [kh, kw] = pair(kernelSize);
    checkSize('Conv2d', 'kernelSize', kh);
    checkSize('Conv2d', 'kernelSize', kw);
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(`Conv2d: groups=${this.groups} must divide inChannels=${inChannels} and outChannels=${outChannels}`);
    }
    this.stride = pair(opts.stride ?? 1);
    this.padding = pair(opts.padding ?? 0);
    this.dilation = pair(opts.dilation ?? 1);
    this.weight = new Parameter(zeros([outChannels, inChannels / this.groups, kh, kw]));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options());
  }

  /** relu(this.forward(x)) in one kernel pass; Sequential uses it for a Conv2d followed by a ReLU. */
  forwardRelu(x: Tensor): Tensor {
    return conv2dRelu(x, this.weight, this.bias, this.options());
  }

  /** maxPool2d(relu(this.forward(x))) as one op; Sequential uses it for Conv2d, ReLU, MaxPool2d. */
  forwardReluMaxPool(x: Tensor, kernel: Pair, poolOpts: Pool2dOptions): Tensor {
    return conv2dReluMaxPool(x, this.weight, this.bias, this.options(), kernel, poolOpts);
  }

  private options(): { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number } {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  protected override describe(): string {
    return `${this.inChannels}, ${this.outChannels}, kernel=${pair(this.kernelSize).join('x')}, stride=${this.stride.join('x')}, padding=${this.padding.join('x')}` +
      (this.groups > 1 ? `, groups=${this.groups}` : '');
  }
}
