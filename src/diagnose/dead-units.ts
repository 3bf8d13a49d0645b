import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { ReLU } from '../nn/activation.js';
import { noGrad } from '../autograd/grad-mode.js';
import { hookModules, preservingState, splitBatch, type BatchLike } from './hooks.js';

/**
 * Dead ReLU units: units whose ReLU output is zero for every example of a batch. Such a unit
 * passes no gradient to the weights feeding it, so it stays dead — typically after a too-large
 * learning rate, or a bias initialized (or pushed) far negative. LeakyReLU, ELU, GELU and
 * friends are not checked: their negative side still carries gradient, so they cannot die.
 */
export interface DeadUnitLayer {
  /** The ReLU module's name (e.g. `3`, or `features.1`). */
  name: string;
  /** The layer feeding this ReLU (the previous sibling in a Sequential), when there is one. */
  after?: string;
  /** Units: features for (N, F) outputs, channels for (N, C, H, W) outputs. */
  units: number;
  dead: number;
  fraction: number;
  /** Indices of the dead units (first 32 at most). */
  deadIndices: number[];
}

/** ReLU modules (and user classes named ReLU or ReLU6); not LeakyReLU, which is never dead. */
export function isReluFamily(m: Module): boolean {
  return m instanceof ReLU || /^ReLU\d*$/.test(m.constructor.name);
}

/**
 * Runs one forward pass over `batch` (without a graph, leaving the model's modes and buffers
 * as they were) with hooks on every ReLU-family module, and reports per layer how many units
 * were zero for every example. A unit of a convolutional layer is a channel, alive if it is
 * positive anywhere in any example. Only ReLUs called as modules are visible: a functional
 * `x.relu()` inside a forward method has no hook to attach to.
 */
export function deadUnits(model: Module, batch: BatchLike): DeadUnitLayer[] {
  if (!(model instanceof Module)) throw new TypeError('deadUnits: expected a Module');
  const { x } = splitBatch(batch, 'deadUnits');
  const alive = new Map<string, Uint8Array>();
  const record = (name: string, out: Tensor): void => {
    if (out.ndim === 0) return;
    const n = out.shape[0];
    const units = out.ndim === 1 ? 1 : out.shape[1];
    const inner = out.ndim <= 2 ? 1 : out.size / Math.max(1, n * units);
    let flags = alive.get(name);
    if (!flags || flags.length !== units) { flags = new Uint8Array(units); alive.set(name, flags); }
    const d = out.data;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < units; c++) {
        if (flags[c]) continue;
        const base = (i * units + c) * inner;
        for (let k = 0; k < inner; k++) if (d[base + k] > 0) { flags[c] = 1; break; }
      }
    }
  };
  const hooks = hookModules(model, (_, m) => isReluFamily(m), (name, _m, out) => record(name, out));
  try {
    preservingState(model, () => noGrad(() => model.call(x)));
  } finally {
    hooks.remove();
  }
  const names = new Set([...model.namedModules()].map(([n]) => n));
  const layers: DeadUnitLayer[] = [];
  for (const [name, flags] of alive) {
    const deadIndices: number[] = [];
    let dead = 0;
    for (let c = 0; c < flags.length; c++) if (!flags[c]) { dead++; if (deadIndices.length < 32) deadIndices.push(c); }
    const layer: DeadUnitLayer = { name, units: flags.length, dead, fraction: dead / flags.length, deadIndices };
    const after = previousSibling(name, names);
    if (after !== undefined) layer.after = after;
    layers.push(layer);
  }
  return layers;
}

/** `a.3` -> `a.2` when that module exists (the layer before a ReLU in a Sequential). */
function previousSibling(name: string, names: Set<string>): string | undefined {
  const m = /^(.*?)(\d+)$/.exec(name);
  if (!m || Number(m[2]) === 0) return undefined;
  const prev = `${m[1]}${Number(m[2]) - 1}`;
  return names.has(prev) ? prev : undefined;
}
