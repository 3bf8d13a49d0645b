import type { Tensor } from '../tensor/tensor.js';
import * as A from '../ops/activation.js';
import { Module } from './module.js';

/** Activation layers; each wraps the function of the same name in ops/activation. */
export class ReLU extends Module { forward(x: Tensor): Tensor { return A.relu(x); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return A.sigmoid(x); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return A.tanh(x); } }
export class SiLU extends Module { forward(x: Tensor): Tensor { return A.silu(x); } }
export class Softplus extends Module { forward(x: Tensor): Tensor { return A.softplus(x); } }
export class Identity extends Module { forward(x: Tensor): Tensor { return x; } }

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return A.leakyRelu(x, this.negativeSlope); }
  protected override describe(): string { return `negativeSlope=${this.negativeSlope}`; }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return A.elu(x, this.alpha); }
}

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return A.gelu(x, this.approximate); }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return A.softmax(x, this.dim); }
}

export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return A.logSoftmax(x, this.dim); }
}
