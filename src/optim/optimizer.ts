import type { Tensor } from '../tensor/tensor.js';
import { clearGrad, zeroGradSetToNone, type ZeroGradOptions } from '../autograd/grad-destination.js';
import { noGrad } from '../autograd/grad-mode.js';
import { advanceGeneration } from '../autograd/graph-leak.js';

export type HyperValue = number | boolean | [number, number];
export type Hyper = Record<string, unknown>;
export type ParamGroup<H extends Hyper> = H & { params: Tensor[] };
export type ParamGroupSpec<H extends Hyper> = Partial<H> & { params: Iterable<Tensor> };
export type ParamsArg<H extends Hyper> = Iterable<Tensor> | Array<ParamGroupSpec<H>>;

/** Per-parameter optimizer state: moment buffers and counters. */
export type ParamState = Record<string, Float32Array | number>;

export interface OptimizerStateDict {
  state: Record<number, Record<string, number[] | number>>;
  paramGroups: Array<Record<string, HyperValue | number[]>>;
}

/**
 * Shared machinery of the PyTorch-shaped optimizers: parameter groups with their own
 * hyperparameters, per-parameter state, zeroGrad and state dicts (parameters are numbered in
 * group order, as torch does, so a state dict survives a process restart).
 */
export abstract class Optimizer<H extends Hyper> {
  readonly paramGroups: Array<ParamGroup<H>>;
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsArg<H>, readonly defaults: H) {
    const list = [...params] as Array<Tensor | ParamGroupSpec<H>>;
    const specs: Array<ParamGroupSpec<H>> = list.length > 0 && isGroupSpec(list[0])
      ? (list as Array<ParamGroupSpec<H>>)
      : [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>];
    const seen = new Set<Tensor>();
    this.paramGroups = specs.map((spec, gi) => {
      const ps = [...spec.params];
      if (ps.length === 0) throw new Error(`${this.constructor.name}: parameter group ${gi} has no parameters`);
      for (const p of ps) {
        if (seen.has(p)) throw new Error(`${this.constructor.name}: a parameter appears in more than one group (group ${gi})`);
        if (p.dtype !== 'float32') throw new Error(`${this.constructor.name}: parameters must be float32 tensors`);
        seen.add(p);
      }
      const group = { ...defaults, ...spec, params: ps } as ParamGroup<H>;
      this.validate(group, gi);
      return group;
    });
  }

  /** Throws with a clear message when a hyperparameter is out of range. */
  protected abstract validate(group: ParamGroup<H>, index: number): void;

  /** Updates one parameter in place from its gradient. */
  protected abstract update(p: Tensor, grad: Float32Array, state: ParamState, group: ParamGroup<H>): void;

  /** One optimization step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (!p.grad) continue;
          let st = this.state.get(p);
          if (!st) { st = {}; this.state.set(p, st); }
          this.update(p, p.grad.f32, st, group);
        }
      }
    });
    advanceGeneration();
  }

  /**
   * Clears the gradients: by default sets each `.grad` to null (PyTorch 2's zero_grad()); with
   * `{ setToNone: false }` zeroes them in place (PyTorch 1.x's default), and the next backward
   * pass writes into those buffers instead of allocating new ones (a parameter that then gets
   * no gradient keeps a zero `.grad`, which the step still applies: momentum and weight decay).
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const toNone = zeroGradSetToNone(opts, 'optimizer.zeroGrad');
    for (const g of this.paramGroups) for (const p of g.params) clearGrad(p, toNone);
  }

  get lr(): number {
    return this.paramGroups[0].lr as number;
  }

  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let i = 0;
    for (const g of this.paramGroups) for (const p of g.params) index.set(p, i++);
    const state: OptimizerStateDict['state'] = {};
    for (const [p, st] of this.state) {
      const entry: Record<string, number[] | number> = {};
      for (const [k, v] of Object.entries(st)) entry[k] = typeof v === 'number' ? v : Array.from(v);
      state[index.get(p)!] = entry;
    }
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...(hyper as Hyper), params: params.map((p) => index.get(p)!) };
    });
    return { state, paramGroups };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`loadStateDict: the saved optimizer has ${sd.paramGroups.length} parameter groups, this one has ${this.paramGroups.length}`);
    }
    const params: Tensor[] = [];
    this.paramGroups.forEach((g, gi) => {
      const saved = sd.paramGroups[gi];
      const ids = saved.params as number[];
      if (ids.length !== g.params.length) throw new Error(`loadStateDict: group ${gi} has ${ids.length} saved parameters but ${g.params.length} here`);
      for (const [k, v] of Object.entries(saved)) if (k !== 'params') (g as Record<string, unknown>)[k] = v;
      params.push(...g.params);
    });
    this.state.clear();
    for (const [id, entry] of Object.entries(sd.state)) {
      const p = params[Number(id)];
      if (!p) throw new Error(`loadStateDict: state for parameter ${id}, which does not exist`);
      const st: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') st[k] = v;
        else {
          if (v.length !== p.size) throw new Error(`loadStateDict: state '${k}' of parameter ${id} has ${v.length} values, the parameter has ${p.size}`);
          st[k] = Float32Array.from(v);
        }
      }
      this.state.set(p, st);
    }
  }
}

function isGroupSpec<H extends Hyper>(x: unknown): x is ParamGroupSpec<H> {
  return typeof x === 'object' && x !== null && 'params' in x && !('shape' in x);
}

/** Shared range checks with messages that name the optimizer, the hyperparameter and the group. */
export function checkRange(opt: string, name: string, v: unknown, lo: number, hi: number, index: number, hiOpen = false): void {
  const ok = typeof v === 'number' && v >= lo && (hiOpen ? v < hi : v <= hi);
  if (!ok) {
    throw new RangeError(`${opt}: ${name} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${String(v)} (parameter group ${index})`);
  }
}

export function buffer(state: ParamState, key: string, n: number, init = 0): Float32Array {
  let b = state[key] as Float32Array | undefined;
  if (!b) {
    b = new Float32Array(n);
    if (init !== 0) b.fill(init);
    state[key] = b;
  }
  return b;
}
