import { Tensor, Parameter } from '../tensor/tensor.js';
import { clearGrad, zeroGradSetToNone, type ZeroGradOptions } from '../autograd/grad-destination.js';
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape } from '../tensor/shape.js';
import type { OnnxExportOptions } from '../interop/onnx/export-model.js';

export type StateDict = Record<string, Tensor>;
export type ForwardHook = (module: Module, input: Tensor, output: Tensor) => void;

/**
 * Base class of layers and models. Parameters and submodules register themselves by being
 * assigned to fields (`this.weight = new Parameter(...)`, `this.fc = new Linear(...)`), so a
 * forgotten sub-layer can never be silently left out of `parameters()`. Buffers (running
 * statistics) are registered by name with `registerBuffer`, using PyTorch's names so state
 * dicts load in both directions.
 */
export abstract class Module {
  training = true;
  readonly #buffers = new Map<string, Tensor>();
  readonly #forwardHooks = new Set<ForwardHook>();

  abstract forward(input: Tensor, ...rest: unknown[]): Tensor;

  /** Calls forward and then the forward hooks (the equivalent of `model(x)` in PyTorch). */
  call(input: Tensor, ...rest: unknown[]): Tensor {
    const out = this.forward(input, ...rest);
    for (const hook of this.#forwardHooks) hook(this, input, out);
    return out;
  }

  /** Whether any forward hook is registered (containers only fuse modules that have none). */
  get hasForwardHooks(): boolean {
    return this.#forwardHooks.size > 0;
  }

  /** Runs fn(module, input, output) after every call(); returns a function that removes it. Diagnostics use this. */
  registerForwardHook(fn: ForwardHook): () => void {
    this.#forwardHooks.add(fn);
    return () => { this.#forwardHooks.delete(fn); };
  }

  protected registerBuffer(name: string, t: Tensor): void {
    this.#buffers.set(name, t);
  }

  /** Drops a buffer (pruning's remove() bakes its mask in and deletes it). */
  protected removeBuffer(name: string): void {
    this.#buffers.delete(name);
  }

  buffer(name: string): Tensor {
    const b = this.#buffers.get(name);
    if (!b) throw new Error(`${this.constructor.name}: no buffer named '${name}'`);
    return b;
  }

  /** Direct submodules by field name (arrays of modules are named field.0, field.1, ...). */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) yield [k, v];
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) if (v[i] instanceof Module) yield [`${k}.${i}`, v[i]];
    }
  }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  /** Parameters with dotted PyTorch-style names (`0.weight`, `features.3.bias`); shared ones once. */
  *namedParameters(prefix = '', seen = new Set<Tensor>()): Generator<[string, Parameter]> {
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Parameter) {
        if (!seen.has(v)) { seen.add(v); yield [prefix + k, v]; }
      }
    }
    for (const [k, m] of this.namedChildren()) yield* m.namedParameters(`${prefix}${k}.`, seen);
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [k, b] of this.#buffers) yield [prefix + k, b];
    for (const [k, m] of this.namedChildren()) yield* m.namedBuffers(`${prefix}${k}.`);
  }

  /** Switches this module and all submodules to training (or evaluation) behaviour. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the parameters' gradients, as optimizer.zeroGrad does (`{ setToNone: false }` zeroes them in place). */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const toNone = zeroGradSetToNone(opts, 'module.zeroGrad');
    for (const p of this.parameters()) clearGrad(p, toNone);
  }

  /** Number of parameter elements (only trainable ones when asked). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters().filter((p) => !opts.trainableOnly || p.requiresGrad).reduce((n, p) => n + p.size, 0);
  }

  /** Stops gradients for parameters whose name starts with one of the prefixes (all when none given). */
  freeze(...prefixes: string[]): this {
    return this.setRequiresGrad(false, prefixes);
  }

  unfreeze(...prefixes: string[]): this {
    return this.setRequiresGrad(true, prefixes);
  }

  private setRequiresGrad(on: boolean, prefixes: string[]): this {
    let matched = 0;
    for (const [name, p] of this.namedParameters()) {
      if (prefixes.length === 0 || prefixes.some((pre) => name === pre || name.startsWith(pre.endsWith('.') ? pre : `${pre}.`))) {
        p.requiresGrad = on;
        if (!on) p.grad = null;
        matched++;
      }
    }
    if (prefixes.length > 0 && matched === 0) {
      const names = [...this.namedParameters()].map(([n]) => n).join(', ');
      throw new Error(`${on ? 'unfreeze' : 'freeze'}: no parameter matches ${prefixes.join(', ')}; parameters are: ${names}`);
    }
    return this;
  }

  /**
   * Parameters and buffers by name; the tensors are shared, not copied. Keys are in PyTorch's
   * state_dict order: module by module (pre-order), each module's own parameters and then its
   * own buffers, e.g. 0.weight, 0.bias, 1.weight, 1.bias, 1.running_mean, ..., 4.weight.
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const pre = prefix ? `${prefix}.` : '';
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) { seen.add(v); sd[pre + k] = v; }
      }
      for (const [k, b] of m.#buffers) sd[pre + k] = b;
    }
    return sd;
  }

  /**
   * Copies values from a state dict into this module's tensors. Strict by default: missing or
   * unexpected keys and shape mismatches are errors that list them.
   */
  loadStateDict(sd: StateDict, opts: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    const mismatched = Object.keys(own)
      .filter((k) => k in sd && (sd[k].shape.length !== own[k].shape.length || sd[k].shape.some((d, i) => d !== own[k].shape[i])))
      .map((k) => `${k}: checkpoint ${formatShape(sd[k].shape)} vs model ${formatShape(own[k].shape)}`);
    if (mismatched.length) throw new Error(`loadStateDict: shape mismatch for ${mismatched.join('; ')}`);
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(
        'loadStateDict: the state dict does not match the model' +
        (missing.length ? `; missing keys: ${missing.join(', ')}` : '') +
        (unexpected.length ? `; unexpected keys: ${unexpected.join(', ')}` : '') +
        '. Check that the architecture matches, or pass { strict: false }.',
      );
    }
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        if (!(k in sd)) continue;
        const src = sd[k];
        if (t.dtype === 'int32') for (let i = 0; i < t.size; i++) t.data[i] = Math.trunc(src.data[i]);
        else t.data.set(src.data);
      }
    });
    return { missing, unexpected };
  }

  /**
   * Exports this model to ONNX (evaluation mode): the bytes, or with a path first, a file (Node
   * only; resolves to its size). The exporter is loaded on first use: it imports the layer
   * classes, which import this file, so a static import would be a cycle; loading it lazily also
   * keeps protobufjs out of programs that never export. The bytes form imports nothing from Node.
   *
   * @example
   * const bytes = await model.exportOnnx({ inputShape: [1, 784] });
   * await model.exportOnnx('model.onnx', { inputShape: [1, 1, 28, 28], opset: 17 });
   */
  async exportOnnx(opts: OnnxExportOptions): Promise<Uint8Array>;
  async exportOnnx(path: string, opts: OnnxExportOptions): Promise<number>;
  async exportOnnx(target: string | OnnxExportOptions, opts?: OnnxExportOptions): Promise<Uint8Array | number> {
    const { exportOnnx } = await import('../interop/onnx/export-model.js');
    if (typeof target !== 'string') return exportOnnx(this, target);
    if (!opts) throw new TypeError('exportOnnx(path, opts): opts with inputShape is required');
    const bytes = exportOnnx(this, opts);
    // The file writer is Node-only; its specifier is a variable so browser bundles leave it out.
    const nodeWriter = '../interop/onnx/write-file.js';
    let write: (path: string, bytes: Uint8Array) => void;
    try {
      ({ writeBytes: write } = await import(nodeWriter) as { writeBytes: typeof write });
    } catch {
      throw new Error('exportOnnx(path): writing a file needs Node; in a browser call exportOnnx(opts) and save the returned bytes');
    }
    write(target, bytes);
    return bytes.length;
  }

  /** Calls fn on every module (for custom initialization), children first like torch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const [, m] of this.namedChildren()) m.apply(fn);
    fn(this);
    return this;
  }

  /** Extra text shown in the printed summary, e.g. `in=784, out=256`. */
  protected describe(): string {
    return '';
  }

  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.describe()}`;
    if (!children.length) return `${head})`;
    const body = children.map(([k, m]) => `  (${k}): ${m.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
}
