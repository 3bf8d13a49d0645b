import type { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/shape.js';
import { dropout } from '../ops/dropout.js';
import { Module } from './module.js';
import { Conv2d } from './conv.js';
import { Linear } from './linear.js';
import { ReLU } from './activation.js';
import { MaxPool2d } from './pool.js';

/** Applies modules in order; they are named '0', '1', ... like torch.nn.Sequential. */
export class Sequential extends Module {
  [index: number]: Module;
  readonly length: number;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: argument ${i} is not a Module`);
      this[i] = m;
    });
    this.length = modules.length;
  }

  forward(x: Tensor): Tensor {
    for (let i = 0; i < this.length; i++) {
      if (i + 1 < this.length && fusesWithRelu(this[i], this[i + 1])) {
        const pool = i + 2 < this.length ? this[i + 2] : null;
        if (pool && this[i] instanceof Conv2d && isPlain(pool, MaxPool2d)) {
          x = (this[i] as Conv2d).forwardReluMaxPool(x, (pool as MaxPool2d).kernelSize, (pool as MaxPool2d).opts);
          i += 2;
        } else {
          x = (this[i] as Conv2d | Linear).forwardRelu(x);
          i++;
        }
      } else x = this[i].call(x);
    }
    return x;
  }

  *[Symbol.iterator](): Generator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }
}

/**
 * A plain Conv2d or Linear followed by a plain ReLU (and, after a Conv2d, a plain MaxPool2d) runs
 * as one fused op: the same numbers with fewer passes over memory and fewer tape nodes. Not when
 * a module has forward hooks (they must see the intermediate tensors) or is a subclass (its
 * forward may differ).
 */
function isPlain(m: Module, cls: { prototype: object }): boolean {
  return Object.getPrototypeOf(m) === cls.prototype && !m.hasForwardHooks;
}

function fusesWithRelu(a: Module, b: Module): boolean {
  return (isPlain(a, Conv2d) || isPlain(a, Linear)) && isPlain(b, ReLU);
}

/** x + f(x): a residual connection around any module whose output matches its input's shape. */
export class Residual extends Module {
  constructor(readonly inner: Module) { super(); }
  forward(x: Tensor): Tensor { return x.add(this.inner.call(x)); }
}

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
}

/** Inverted dropout in training, identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training); }
  protected override describe(): string { return `p=${this.p}`; }
}
