import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';

/**
 * Shared plumbing of the diagnostics that look inside a model: batches given either as an
 * input tensor or as `{ x, y }`, forward hooks on selected submodules, and running a probe
 * without leaving traces in the model (training flags and buffers such as BatchNorm's running
 * statistics are restored afterwards).
 */

/** A batch for a diagnostic: the input tensor alone, or inputs with optional targets. */
export type BatchLike = Tensor | { x: Tensor; y?: Tensor };

/** Normalizes a BatchLike to `{ x, y }`, with a clear error for anything else. */
export function splitBatch(batch: BatchLike, who: string): { x: Tensor; y?: Tensor } {
  if (batch instanceof Tensor) return { x: batch };
  if (batch && typeof batch === 'object' && batch.x instanceof Tensor) {
    if (batch.y !== undefined && !(batch.y instanceof Tensor)) throw new TypeError(`${who}: batch.y must be a Tensor when given`);
    return { x: batch.x, y: batch.y };
  }
  throw new TypeError(`${who}: expected a batch as an input Tensor or { x: Tensor, y?: Tensor }`);
}

/** A module with no submodules (a layer rather than a container). */
export function isLeafModule(m: Module): boolean {
  return m.namedChildren().next().done === true;
}

/**
 * Runs fn and then restores every module's training flag and every buffer's values, so a
 * diagnostic forward pass does not move BatchNorm running statistics or switch modes.
 */
export function preservingState<T>(model: Module, fn: () => T): T {
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  const buffers = [...model.namedBuffers()].map(([, b]) => [b, b.data.slice()] as const);
  try {
    return fn();
  } finally {
    for (const [m, mode] of modes) m.training = mode;
    for (const [b, saved] of buffers) b.data.set(saved);
  }
}

/**
 * Registers `onOutput(name, module, output)` as a forward hook on every submodule that
 * `select` accepts; returns a function that removes all of them. A module called more than
 * once per forward pass reports each call under `name`, `name#2`, `name#3`, ...
 */
export function hookModules(
  model: Module,
  select: (name: string, m: Module) => boolean,
  onOutput: (name: string, m: Module, output: Tensor, input: Tensor) => void,
): { remove: () => void; hooked: string[]; resetCalls: () => void } {
  const removers: Array<() => void> = [];
  const hooked: string[] = [];
  const calls = new Map<string, number>();
  for (const [rawName, m] of model.namedModules()) {
    const name = rawName === '' ? '(model)' : rawName;
    if (!select(name, m)) continue;
    hooked.push(name);
    removers.push(m.registerForwardHook((mod, input, output) => {
      const k = (calls.get(name) ?? 0) + 1;
      calls.set(name, k);
      onOutput(k === 1 ? name : `${name}#${k}`, mod, output, input);
    }));
  }
  return {
    hooked,
    remove: () => { for (const r of removers) r(); },
    resetCalls: () => { calls.clear(); },
  };
}

/** Mean and (population) standard deviation of a tensor's values, accumulated in float64. */
export function meanStd(t: Tensor): { mean: number; std: number } {
  const d = t.data;
  const n = d.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += d[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) { const e = d[i] - mean; v += e * e; }
  return { mean, std: Math.sqrt(v / n) };
}
