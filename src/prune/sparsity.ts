import type { Module } from '../nn/module.js';
import { Parameter, type Tensor } from '../tensor/tensor.js';
import { getMask, isPruned } from './mask.js';

export interface LayerSparsity {
  /** PyTorch-style name of the effective tensor, e.g. `1.weight`. */
  name: string;
  total: number;
  /** Entries that are exactly zero in the effective tensor (pruned or not). */
  zeros: number;
  /** Entries a mask removes (0 when the tensor is not pruned). */
  pruned: number;
  sparsity: number;
}

export interface SparsityReport {
  layers: LayerSparsity[];
  /** Over the tensors listed (weights only unless biases were asked for). */
  total: number;
  zeros: number;
  sparsity: number;
  /** Fraction of the listed entries still alive: the "weights remaining" of lottery-ticket plots. */
  remaining: number;
}

/**
 * Per-layer sparsity of a model's weight tensors (every parameter with 2 or more dimensions,
 * pruned or not; biases only with includeBias), counting exact zeros of the effective tensor.
 */
export function sparsityReport(model: Module, o: { includeBias?: boolean } = {}): SparsityReport {
  const layers: LayerSparsity[] = [];
  for (const [path, m] of model.namedModules()) {
    const pre = path ? `${path}.` : '';
    const names = new Set<string>();
    for (const [k, v] of Object.entries(m)) {
      if (v instanceof Parameter) names.add(k.endsWith('_orig') && isPruned(m, k.slice(0, -5)) ? k.slice(0, -5) : k);
    }
    for (const name of names) {
      const t = (m as unknown as Record<string, Tensor>)[name];
      if (t.ndim < 2 && !o.includeBias) continue;
      let zeros = 0;
      for (let i = 0; i < t.size; i++) if (t.data[i] === 0) zeros++;
      const mask = getMask(m, name);
      let pruned = 0;
      if (mask) for (let i = 0; i < mask.size; i++) if (mask.data[i] === 0) pruned++;
      layers.push({ name: pre + name, total: t.size, zeros, pruned, sparsity: zeros / t.size });
    }
  }
  const total = layers.reduce((s, l) => s + l.total, 0);
  const zeros = layers.reduce((s, l) => s + l.zeros, 0);
  return { layers, total, zeros, sparsity: total ? zeros / total : 0, remaining: total ? 1 - zeros / total : 1 };
}

/** The report as text lines: one per layer and a total. */
export function formatSparsity(r: SparsityReport): string[] {
  const w = Math.max(5, ...r.layers.map((l) => l.name.length));
  const row = (n: string, total: number, zeros: number) => `${n.padEnd(w)}  ${String(total).padStart(9)}  ${String(total - zeros).padStart(9)}  ${(100 * zeros / Math.max(total, 1)).toFixed(2).padStart(7)}%`;
  return [
    `${'layer'.padEnd(w)}  ${'weights'.padStart(9)}  ${'remaining'.padStart(9)}  ${'sparsity'.padStart(8)}`,
    ...r.layers.map((l) => row(l.name, l.total, l.zeros)),
    row('total', r.total, r.zeros),
  ];
}
