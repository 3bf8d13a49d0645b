import { Parameter, type Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { linear, linearRelu } from '../ops/matmul.js';
import { Module } from './module.js';
import { defaultLayerInit_ } from './init.js';

function checkSize(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${layer}: ${name} must be a positive integer, got ${v}`);
}

/** y = x W^T + b with W of shape (out, in); PyTorch's default initialization. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outFeatures])) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  /** relu(this.forward(x)) as one op; Sequential uses it for a Linear followed by a ReLU. */
  forwardRelu(x: Tensor): Tensor {
    return linearRelu(x, this.weight, this.bias);
  }

  protected override describe(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}${this.bias ? '' : ', bias=false'}`;
  }
}

export { checkSize };
