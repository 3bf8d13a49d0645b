import type { Tensor } from '../tensor/tensor.js';
import { maxPool2d, avgPool2d, adaptiveAvgPool2d, type Pool2dOptions } from '../ops/pool.js';
import type { Pair } from '../ops/conv.js';
import { Module } from './module.js';

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly opts: Omit<Pool2dOptions, 'countIncludePad'> = {}) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.opts); }
  protected override describe(): string { return `kernel=${String(this.kernelSize)}`; }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly opts: Pool2dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.opts); }
  protected override describe(): string { return `kernel=${String(this.kernelSize)}`; }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
  protected override describe(): string { return `output=${String(this.outputSize)}`; }
}
