// Every differentiable op's gradient rule agrees with central finite differences (float32,
// gradcheck's defaults: eps 1e-3, atol 1e-3, rtol 1e-2). Inputs stay away from kinks (relu and
// abs at 0, ties of max/min/maximum, clamp bounds, huber's delta) where the derivative jumps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { Tensor, tensor, cat, stack, where, gradcheck, enableGrad, autograd, F } from '../../src/core.js';
import { GradcheckError, type GradcheckOptions } from '../../src/autograd/gradcheck.js';
import { record } from '../../src/autograd/record.js';
import * as ew from '../../src/ops/elementwise.js';
import { conv2dRelu, conv2dReluMaxPool } from '../../src/ops/conv-fused.js';
import { linearRelu } from '../../src/ops/matmul.js';
import { randomArray, testRandom } from '../helpers.js';

await selectBackend();

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Uniform in [lo, hi), requiring grad. */
function leaf(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  return tensor(randomArray(numel(shape), seed, lo, hi), shape, { requiresGrad: true });
}

/** Values with |x| >= min, so relu/abs/leakyRelu/elu are evaluated away from their kink at 0. */
function awayFromZero(shape: number[], seed: number, min = 0.2): Tensor {
  const r = randomArray(numel(shape), seed);
  return tensor(r.map((v) => Math.sign(v || 1) * (min + Math.abs(v) * (1 - min))), shape, { requiresGrad: true });
}

/** Distinct values at least 0.1 apart (shuffled), so max/min/argmax and pooling have no near-ties. */
function distinct(shape: number[], seed: number): Tensor {
  const n = numel(shape);
  const order = Array.from({ length: n }, (_, i) => i);
  const r = testRandom(seed);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  return tensor(order.map((k) => 0.1 * (k - n / 2) + 0.037), shape, { requiresGrad: true });
}

const int = (values: number[], shape?: number[]): Tensor => tensor(values, shape ?? [values.length], { dtype: 'int32' });
const constant = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => tensor(randomArray(numel(shape), seed, lo, hi), shape);

interface Case { name: string; fn: (...xs: Tensor[]) => Tensor; inputs: () => Tensor[]; opts?: GradcheckOptions }

