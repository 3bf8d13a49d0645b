import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import { applyMask, getMask, getOrig } from './mask.js';

/** A tensor to prune: a module and the name of one of its parameters (`weight` usually). */
export interface PruneTarget { module: Module; name: string }

function checkAmount(fn: string, amount: number): void {
  if (!(amount >= 0 && amount <= 1)) throw new RangeError(`${fn}: amount is the fraction of the remaining entries to prune, in [0, 1]; got ${amount}`);
}

/** Current mask (all ones when not pruned) and the effective values orig * mask. */
function current(t: PruneTarget): { mask: Float32Array; values: Float32Array } {
  const orig = getOrig(t.module, t.name);
  const m = getMask(t.module, t.name);
  const mask = m ? Float32Array.from(m.data) : new Float32Array(orig.size).fill(1);
  const values = new Float32Array(orig.size);
  for (let i = 0; i < values.length; i++) values[i] = orig.data[i] * mask[i];
  return { mask, values };
}

/** How many of n remaining entries to prune: round(amount * n), as torch.nn.utils.prune does. */
const countToPrune = (amount: number, remaining: number): number => Math.round(amount * remaining);

/**
 * Zeroes the k alive entries of smallest |value| across one or more tensors (ties broken by
 * position, so the result is deterministic).
 */
function pruneSmallest(targets: PruneTarget[], amount: number): void {
  const states = targets.map(current);
  let alive = 0;
  for (const s of states) for (let i = 0; i < s.mask.length; i++) if (s.mask[i] !== 0) alive++;
  const k = countToPrune(amount, alive);
  if (k > 0) {
    // The k-th smallest |w| is the threshold: everything below it goes, then entries equal to
    // it in (tensor, position) order until k are gone. A typed-array sort keeps this fast.
    const mags = new Float64Array(alive);
    let j = 0;
    for (const s of states) for (let i = 0; i < s.mask.length; i++) if (s.mask[i] !== 0) mags[j++] = Math.abs(s.values[i]);
    const threshold = mags.sort()[k - 1];
    let left = k;
    for (const s of states) for (let i = 0; i < s.mask.length; i++) if (s.mask[i] !== 0 && Math.abs(s.values[i]) < threshold) { s.mask[i] = 0; left--; }
    for (const s of states) for (let i = 0; i < s.mask.length && left > 0; i++) if (s.mask[i] !== 0 && Math.abs(s.values[i]) === threshold) { s.mask[i] = 0; left--; }
  }
  targets.forEach((t, ti) => applyMask(t.module, t.name, maskTensor(states[ti].mask, getOrig(t.module, t.name).shape)));
}

const maskTensor = (m: Float32Array, shape: readonly number[]): Tensor => new Tensor(m, [...shape]);

/**
 * Layer-wise magnitude pruning (torch's prune.l1_unstructured): removes `amount` of the entries
 * that are still alive in this tensor, smallest |w| first.
 *
 * ```ts
 * l1Unstructured(model[1], 'weight', 0.2);   // 20% of 1.weight's remaining entries
 * ```
 */
export function l1Unstructured(module: Module, name: string, amount: number): Tensor {
  checkAmount('l1Unstructured', amount);
  pruneSmallest([{ module, name }], amount);
  return getMask(module, name)!;
}

/**
 * Global magnitude pruning (torch's prune.global_unstructured with L1Unstructured): one
 * threshold over all targets, so layers with many small weights lose more of them.
 */
export function globalMagnitude(targets: PruneTarget[], amount: number): void {
  checkAmount('globalMagnitude', amount);
  if (targets.length === 0) throw new Error('globalMagnitude: no tensors to prune');
  pruneSmallest(targets, amount);
}

/** Random unstructured pruning (the lottery-ticket control): `amount` of the alive entries, chosen uniformly. */
export function randomUnstructured(module: Module, name: string, amount: number, g: Generator = new Generator(0)): Tensor {
  checkAmount('randomUnstructured', amount);
  const { mask } = current({ module, name });
  const alive: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) alive.push(i);
  const k = countToPrune(amount, alive.length);
  for (let j = 0; j < k; j++) { // partial Fisher-Yates: the first k of a random permutation
    const r = j + g.below(alive.length - j);
    [alive[j], alive[r]] = [alive[r], alive[j]];
    mask[alive[j]] = 0;
  }
  return applyMask(module, name, maskTensor(mask, getOrig(module, name).shape));
}

/**
 * Structured pruning along `dim` (torch's prune.ln_structured): removes `amount` of the alive
 * slices (dim 0 = output units of a Linear, output channels of a Conv2d) with the smallest
 * Ln norm, whole slices at a time.
 */
export function lnStructured(module: Module, name: string, amount: number, o: { n?: number; dim?: number } = {}): Tensor {
  checkAmount('lnStructured', amount);
  const n = o.n ?? 2;
  const orig = getOrig(module, name);
  const dim = (o.dim ?? 0) < 0 ? orig.ndim + (o.dim ?? 0) : (o.dim ?? 0);
  if (!(n > 0)) throw new RangeError(`lnStructured: n must be a positive norm order (1, 2, Infinity), got ${n}`);
  if (dim < 0 || dim >= orig.ndim) throw new RangeError(`lnStructured: dim ${o.dim} is out of range for a tensor of shape [${orig.shape}]`);
  const { mask, values } = current({ module, name });
  const shape = orig.shape, size = shape[dim];
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const sliceOf = (i: number): number => Math.floor(i / inner) % size;
  const norms = new Float64Array(size), alive = new Uint8Array(size);
  for (let i = 0; i < values.length; i++) {
    const s = sliceOf(i), v = Math.abs(values[i]);
    norms[s] = n === Infinity ? Math.max(norms[s], v) : norms[s] + v ** n;
    if (mask[i] !== 0) alive[s] = 1;
  }
  const candidates = [...Array(size).keys()].filter((s) => alive[s]).sort((a, b) => norms[a] - norms[b] || a - b);
  const drop = new Set(candidates.slice(0, countToPrune(amount, candidates.length)));
  for (let i = 0; i < mask.length; i++) if (drop.has(sliceOf(i))) mask[i] = 0;
  return applyMask(module, name, maskTensor(mask, shape));
}
