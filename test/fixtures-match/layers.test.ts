import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import type { Module, StateDict } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { loadFixture, fx, fxInt, expectTensor, F32, type FxTensor, type Tol } from './fixture.js';

/**
 * Layer parity with torch.nn (1.13): each module is built from PyTorch's constructor arguments,
 * loaded with PyTorch's state_dict, run in the same mode on the same input, and compared on
 * the output, on the gradients of sum(output * upstream) w.r.t. the input and every parameter,
 * and (BatchNorm) on the running statistics after the forward.
 */

type Args = Record<string, any>;
interface LayerCase {
  name: string;
  module: string;
  args: Args;
  mode: 'train' | 'eval';
  input: FxTensor;
  state_dict: Record<string, FxTensor>;
  output: FxTensor;
  upstream: FxTensor;
  grad_input: FxTensor | null;
  grad_params: Record<string, FxTensor>;
  state_after?: Record<string, FxTensor>;
}
const fixture = loadFixture<{ cases: LayerCase[] }>('layers.json');

/**
 * Takes the PyTorch kwargs one by one, so an argument we forget to translate fails the test.
 * Optional arguments are passed on only when the case sets them, so our own defaults are what
 * stand in for PyTorch's everywhere else (and are checked by the same comparison).
 */
class ArgReader {
  private readonly used = new Set<string>();
  constructor(private readonly args: Args, private readonly what: string) {}
  req<T = any>(k: string): T {
    this.used.add(k);
    if (!(k in this.args)) throw new Error(`${this.what}: missing required argument ${k}`);
    return this.args[k] as T;
  }
  /** {ours: value} when the torch argument is set (converted by f), else {}. */
  opt(k: string, ours: string, f: (v: any) => unknown = (v) => v): Record<string, unknown> {
    this.used.add(k);
    return k in this.args ? { [ours]: f(this.args[k]) } : {};
  }
  /** Positional optional argument: [value] when set, else [] (so the constructor's default applies). */
  pos(k: string): unknown[] {
    this.used.add(k);
    return k in this.args ? [this.args[k]] : [];
  }
  done(): void {
    const left = Object.keys(this.args).filter((k) => !this.used.has(k));
    assert.deepEqual(left, [], `${this.what}: PyTorch arguments not translated: ${left.join(', ')}`);
  }
}

const pairOf = (v: number | number[]): number | [number, number] => (Array.isArray(v) ? [v[0], v[1]] : v);

/** torch.nn.<module>(**args) -> our equivalent layer. */
function build(c: LayerCase): Module {
  const a = new ArgReader(c.args, c.name);
  const N = nn as unknown as Record<string, new (...args: any[]) => Module>;
  let m: Module;
  switch (c.module) {
    case 'Linear':
      m = new nn.Linear(a.req('in_features'), a.req('out_features'), { ...a.opt('bias', 'bias') });
      break;
    case 'Conv2d':
      m = new nn.Conv2d(a.req('in_channels'), a.req('out_channels'), pairOf(a.req('kernel_size')), {
        ...a.opt('stride', 'stride', pairOf), ...a.opt('padding', 'padding', pairOf), ...a.opt('dilation', 'dilation', pairOf),
        ...a.opt('groups', 'groups'), ...a.opt('bias', 'bias'),
      });
      break;
    case 'MaxPool2d':
      m = new nn.MaxPool2d(pairOf(a.req('kernel_size')), { ...a.opt('stride', 'stride', pairOf), ...a.opt('padding', 'padding', pairOf) });
      break;
    case 'AvgPool2d':
      m = new nn.AvgPool2d(pairOf(a.req('kernel_size')), {
        ...a.opt('stride', 'stride', pairOf), ...a.opt('padding', 'padding', pairOf), ...a.opt('count_include_pad', 'countIncludePad'),
      });
      break;
    case 'AdaptiveAvgPool2d': m = new nn.AdaptiveAvgPool2d(pairOf(a.req('output_size'))); break;
    case 'BatchNorm1d': m = new nn.BatchNorm1d(a.req('num_features')); break;
    case 'BatchNorm2d': m = new nn.BatchNorm2d(a.req('num_features')); break;
    case 'LayerNorm': m = new nn.LayerNorm(a.req('normalized_shape')); break;
    case 'GroupNorm': m = new nn.GroupNorm(a.req('num_groups'), a.req('num_channels')); break;
    case 'InstanceNorm2d': m = new nn.InstanceNorm2d(a.req('num_features'), { ...a.opt('affine', 'affine') }); break;
    case 'Embedding': m = new nn.Embedding(a.req('num_embeddings'), a.req('embedding_dim')); break;
    case 'LeakyReLU': m = new nn.LeakyReLU(...(a.pos('negative_slope') as [number?])); break;
    case 'ELU': m = new nn.ELU(...(a.pos('alpha') as [number?])); break;
    case 'GELU': m = new nn.GELU(...(a.pos('approximate') as ['none' | 'tanh' | undefined])); break;
    case 'Softmax': m = new nn.Softmax(a.req('dim')); break;
    case 'LogSoftmax': m = new nn.LogSoftmax(a.req('dim')); break;
    case 'Flatten': m = new nn.Flatten(...(a.pos('start_dim') as [number?]), ...(a.pos('end_dim') as [number?])); break;
    case 'ReLU': case 'SiLU': case 'Sigmoid': case 'Tanh': case 'Softplus':
      m = new N[c.module]();
      break;
    default: throw new Error(`no translation for torch.nn.${c.module}`);
  }
  a.done();
  return m;
}