function suite(title: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${title}: ${c.name}`, () => {
      const worst = gradcheck(c.fn, c.inputs(), c.opts);
      assert.ok(Number.isFinite(worst), `gradcheck returned ${worst}`);
    });
  }
}

test('gradcheck itself rejects a wrong gradient rule and names the element', () => {
  // y = x^2 with a gradient rule that forgets the factor 2.
  const wrongSquare = (x: Tensor): Tensor => record(ew.unaryRaw('square', x), 'wrongSquare', [x], (g) => [g.mul(x)]);
  assert.throws(() => gradcheck(wrongSquare, [leaf([4], 1, 0.5, 1)]), (e: unknown) => {
    assert.ok(e instanceof GradcheckError);
    assert.match(e.message, /input 0 \(shape \(4\)\) element \d+: autograd gives .* finite differences give/);
    return true;
  });
  assert.throws(() => gradcheck((x) => x.mul(2), [constant([3], 2)]), /no input requires grad/);
});

suite('binary', [
  { name: 'add', fn: (a, b) => a.add(b), inputs: () => [leaf([3, 4], 1), leaf([3, 4], 2)] },
  { name: 'sub', fn: (a, b) => a.sub(b), inputs: () => [leaf([3, 4], 3), leaf([3, 4], 4)] },
  { name: 'mul', fn: (a, b) => a.mul(b), inputs: () => [leaf([3, 4], 5), leaf([3, 4], 6)] },
  { name: 'div', fn: (a, b) => a.div(b), inputs: () => [leaf([3, 4], 7), leaf([3, 4], 8, 0.5, 2)] },
  { name: 'pow (tensor base and exponent)', fn: (a, b) => a.pow(b), inputs: () => [leaf([3, 4], 9, 0.5, 2), leaf([3, 4], 10, -1.5, 1.5)] },
  { name: 'add/sub/mul/div with a scalar', fn: (a) => a.add(2).sub(0.5).mul(-3).div(4), inputs: () => [leaf([5], 11)] },
  { name: 'pow with scalar exponent 3', fn: (a) => a.pow(3), inputs: () => [leaf([5], 12)] },
  { name: 'pow with scalar exponent 0.5', fn: (a) => a.pow(0.5), inputs: () => [leaf([5], 13, 0.5, 2)] },
  { name: 'pow with scalar exponent -2', fn: (a) => a.pow(-2), inputs: () => [leaf([5], 14, 0.5, 2)] },
  { name: 'scalar-first: 2 / x', fn: (a) => ew.div(2, a), inputs: () => [leaf([5], 15, 0.5, 2)] },
  { name: 'scalar-first: 2 - x, 2 + x, 2 * x', fn: (a) => ew.sub(2, a).mul(ew.add(2, a)).add(ew.mul(2, a)), inputs: () => [leaf([5], 16)] },
  { name: 'scalar-first: 2 ** x', fn: (a) => ew.pow(2, a), inputs: () => [leaf([5], 17)] },
  {
    name: 'maximum (no ties)', fn: (a, b) => a.maximum(b),
    inputs: () => { const a = leaf([6], 18); const off = awayFromZero([6], 19, 0.1); return [a, a.detach().add(off.detach()).requiresGrad_()]; },
  },
  {
    name: 'minimum (no ties)', fn: (a, b) => a.minimum(b),
    inputs: () => { const a = leaf([6], 20); const off = awayFromZero([6], 21, 0.1); return [a, a.detach().add(off.detach()).requiresGrad_()]; },
  },
  { name: 'maximum with a scalar', fn: (a) => a.maximum(0.05), inputs: () => [awayFromZero([6], 22, 0.2)] },
]);

suite('broadcasting', [
  { name: '(3,4) + (4)', fn: (a, b) => a.add(b), inputs: () => [leaf([3, 4], 30), leaf([4], 31)] },
  { name: '(3,1) * (1,4)', fn: (a, b) => a.mul(b), inputs: () => [leaf([3, 1], 32), leaf([1, 4], 33)] },
  { name: '(2,3,4) / (3,1)', fn: (a, b) => a.div(b), inputs: () => [leaf([2, 3, 4], 34), leaf([3, 1], 35, 0.5, 2)] },
  { name: '(2,1,4) - (3,1)', fn: (a, b) => a.sub(b), inputs: () => [leaf([2, 1, 4], 36), leaf([3, 1], 37)] },
  { name: '(3,4) * scalar-shaped (1)', fn: (a, b) => a.mul(b), inputs: () => [leaf([3, 4], 38), leaf([1], 39)] },
  { name: 'pow (2,3) ** (3)', fn: (a, b) => a.pow(b), inputs: () => [leaf([2, 3], 40, 0.5, 2), leaf([3], 41)] },
]);

suite('unary', [
  { name: 'neg', fn: (a) => a.neg(), inputs: () => [leaf([6], 50)] },
  { name: 'exp', fn: (a) => a.exp(), inputs: () => [leaf([6], 51)] },
  { name: 'log', fn: (a) => a.log(), inputs: () => [leaf([6], 52, 0.5, 2)] },
  { name: 'log1p', fn: (a) => a.log1p(), inputs: () => [leaf([6], 53, -0.5, 2)] },
  { name: 'expm1', fn: (a) => a.expm1(), inputs: () => [leaf([6], 54)] },
  { name: 'sqrt', fn: (a) => a.sqrt(), inputs: () => [leaf([6], 55, 0.5, 2)] },
  { name: 'rsqrt', fn: (a) => a.rsqrt(), inputs: () => [leaf([6], 56, 0.5, 2)] },
  { name: 'abs (away from 0)', fn: (a) => a.abs(), inputs: () => [awayFromZero([6], 57)] },
  { name: 'sin', fn: (a) => a.sin(), inputs: () => [leaf([6], 58, -3, 3)] },
  { name: 'cos', fn: (a) => a.cos(), inputs: () => [leaf([6], 59, -3, 3)] },
  { name: 'square', fn: (a) => a.square(), inputs: () => [leaf([6], 60)] },
  { name: 'reciprocal', fn: (a) => a.reciprocal(), inputs: () => [awayFromZero([6], 61, 0.5)] },
  { name: 'erf', fn: (a) => a.erf(), inputs: () => [leaf([6], 62, -2, 2)] },
  {
    // Bounds at +-0.5; inputs stay 0.05 or more away from them.
    name: 'clamp (both bounds, one bound)', fn: (a) => a.clamp(-0.5, 0.5).add(a.clamp(null, 0.5)).add(a.clamp(-0.5, null)),
    inputs: () => [tensor([-0.9, -0.55, -0.2, 0.1, 0.45, 0.7, 1.3], { requiresGrad: true })],
  },
  {
    name: 'where (both branches, broadcast condition)', fn: (a, b) => where(tensor([[1], [0], [1]]), a, b),
    inputs: () => [leaf([3, 4], 63), leaf([4], 64)],
  },
  { name: 'where with a scalar branch', fn: (a) => where(a.detach().gt(0), a.square(), 0.5), inputs: () => [awayFromZero([6], 65, 0.1)] },
]);

suite('reductions', [
  { name: 'sum (all)', fn: (a) => a.sum(), inputs: () => [leaf([2, 3, 4], 70)] },
  { name: 'sum dim 1', fn: (a) => a.sum(1), inputs: () => [leaf([2, 3, 4], 71)] },
  { name: 'sum dims [0, 2] keepdim', fn: (a) => a.sum([0, 2], true), inputs: () => [leaf([2, 3, 4], 72)] },
  { name: 'mean (all)', fn: (a) => a.mean(), inputs: () => [leaf([2, 3, 4], 73)] },
  { name: 'mean dim -1 keepdim', fn: (a) => a.mean(-1, true), inputs: () => [leaf([2, 3, 4], 74)] },
  { name: 'var (all, correction 1)', fn: (a) => a.var(), inputs: () => [leaf([3, 4], 75)] },
  { name: 'var dim 1, correction 0, keepdim', fn: (a) => a.var(1, true, 0), inputs: () => [leaf([3, 4], 76)] },
  { name: 'std dim 0', fn: (a) => a.std(0), inputs: () => [leaf([4, 3], 77)] },
  { name: 'std dims [1, 2]', fn: (a) => a.std([1, 2]), inputs: () => [leaf([2, 3, 4], 78)] },
  { name: 'logsumexp dim 1', fn: (a) => a.logsumexp(1), inputs: () => [leaf([3, 5], 79, -3, 3)] },
  { name: 'logsumexp dims [0, 2] keepdim', fn: (a) => a.logsumexp([0, 2], true), inputs: () => [leaf([2, 3, 4], 80, -3, 3)] },
  { name: 'max (all)', fn: (a) => a.max(), inputs: () => [distinct([3, 4], 81)] },
  { name: 'max dim 1', fn: (a) => a.max(1), inputs: () => [distinct([3, 4], 82)] },
  { name: 'max dim 0 keepdim', fn: (a) => a.max(0, true), inputs: () => [distinct([2, 3, 4], 83)] },
  { name: 'min (all)', fn: (a) => a.min(), inputs: () => [distinct([3, 4], 84)] },
  { name: 'min dim -1 keepdim', fn: (a) => a.min(-1, true), inputs: () => [distinct([2, 3, 4], 85)] },
]);

suite('matmul and linear', [
  { name: '2-D (3,4) @ (4,5)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([3, 4], 90), leaf([4, 5], 91)] },
  { name: 'batched (2,3,4) @ (2,4,5)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 3, 4], 92), leaf([2, 4, 5], 93)] },
  { name: 'broadcast batch (2,1,3,4) @ (3,4,2)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 1, 3, 4], 94), leaf([3, 4, 2], 95)] },
  { name: 'batched @ 2-D (2,3,4) @ (4,2)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 3, 4], 96), leaf([4, 2], 97)] },
  { name: '1-D dot (4) @ (4)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([4], 98), leaf([4], 99)] },
  { name: '1-D @ 2-D (4) @ (4,3)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([4], 100), leaf([4, 3], 101)] },
  { name: '2-D @ 1-D (3,4) @ (4)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([3, 4], 102), leaf([4], 103)] },
  { name: '1-D @ batched (4) @ (2,4,3)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([4], 104), leaf([2, 4, 3], 105)] },
  { name: 'batched @ 1-D (2,3,4) @ (4)', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 3, 4], 106), leaf([4], 107)] },
  { name: 'linear with bias', fn: (x, w, b) => F.linear(x, w, b), inputs: () => [leaf([3, 4], 108), leaf([2, 4], 109), leaf([2], 110)] },
  { name: 'linear on a 3-D input, no bias', fn: (x, w) => F.linear(x, w), inputs: () => [leaf([2, 3, 4], 111), leaf([5, 4], 112)] },
  // The fused linear+relu that nn.Sequential uses; these seeds keep every pre-activation away from 0.
  { name: 'linear fused with relu, bias', fn: (x, w, b) => linearRelu(x, w, b), inputs: () => [leaf([3, 4], 113), leaf([2, 4], 114), leaf([2], 115)] },
  { name: 'linear fused with relu on a 3-D input, no bias', fn: (x, w) => linearRelu(x, w), inputs: () => [leaf([2, 3, 4], 116), leaf([5, 4], 117)] },
]);

suite('shape', [
  { name: 'reshape with -1', fn: (a) => a.reshape(4, -1).mul(constant([4, 6], 120)), inputs: () => [leaf([2, 3, 4], 121)] },
  { name: 'permute', fn: (a) => a.permute(2, 0, 1), inputs: () => [leaf([2, 3, 4], 122)] },
  { name: 'transpose', fn: (a) => a.transpose(0, 2), inputs: () => [leaf([2, 3, 4], 123)] },
  { name: 't()', fn: (a) => a.t().matmul(constant([3, 2], 124)), inputs: () => [leaf([3, 4], 125)] },
  { name: 'squeeze(dim) and squeeze()', fn: (a) => a.squeeze(1).add(a.squeeze().sum(0)), inputs: () => [leaf([3, 1, 4], 126)] },
  { name: 'unsqueeze', fn: (a) => a.unsqueeze(1).mul(constant([3, 2, 4], 127)), inputs: () => [leaf([3, 4], 128)] },
  { name: 'flatten(1)', fn: (a) => a.flatten(1).mul(constant([2, 12], 129)), inputs: () => [leaf([2, 3, 4], 130)] },
  { name: 'expand (3,1) -> (2,3,4)', fn: (a) => a.expand(2, 3, 4).mul(constant([2, 3, 4], 131)), inputs: () => [leaf([3, 1], 132)] },
  { name: 'narrow', fn: (a) => a.narrow(1, 1, 2), inputs: () => [leaf([3, 4], 133)] },
  { name: 'slice with step 2', fn: (a) => a.slice(1, 0, 5, 2), inputs: () => [leaf([2, 5], 134)] },
  { name: 'slice with negative start', fn: (a) => a.slice(0, -2), inputs: () => [leaf([4, 3], 135)] },
  { name: 'select', fn: (a) => a.select(1, 2).mul(a.select(0, -1).sum()), inputs: () => [leaf([3, 4], 136)] },
  { name: 'indexSelect with repeated indices', fn: (a) => a.indexSelect(0, [2, 0, 2, 1]), inputs: () => [leaf([3, 4], 137)] },
  { name: 'indexSelect along dim 1 with an int32 tensor', fn: (a) => a.indexSelect(1, int([3, 3, 0])), inputs: () => [leaf([2, 4], 138)] },
  { name: 'gather with repeats', fn: (a) => a.gather(1, int([0, 0, 3, 2, 1, 1], [3, 2])), inputs: () => [leaf([3, 4], 139)] },
  { name: 'gather along dim 0', fn: (a) => a.gather(0, int([2, 0, 1, 1], [1, 4])), inputs: () => [leaf([3, 4], 140)] },
  { name: 'cat along dim 1', fn: (a, b, c) => cat([a, b, c], 1), inputs: () => [leaf([2, 1], 141), leaf([2, 3], 142), leaf([2, 2], 143)] },
  { name: 'cat along dim 0', fn: (a, b) => cat([a, b], 0), inputs: () => [leaf([1, 3], 144), leaf([2, 3], 145)] },
  { name: 'stack along dim 1', fn: (a, b) => stack([a, b], 1), inputs: () => [leaf([2, 3], 146), leaf([2, 3], 147)] },
  {
    name: 'split into sections', fn: (a) => { const [p, q, r] = a.split([1, 2, 1], 1); return cat([r.mul(3), p.mul(-1), q.mul(2)], 1); },
    inputs: () => [leaf([3, 4], 148)],
  },
  { name: 'split by size', fn: (a) => { const ps = a.split(2, 0); return ps[0].sum(0).mul(ps[2].sum(0)).add(ps[1].sum(0)); }, inputs: () => [leaf([5, 3], 149)] },
  { name: 'chunk', fn: (a) => { const [p, q] = a.chunk(2, 1); return p.mul(q); }, inputs: () => [leaf([3, 4], 150)] },
  { name: 'clone', fn: (a) => a.clone().mul(a), inputs: () => [leaf([4], 151)] },
]);

suite('activations', [
  { name: 'relu (away from 0)', fn: (a) => F.relu(a), inputs: () => [awayFromZero([8], 160)] },
  { name: 'leakyRelu (slope 0.1)', fn: (a) => F.leakyRelu(a, 0.1), inputs: () => [awayFromZero([8], 161)] },
  { name: 'elu (alpha 1.5)', fn: (a) => F.elu(a, 1.5), inputs: () => [awayFromZero([8], 162)] },
  // With alpha 1 ELU is continuously differentiable, so its gradient at exactly 0 is 1 (torch agrees).
  { name: 'elu (alpha 1) at and around 0', fn: (a) => F.elu(a), inputs: () => [tensor([-1.2, -0.3, 0, 0.4], { requiresGrad: true })] },
  { name: 'gelu (exact)', fn: (a) => F.gelu(a), inputs: () => [leaf([8], 163, -3, 3)] },
  { name: 'gelu (tanh approximation)', fn: (a) => F.gelu(a, 'tanh'), inputs: () => [leaf([8], 164, -3, 3)] },
  { name: 'silu', fn: (a) => F.silu(a), inputs: () => [leaf([8], 165, -3, 3)] },
  { name: 'sigmoid', fn: (a) => F.sigmoid(a), inputs: () => [leaf([8], 166, -3, 3)] },
  { name: 'tanh', fn: (a) => F.tanh(a), inputs: () => [leaf([8], 167, -2, 2)] },
  { name: 'softplus (including at 0 and large |x|)', fn: (a) => F.softplus(a), inputs: () => [tensor([-30, -2, -0.5, 0, 0.3, 1.7, 25], { requiresGrad: true })] },
  { name: 'softmax dim -1', fn: (a) => F.softmax(a, -1), inputs: () => [leaf([3, 4], 168, -2, 2)] },
  { name: 'softmax dim 0', fn: (a) => F.softmax(a, 0), inputs: () => [leaf([3, 4], 169, -2, 2)] },
  { name: 'softmax dim 1 of 3-D', fn: (a) => F.softmax(a, 1), inputs: () => [leaf([2, 3, 4], 170, -2, 2)] },
  { name: 'logSoftmax dim -1', fn: (a) => F.logSoftmax(a, -1), inputs: () => [leaf([3, 4], 171, -2, 2)] },
  { name: 'logSoftmax dim 1 of 3-D', fn: (a) => F.logSoftmax(a, 1), inputs: () => [leaf([2, 3, 4], 172, -2, 2)] },
]);

suite('conv2d', [
  { name: 'plain, with bias', fn: (x, w, b) => F.conv2d(x, w, b), inputs: () => [leaf([2, 2, 5, 5], 180), leaf([3, 2, 3, 3], 181), leaf([3], 182)] },
  { name: 'stride 2, padding 1', fn: (x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 }), inputs: () => [leaf([1, 2, 5, 5], 183), leaf([2, 2, 3, 3], 184)] },
  { name: 'dilation 2', fn: (x, w) => F.conv2d(x, w, null, { dilation: 2 }), inputs: () => [leaf([1, 1, 6, 6], 185), leaf([2, 1, 3, 3], 186)] },
  {
    name: 'groups 2, asymmetric stride and padding, bias', fn: (x, w, b) => F.conv2d(x, w, b, { groups: 2, stride: [1, 2], padding: [0, 1] }),
    inputs: () => [leaf([1, 4, 4, 5], 187), leaf([4, 2, 2, 3], 188), leaf([4], 189)],
  },
  { name: '1x1 kernel', fn: (x, w) => F.conv2d(x, w), inputs: () => [leaf([2, 3, 2, 2], 190), leaf([2, 3, 1, 1], 191)] },
  // The fused conv+relu that nn.Sequential uses; these seeds keep every pre-activation away from 0.
  { name: 'fused with relu, bias', fn: (x, w, b) => conv2dRelu(x, w, b, { padding: 1 }), inputs: () => [leaf([1, 2, 4, 4], 192), leaf([3, 2, 3, 3], 193), leaf([3], 194)] },
  { name: 'fused with relu, no bias, stride 2', fn: (x, w) => conv2dRelu(x, w, null, { stride: 2 }), inputs: () => [leaf([2, 1, 5, 5], 195), leaf([2, 1, 3, 3], 196)] },
  { name: 'fused with relu and 2x2 max-pool, bias', fn: (x, w, b) => conv2dReluMaxPool(x, w, b, { padding: 1 }, 2), inputs: () => [leaf([1, 2, 4, 4], 197), leaf([3, 2, 3, 3], 198), leaf([3], 199)] },
]);

suite('pooling', [
  { name: 'maxPool2d 2x2', fn: (x) => F.maxPool2d(x, 2), inputs: () => [distinct([1, 2, 4, 4], 200)] },
  { name: 'maxPool2d 3x3 stride 2 padding 1 (overlapping)', fn: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), inputs: () => [distinct([2, 1, 5, 5], 201)] },
  { name: 'avgPool2d 2x2', fn: (x) => F.avgPool2d(x, 2), inputs: () => [leaf([1, 2, 4, 4], 202)] },
  { name: 'avgPool2d 3x3 stride 2 padding 1, countIncludePad', fn: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: true }), inputs: () => [leaf([1, 2, 5, 5], 203)] },
  { name: 'avgPool2d 3x3 stride 2 padding 1, not countIncludePad', fn: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), inputs: () => [leaf([1, 2, 5, 5], 204)] },
  { name: 'adaptiveAvgPool2d divisible 6x6 -> 3x2', fn: (x) => F.adaptiveAvgPool2d(x, [3, 2]), inputs: () => [leaf([2, 2, 6, 6], 205)] },
  { name: 'adaptiveAvgPool2d non-divisible 5x7 -> 3x4', fn: (x) => F.adaptiveAvgPool2d(x, [3, 4]), inputs: () => [leaf([1, 2, 5, 7], 206)] },
  { name: 'adaptiveAvgPool2d to 1x1 (global)', fn: (x) => F.adaptiveAvgPool2d(x, 1), inputs: () => [leaf([2, 3, 3, 3], 207)] },
]);

suite('losses', [
  { name: 'crossEntropy', fn: (x) => F.crossEntropy(x, int([0, 3, 2, 3])), inputs: () => [leaf([4, 5], 210, -2, 2)] },
  { name: 'crossEntropy reduction sum', fn: (x) => F.crossEntropy(x, int([1, 0, 4]), { reduction: 'sum' }), inputs: () => [leaf([3, 5], 211, -2, 2)] },
  { name: 'crossEntropy labelSmoothing 0.1', fn: (x) => F.crossEntropy(x, int([0, 3, 2, 3]), { labelSmoothing: 0.1 }), inputs: () => [leaf([4, 5], 212, -2, 2)] },
  { name: 'crossEntropy (N, C, H, W)', fn: (x) => F.crossEntropy(x, int([0, 2, 1, 1, 2, 0, 0, 1], [2, 2, 2])), inputs: () => [leaf([2, 3, 2, 2], 213, -2, 2)] },
  { name: 'nllLoss of logSoftmax', fn: (x) => F.nllLoss(F.logSoftmax(x, 1), int([2, 0, 1])), inputs: () => [leaf([3, 4], 214, -2, 2)] },
  { name: 'nllLoss reduction none', fn: (x) => F.nllLoss(x, int([2, 0, 1]), { reduction: 'none' }), inputs: () => [leaf([3, 4], 215)] },
  { name: 'mseLoss (both arguments)', fn: (a, b) => F.mseLoss(a, b), inputs: () => [leaf([3, 4], 216), leaf([3, 4], 217)] },
  {
    name: 'l1Loss (no zero differences)', fn: (a, b) => F.l1Loss(a, b),
    inputs: () => { const a = leaf([3, 4], 218); return [a, a.detach().add(awayFromZero([3, 4], 219, 0.1).detach()).requiresGrad_()]; },
  },
  {
    // Differences on both sides of delta = 1 and away from it.
    name: 'huberLoss (delta 1)', fn: (a, b) => F.huberLoss(a, b),
    inputs: () => [tensor([0.1, -0.4, 2.5, -3, 0.7, 1.8], { requiresGrad: true }), tensor([0, 0.2, 0.1, 0, -0.1, 0.3], { requiresGrad: true })],
  },
  {
    name: 'huberLoss (delta 0.5, sum)', fn: (a) => F.huberLoss(a, tensor([0, 0, 0, 0]), { delta: 0.5, reduction: 'sum' }),
    inputs: () => [tensor([0.2, -0.3, 0.9, -1.4], { requiresGrad: true })],
  },
  {
    name: 'smoothL1Loss (beta 0.5)', fn: (a, b) => F.smoothL1Loss(a, b, { beta: 0.5 }),
    inputs: () => [tensor([0.1, -0.2, 1.5, -2, 0.35, 0.9], { requiresGrad: true }), tensor([0, 0, 0, 0.1, -0.05, 0], { requiresGrad: true })],
  },
  {
    name: 'binaryCrossEntropyWithLogits (including logit 0)', fn: (x) => F.binaryCrossEntropyWithLogits(x, tensor([1, 0, 1, 0.3, 0, 1])),
    inputs: () => [tensor([-2, -0.5, 0, 0, 1.5, 4], { requiresGrad: true })],
  },
  {
    name: 'binaryCrossEntropyWithLogits with posWeight tensor', fn: (x) => F.binaryCrossEntropyWithLogits(x, tensor([[1, 0, 1], [0, 1, 1]]), { posWeight: tensor([2, 0.5, 3]) }),
    inputs: () => [leaf([2, 3], 220, -3, 3)],
  },
  {
    name: 'binaryCrossEntropyWithLogits with posWeight number, gradient wrt target', fn: (x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: 2.5 }),
    inputs: () => [leaf([5], 221, -3, 3), leaf([5], 222, 0, 1)],
  },
]);

suite('normalization', [
  {
    name: 'batchNorm (N, C) training, affine, running stats', fn: (x, w, b) => F.batchNorm(x, tensor([0, 0, 0]), tensor([1, 1, 1]), w, b, { training: true }),
    inputs: () => [leaf([4, 3], 230, -2, 2), leaf([3], 231, 0.5, 1.5), leaf([3], 232)],
  },
  {
    name: 'batchNorm (N, C, H, W) training, no running stats', fn: (x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }),
    inputs: () => [leaf([2, 3, 2, 2], 233, -2, 2), leaf([3], 234, 0.5, 1.5), leaf([3], 235)],
  },
  { name: 'layerNorm over the last dim', fn: (x, w, b) => F.layerNorm(x, [4], w, b), inputs: () => [leaf([3, 4], 236, -2, 2), leaf([4], 237, 0.5, 1.5), leaf([4], 238)] },
  { name: 'layerNorm over the last two dims, no affine', fn: (x) => F.layerNorm(x, [3, 4], null, null), inputs: () => [leaf([2, 3, 4], 239, -2, 2)] },
  {
    name: 'groupNorm (2 groups of 2 channels)', fn: (x, w, b) => F.groupNorm(x, 2, w, b),
    inputs: () => [leaf([2, 4, 2, 2], 240, -2, 2), leaf([4], 241, 0.5, 1.5), leaf([4], 242)],
  },
  { name: 'instanceNorm', fn: (x, w, b) => F.instanceNorm(x, w, b), inputs: () => [leaf([2, 2, 3, 3], 243, -2, 2), leaf([2], 244, 0.5, 1.5), leaf([2], 245)] },
]);

/**
 * Gradient rules are written with differentiable ops, so each first derivative is itself
 * checked here: g(x) = <v, d<w, f(x)>/dx> for fixed random w and v. (gradcheck evaluates in
 * noGrad, so the inner derivative is taken under enableGrad.)
 */
function firstDerivative(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor {
  return (...xs) => enableGrad(() => {
    const y = f(...xs);
    const w = tensor(randomArray(y.size, 7), [...y.shape]);
    const grads = autograd.grad([y.mul(w).sum()], xs, { createGraph: true, allowUnused: true });
    let total: Tensor | null = null;
    grads.forEach((g, i) => {
      if (!g) return;
      const term = g.mul(tensor(randomArray(g.size, 100 + i), [...g.shape])).sum();
      total = total ? total.add(term) : term;
    });
    if (!total) throw new Error('no gradient reached the inputs');
    return total;
  });
}

suite('second order', [
  { name: 'tanh', fn: firstDerivative((x) => x.tanh()), inputs: () => [leaf([5], 300)] },
  { name: 'div', fn: firstDerivative((a, b) => a.div(b)), inputs: () => [leaf([5], 301), leaf([5], 302, 0.5, 2)] },
  { name: 'pow (tensor exponent)', fn: firstDerivative((a, b) => a.pow(b)), inputs: () => [leaf([5], 303, 0.5, 2), leaf([5], 304)] },
  { name: 'rsqrt', fn: firstDerivative((x) => x.rsqrt()), inputs: () => [leaf([5], 305, 0.5, 2)] },
  { name: 'erf and gelu', fn: firstDerivative((x) => F.gelu(x).add(x.erf())), inputs: () => [leaf([5], 306, -2, 2)] },
  { name: 'softmax dim 1', fn: firstDerivative((x) => F.softmax(x, 1)), inputs: () => [leaf([2, 4], 307)] },
  { name: 'logSoftmax dim 0', fn: firstDerivative((x) => F.logSoftmax(x, 0)), inputs: () => [leaf([3, 4], 308)] },
  { name: 'logsumexp', fn: firstDerivative((x) => x.logsumexp(1)), inputs: () => [leaf([2, 4], 309)] },
  { name: 'var', fn: firstDerivative((x) => x.var(1)), inputs: () => [leaf([2, 4], 310)] },
  { name: 'matmul with broadcast batch', fn: firstDerivative((a, b) => a.matmul(b)), inputs: () => [leaf([2, 2, 3], 311), leaf([3, 2], 312)] },
  {
    name: 'conv2d (stride, padding)', fn: firstDerivative((x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 })),
    inputs: () => [leaf([1, 2, 4, 4], 313), leaf([2, 2, 3, 3], 314)],
  },
  {
    name: 'conv2d (groups, dilation)', fn: firstDerivative((x, w) => F.conv2d(x, w, null, { groups: 2, dilation: 2 })),
    inputs: () => [leaf([1, 2, 5, 5], 315), leaf([2, 1, 2, 2], 316)],
  },
  { name: 'maxPool2d', fn: firstDerivative((x) => F.maxPool2d(x, 2).square()), inputs: () => [distinct([1, 1, 4, 4], 317)] },
  {
    name: 'avgPool2d (not countIncludePad)', fn: firstDerivative((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }).square()),
    inputs: () => [leaf([1, 1, 5, 5], 318)],
  },
  { name: 'adaptiveAvgPool2d (non-divisible)', fn: firstDerivative((x) => F.adaptiveAvgPool2d(x, [2, 3]).square()), inputs: () => [leaf([1, 1, 3, 5], 319)] },
  { name: 'gather and indexSelect', fn: firstDerivative((x) => x.gather(1, int([0, 0, 2, 1], [2, 2])).square().add(x.indexSelect(0, [1, 1, 0]).sum(0, true).square().sum())), inputs: () => [leaf([2, 3], 320)] },
  { name: 'max(dim)', fn: firstDerivative((x) => x.max(1).square()), inputs: () => [distinct([2, 3], 321)] },
  { name: 'layerNorm', fn: firstDerivative((x) => F.layerNorm(x, [4], null, null)), inputs: () => [leaf([2, 4], 322)] },
  { name: 'batchNorm (training)', fn: firstDerivative((x) => F.batchNorm(x, null, null, null, null, { training: true })), inputs: () => [leaf([4, 2], 323)] },
  { name: 'crossEntropy (labelSmoothing)', fn: firstDerivative((x) => F.crossEntropy(x, int([1, 0, 2]), { labelSmoothing: 0.1 })), inputs: () => [leaf([3, 3], 324)] },
  { name: 'binaryCrossEntropyWithLogits', fn: firstDerivative((x) => F.binaryCrossEntropyWithLogits(x, tensor([1, 0, 0.5]))), inputs: () => [leaf([3], 325)] },
  { name: 'softplus, elu, silu', fn: firstDerivative((x) => F.softplus(x).add(F.elu(x)).add(F.silu(x))), inputs: () => [awayFromZero([5], 326)] },
  { name: 'where, cat, permute, expand', fn: firstDerivative((a, b) => cat([where(a.detach().gt(0), a.square(), b.exp()), b.expand(2, 5).permute(1, 0).reshape(2, 5)], 0).square()), inputs: () => [awayFromZero([2, 5], 327), leaf([5], 328)] },
]);
