import { Parameter, Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module, type StateDict } from '../nn/module.js';

/**
 * Pruning masks in PyTorch's layout (torch.nn.utils.prune): while a tensor `weight` is pruned,
 * the module holds the trainable `weight_orig` (the same Parameter object, so an optimizer made
 * before pruning keeps working) and a buffer `weight_mask` of 0s and 1s, and `module.weight` is
 * recomputed as `weight_orig * weight_mask` on every access. A pruned entry is therefore exactly
 * zero in every forward pass, its gradient through the product is exactly zero, and no optimizer
 * state (momentum, Adam moments, weight decay moving `weight_orig`) can make it nonzero. The
 * state dict carries `weight_orig` and `weight_mask` under PyTorch's names, so it loads into a
 * torch model on which `prune.identity` (or any prune call) was applied; `removeMask` bakes the
 * mask in and restores a plain `weight` parameter, like `prune.remove`.
 *
 * ```ts
 * applyMask(model[1], 'weight', mask);     // 0.weight_orig + 0.weight_mask in the state dict
 * removeMask(model[1], 'weight');          // back to a plain (sparse) 0.weight
 * ```
 */

/** What prune internals need from a Module: its protected buffer registry. */
interface BufferAccess { registerBuffer(name: string, t: Tensor): void; removeBuffer(name: string): void }
const buffers = (m: Module): BufferAccess => m as unknown as BufferAccess;
const fields = (m: Module): Record<string, unknown> => m as unknown as Record<string, unknown>;

export function isPruned(module: Module, name: string): boolean {
  return fields(module)[`${name}_orig`] instanceof Parameter;
}

/** The mask of a pruned tensor (1 = kept, 0 = pruned), or null when it is not pruned. */
export function getMask(module: Module, name: string): Tensor | null {
  return isPruned(module, name) ? module.buffer(`${name}_mask`) : null;
}

/** The trainable tensor behind `name`: `name_orig` when pruned, else the parameter itself. */
export function getOrig(module: Module, name: string): Parameter {
  const f = fields(module);
  const p = isPruned(module, name) ? f[`${name}_orig`] : f[name];
  if (!(p instanceof Parameter)) {
    throw new Error(`prune: ${module.constructor.name} has no parameter '${name}' (parameters: ${[...module.namedParameters()].map(([n]) => n).join(', ') || 'none'})`);
  }
  return p;
}

function checkMask(module: Module, name: string, orig: Tensor, mask: Tensor): void {
  if (mask.shape.length !== orig.shape.length || mask.shape.some((d, i) => d !== orig.shape[i])) {
    throw new Error(`prune: the mask for ${module.constructor.name}.${name} has shape [${mask.shape}] but the tensor has shape [${orig.shape}]`);
  }
  for (let i = 0; i < mask.size; i++) {
    const v = mask.data[i];
    if (v !== 0 && v !== 1) throw new Error(`prune: a mask holds only 0 and 1, found ${v} at position ${i} of ${name}'s mask`);
  }
}

/**
 * Prunes `module[name]` with a 0/1 mask of its shape. When it is already pruned the new mask
 * is multiplied into the old one (an entry once pruned stays pruned), as iterative pruning in
 * torch does. Returns the combined mask.
 */
export function applyMask(module: Module, name: string, mask: Tensor): Tensor {
  const orig = getOrig(module, name);
  checkMask(module, name, orig, mask);
  const f = fields(module);
  if (isPruned(module, name)) {
    const old = module.buffer(`${name}_mask`);
    noGrad(() => { for (let i = 0; i < old.size; i++) old.data[i] *= mask.data[i]; });
    return old;
  }
  const own = new Tensor(Float32Array.from(mask.data), [...mask.shape]);
  delete f[name];
  f[`${name}_orig`] = orig;
  buffers(module).registerBuffer(`${name}_mask`, own);
  Object.defineProperty(module, name, {
    configurable: true,
    enumerable: false, // not a parameter: namedParameters() and stateDict() see weight_orig instead
    get(this: Module) { return (fields(this)[`${name}_orig`] as Tensor).mul(this.buffer(`${name}_mask`)); },
  });
  return own;
}

/** Bakes the mask into the tensor and makes it a plain parameter again (torch's prune.remove). */
export function removeMask(module: Module, name: string): Parameter {
  if (!isPruned(module, name)) throw new Error(`prune: ${module.constructor.name}.${name} is not pruned, so there is no mask to remove`);
  const f = fields(module);
  const orig = f[`${name}_orig`] as Parameter;
  const mask = module.buffer(`${name}_mask`);
  noGrad(() => { for (let i = 0; i < orig.size; i++) orig.data[i] *= mask.data[i]; });
  delete f[name];
  delete f[`${name}_orig`];
  buffers(module).removeBuffer(`${name}_mask`);
  f[name] = orig;
  return orig;
}

/** Every pruned (module path, module, tensor name) in a model. */
export function prunedTensors(model: Module): Array<{ path: string; module: Module; name: string }> {
  const out: Array<{ path: string; module: Module; name: string }> = [];
  for (const [path, m] of model.namedModules()) {
    for (const k of Object.keys(m)) {
      if (k.endsWith('_orig') && isPruned(m, k.slice(0, -5))) out.push({ path, module: m, name: k.slice(0, -5) });
    }
  }
  return out;
}

/** Removes every mask in the model (before export to a format that knows no masks). */
export function removeAllMasks(model: Module): void {
  for (const { module, name } of prunedTensors(model)) removeMask(module, name);
}

/**
 * Prepares a model to receive a pruned state dict: every `<path>.<name>_mask` key makes
 * `<path>.<name>` pruned (with that mask), so `model.loadStateDict(sd)` then finds
 * `_orig`/`_mask` where it expects them. Returns the number of masks applied.
 */
export function applyMasksFromStateDict(model: Module, sd: StateDict): number {
  const modules = new Map(model.namedModules());
  let n = 0;
  for (const key of Object.keys(sd)) {
    if (!key.endsWith('_mask')) continue;
    const dot = key.lastIndexOf('.');
    const path = dot < 0 ? '' : key.slice(0, dot);
    const name = key.slice(dot + 1, -5);
    const m = modules.get(path);
    if (!m) throw new Error(`prune: the state dict has a mask for '${key}' but the model has no module '${path}'`);
    if (isPruned(m, name)) m.buffer(`${name}_mask`).data.set(sd[key].data);
    else applyMask(m, name, sd[key]);
    n++;
  }
  return n;
}
