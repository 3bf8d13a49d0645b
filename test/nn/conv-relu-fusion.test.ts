// nn.Sequential runs a plain Conv2d followed by a plain ReLU as one fused op. It must be
// invisible: the same outputs, gradients and second derivatives, bit for bit, as the two
// separate ops (which run whenever a hook is attached); and it must not fire where it would
// change behaviour (hooks, subclasses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import * as nn from '../../src/nn/index.js';
import { Conv2d } from '../../src/nn/conv.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { autograd, type Tensor } from '../../src/core.js';

await selectBackend();

function model(bias: boolean): nn.Sequential {
  manualSeed(3);
  return nn.sequential(nn.conv2d(2, 4, 3, { padding: 1, bias }), nn.relu(), nn.maxPool2d(2), nn.flatten(), nn.linear(4 * 3 * 3, 3));
}

/** Output, parameter gradients and the input's gradient of sum(out^2), all flattened. */
function run(m: nn.Sequential, x: Tensor): number[][] {
  m.zeroGrad();
  const out = m.call(x);
  out.square().sum().backward();
  return [Array.from(out.f32), ...m.parameters().map((p) => Array.from(p.grad!.f32)), Array.from(x.grad!.f32)];
}

/** The op that made the input of the Flatten (index 3): which fusion ran. */
function opBeforeFlatten(m: nn.Sequential, x: Tensor): string {
  let op = '';
  const remove = m[3].registerForwardHook((_mod, input) => { op = (input as Tensor).gradFn!.op; });
  m.call(x);
  remove();
  return op;
}

for (const bias of [true, false]) {
  test(`Conv2d -> ReLU -> MaxPool2d fused in Sequential equals the separate ops exactly (bias ${bias})`, () => {
    const m = model(bias);
    const x = randn([2, 2, 6, 6]).requiresGrad_();
    assert.equal(opBeforeFlatten(m, x), 'conv2d+relu+maxPool2d');
    const fused = run(m, x);
    x.grad = null;
    const removePoolHook = m[2].registerForwardHook(() => {});  // conv+relu fused, pool separate
    assert.equal(opBeforeFlatten(m, x), 'maxPool2d');
    const pairFused = run(m, x);
    removePoolHook();
    x.grad = null;
    const removeReluHook = m[1].registerForwardHook(() => {});  // all separate
    const separate = run(m, x);
    removeReluHook();
    assert.equal(fused.length, separate.length);
    fused.forEach((a, i) => assert.deepEqual(a, separate[i], `tensor ${i}, triple fusion`));
    pairFused.forEach((a, i) => assert.deepEqual(a, separate[i], `tensor ${i}, conv+relu fusion`));
  });
}

test('second derivatives through the fused op match the separate ops', () => {
  const m = model(true);
  const x = randn([1, 2, 6, 6]).requiresGrad_();
  const secondOrder = (): number[] => {
    const [gx] = autograd.grad([m.call(x).square().sum()], [x], { createGraph: true });
    const [ggx] = autograd.grad([gx!.square().sum()], [x]);
    return Array.from(ggx!.f32);
  };
  const fused = secondOrder();
  const remove = m[0].registerForwardHook(() => {});
  const separate = secondOrder();
  remove();
  assert.deepEqual(fused, separate);
  assert.ok(fused.some((v) => v !== 0), 'the second derivative is not trivially zero');
});

test('hooks on the ReLU still see its input and output when present', () => {
  const m = model(true);
  let seen: { min: number } | null = null;
  m[1].registerForwardHook((_mod, input, output) => {
    seen = { min: Math.min(...(output as Tensor).f32) };
    assert.ok((input as Tensor).f32.some((v) => v < 0), 'the hook sees the pre-activation');
  });
  m.call(randn([1, 2, 6, 6]));
  assert.equal(seen!.min, 0);
});

test('a Conv2d subclass is not fused', () => {
  class Shifted extends Conv2d {
    override forward(x: Tensor): Tensor { return super.forward(x).add(-100); }
  }
  manualSeed(1);
  const m = nn.sequential(new Shifted(1, 2, 3), nn.relu());
  const out = m.call(randn([1, 1, 5, 5]));
  assert.ok(out.f32.every((v) => v === 0), 'its own forward ran (everything shifted below zero)');
});

test('conv+relu+2x2 max-pool in one op equals the separate ops on odd sizes, one image, groups and stride', async () => {
  const { conv2dReluMaxPool } = await import('../../src/ops/conv-fused.js');
  const { conv2d } = await import('../../src/ops/conv.js');
  const { maxPool2d } = await import('../../src/ops/pool.js');
  const cases: Array<{ x: number[]; w: number[]; opts: { padding?: number; stride?: number; groups?: number } }> = [
    { x: [1, 3, 7, 7], w: [5, 3, 3, 3], opts: { padding: 1 } },        // one image: threaded GEMMs; 7 -> 3 (floor)
    { x: [3, 4, 9, 8], w: [6, 2, 3, 3], opts: { groups: 2 } },         // 7x6 output -> 3x3
    { x: [4, 2, 11, 11], w: [3, 2, 3, 3], opts: { stride: 2, padding: 1 } },
    { x: [5, 8, 6, 6], w: [16, 8, 1, 1], opts: {} },                   // pointwise: no im2col
  ];
  manualSeed(11);
  for (const c of cases) {
    const x = randn(c.x), w = randn(c.w), b = randn([c.w[0]]);
    const fused = conv2dReluMaxPool(x, w, b, c.opts, 2);
    const separate = maxPool2d(conv2d(x, w, b, c.opts).relu(), 2);
    assert.deepEqual(fused.shape, separate.shape);
    assert.deepEqual(Array.from(fused.f32), Array.from(separate.f32), `${JSON.stringify(c)}`);
  }
});

test('the fused op\'s backward from the pooled gradient equals the separate ops: first layer (no input gradient), batch 5, odd sizes', () => {
  manualSeed(5);
  const m = nn.sequential(nn.conv2d(3, 6, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2), nn.flatten(), nn.linear(6 * 3 * 4, 2));
  const x = randn([5, 3, 7, 9]);  // a batch, not a parameter: no input gradient wanted
  const grads = (): number[][] => {
    m.zeroGrad();
    m.call(x).square().sum().backward();
    return m.parameters().map((p) => Array.from(p.grad!.f32));
  };
  assert.equal(opBeforeFlatten(m, x), 'conv2d+relu+maxPool2d');
  const fused = grads();
  const remove = m[1].registerForwardHook(() => {});  // all separate
  const separate = grads();
  remove();
  fused.forEach((a, i) => assert.deepEqual(a, separate[i], `parameter ${i}`));
});