/**
 * Float32 precision everywhere (atol 1e-6, rtol 1e-5): outputs, input and parameter gradients
 * and running statistics all agree with PyTorch to a few ulps on both backends, including the
 * normalization layers' cancellation-prone input gradients and the conv/linear weight gradients.
 */
const TOL: Tol = F32;

function stateDictOf(c: LayerCase): StateDict {
  const sd: StateDict = {};
  for (const [k, v] of Object.entries(c.state_dict)) sd[k] = k === 'num_batches_tracked' ? fxInt(v) : fx(v);
  return sd;
}

for (const c of fixture.cases) {
  test(`${c.name}: torch.nn.${c.module}(${JSON.stringify(c.args)}) in ${c.mode} mode: output, grads${c.state_after ? ', running stats' : ''}`, () => {
    const m = build(c);
    // Our state dict has exactly PyTorch's keys, and loads PyTorch's values strictly.
    assert.deepEqual(Object.keys(m.stateDict()).sort(), Object.keys(c.state_dict).sort(), `${c.name}: state_dict keys`);
    m.loadStateDict(stateDictOf(c));
    m.train(c.mode === 'train');

    const floatInput = c.grad_input !== null;
    const x: Tensor = floatInput ? fx(c.input).requiresGrad_() : fxInt(c.input);
    const y = m.call(x);
    expectTensor(y, c.output, TOL, `${c.name}: output`);

    y.mul(fx(c.upstream)).sum().backward();
    if (floatInput) expectTensor(x.grad, c.grad_input!, TOL, `${c.name}: grad_input`);
    const params = Object.fromEntries(m.namedParameters());
    assert.deepEqual(Object.keys(params).sort(), Object.keys(c.grad_params).sort(), `${c.name}: parameter names`);
    for (const [k, g] of Object.entries(c.grad_params)) expectTensor(params[k].grad, g, TOL, `${c.name}: grad of ${k}`);

    if (c.state_after) {
      const sd = m.stateDict();
      for (const [k, v] of Object.entries(c.state_after)) {
        if (k === 'num_batches_tracked') {
          assert.equal(sd[k].dtype, 'int32', `${c.name}: ${k} is an integer buffer`);
          assert.deepEqual([...sd[k].shape], v.shape, `${c.name}: ${k} shape`);
          assert.deepEqual(Array.from(sd[k].data), v.data, `${c.name}: ${k}`);
        } else {
          expectTensor(sd[k], v, TOL, `${c.name}: ${k} after forward`);
        }
      }
    }
  });
}
