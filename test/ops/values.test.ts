// Forward values against numbers worked out by hand (or from the closed form), and the
// errors that ops raise on bad shapes and indices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { Tensor, tensor, zeros, arange, cat, stack, F, ShapeError, type NestedArray } from '../../src/core.js';
import { expectClose, randomArray } from '../helpers.js';

await selectBackend();

const int = (values: NestedArray): Tensor => tensor(values, { dtype: 'int32' });
const grid = (rows: number, cols: number, start = 1): Tensor => arange(start, start + rows * cols).float().reshape(1, 1, rows, cols);

// ---- softmax, logsumexp, cross-entropy ---------------------------------------------------

test('softmax rows sum to 1 and large logits do not overflow', () => {
  const p = F.softmax(tensor([[1000, 1001], [-1000, -1001], [0, 0]]), -1);
  // [1, 1+1] shifted: 1/(1+e) and e/(1+e)
  expectClose(p.toList(), [0.26894142, 0.73105858, 0.73105858, 0.26894142, 0.5, 0.5], 1e-6);
  const r = F.softmax(tensor(randomArray(3 * 5, 1, -10, 10), [3, 5]), 1);
  expectClose(r.sum(1).toList(), [1, 1, 1], 1e-6);
  assert.ok(r.f32.every((v) => v > 0 && v < 1));
  const c = F.softmax(tensor(randomArray(3 * 5, 2, -10, 10), [3, 5]), 0);
  expectClose(c.sum(0).toList(), [1, 1, 1, 1, 1], 1e-6);
});

test('logSoftmax is stable where log(softmax) is not', () => {
  const lp = F.logSoftmax(tensor([1000, 1001, 900]), 0);
  // log(1 + e) = 1.3132617; 900 sits 101 below the max
  expectClose(lp.toList(), [-1.3132617, -0.3132617, -101.3132617], 1e-4);
  assert.ok(lp.f32.every(Number.isFinite));
});

test('logsumexp: stable for large values, -inf when every term is -inf', () => {
  expectClose(tensor([1000, 1000]).logsumexp(0).toList(), [1000 + Math.LN2], 1e-4);
  expectClose(tensor([-1000, -1000]).logsumexp(0).toList(), [-1000 + Math.LN2], 1e-4);
  expectClose(tensor([1, 2, 3]).logsumexp(0).toList(), [3.40760596], 1e-6);
  assert.equal(tensor([-Infinity, -Infinity]).logsumexp(0).item(), -Infinity);
  assert.equal(tensor([-Infinity, 0]).logsumexp(0).item(), 0);
  const k = tensor([[0, 0], [1, 1]]).logsumexp(1, true);
  assert.deepEqual(k.shape, [2, 1]);
  expectClose(k.toList(), [Math.LN2, 1 + Math.LN2], 1e-6);
  // The gradient of logsumexp is softmax, and -inf terms get weight 0.
  const x = tensor([-Infinity, 0, Math.log(3)], { requiresGrad: true });
  x.logsumexp(0).backward();
  expectClose(x.grad!.toList(), [0, 0.25, 0.75], 1e-6);
});

test('crossEntropy equals the hand-computed value', () => {
  // Row 1: -log softmax([1, 2, 3])[2] = log(1 + e^-1 + e^-2) = 0.40760596. Row 2: log 3.
  const logits = tensor([[1, 2, 3], [0, 0, 0]]);
  const target = int([2, 0]);
  expectClose([F.crossEntropy(logits, target).item()], [(0.40760596 + Math.log(3)) / 2], 1e-6);
  expectClose([F.crossEntropy(logits, target, { reduction: 'sum' }).item()], [0.40760596 + Math.log(3)], 1e-6);
  expectClose(F.crossEntropy(logits, target, { reduction: 'none' }).toList(), [0.40760596, Math.log(3)], 1e-6);
  // Label smoothing 0.1: 0.9 * nll + 0.1 * mean over classes of -log p = 0.9*0.40760596 + 0.1*1.40760596
  expectClose(F.crossEntropy(logits.narrow(0, 0, 1), int([2]), { labelSmoothing: 0.1 }).toList(), [0.50760596], 1e-6);
  // nllLoss of logSoftmax is the same thing.
  expectClose([F.nllLoss(F.logSoftmax(logits, 1), target).item()], [(0.40760596 + Math.log(3)) / 2], 1e-6);
});

test('crossEntropy over (N, C, H, W) equals crossEntropy of the pixels as rows', () => {
  const logits = tensor(randomArray(2 * 3 * 2 * 2, 5, -2, 2), [2, 3, 2, 2]);
  const target = int([[[0, 2], [1, 1]], [[2, 0], [0, 1]]]);
  const perPixel = F.crossEntropy(logits, target, { reduction: 'none' });
  assert.deepEqual(perPixel.shape, [2, 2, 2]);
  const rows = F.crossEntropy(logits.permute(0, 2, 3, 1).reshape(-1, 3), target.reshape(-1), { reduction: 'none' });
  expectClose(perPixel.toList(), rows.toList(), 1e-6);
});

test('crossEntropy rejects targets that are not class indices, naming the fix', () => {
  const logits = zeros([2, 3]);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1])), /targets must be int32 class indices, got float32. Convert with .int\(\)/);
  assert.throws(() => F.crossEntropy(logits, int([0, 3])), /target 3 at position 1 is not a class index in \[0, 2\]; the model has 3 outputs/);
  assert.throws(() => F.crossEntropy(logits, int([0, 1, 2])), /input \(2, 3\) \(N, C, \.\.\.\) needs targets of shape \(2,\), got \(3,\)/);
  assert.throws(() => F.crossEntropy(zeros([3]), int([0])), /logits must be \(N, C, \.\.\.\), got \(3,\); for one sample use unsqueeze\(0\)/);
});

// ---- reductions ---------------------------------------------------------------------------

test('var and std with correction 1 (default, Bessel) and 0 (population)', () => {
  const x = tensor([1, 2, 3, 4]); // squared deviations sum to 5
  expectClose([x.var().item()], [5 / 3], 1e-6);
  expectClose([x.var(0, false, 0).item()], [1.25], 1e-6);
  expectClose([x.std().item()], [Math.sqrt(5 / 3)], 1e-6);
  expectClose([x.std(0, false, 0).item()], [Math.sqrt(1.25)], 1e-6);
  const m = tensor([[1, 2, 3, 4], [2, 2, 2, 2]]);
  expectClose(m.var(1, false, 0).toList(), [1.25, 0], 1e-6);
  expectClose(m.var(0).toList(), [0.5, 0, 0.5, 2], 1e-6);
  assert.deepEqual(m.std(1, true).shape, [2, 1]);
});

test('sum and mean over dims with and without keepdim', () => {
  const x = arange(24).float().reshape(2, 3, 4);
  assert.equal(x.sum().item(), 276);
  assert.deepEqual(x.sum(0).shape, [3, 4]);
  assert.deepEqual(x.sum([0, 2]).toList(), [60, 92, 124]);
  assert.deepEqual(x.sum([0, 2], true).shape, [1, 3, 1]);
  assert.deepEqual(x.mean(-1).toArray(), [[1.5, 5.5, 9.5], [13.5, 17.5, 21.5]]);
  assert.equal(x.mean().item(), 11.5);
});

test('argmax and argmin return the first index on ties', () => {
  const a = tensor([1, 3, 3, 2]).argmax();
  assert.equal(a.dtype, 'int32');
  assert.deepEqual(a.shape, []);
  assert.equal(a.item(), 1);
  assert.deepEqual(tensor([[0, 5, 5], [7, 7, 1]]).argmax(1).toList(), [1, 0]);
  assert.deepEqual(tensor([[2, 1, 1], [0, 0, 0]]).argmin(1).toList(), [1, 0]);
  assert.deepEqual(tensor([[4, 1], [4, 1]]).argmax(0, true).toArray(), [[0, 0]]);
});

test('max(dim) returns the values and sends the gradient to one element per row', () => {
  const x = tensor([[1, 5, 2], [7, 0, 7]], { requiresGrad: true });
  const m = x.max(1);
  assert.deepEqual(m.toList(), [5, 7]);
  m.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[0, 1, 0], [1, 0, 0]], 'the tie in row 2 sends everything to the first maximum');
  const y = tensor([3, 1, 3], { requiresGrad: true });
  assert.equal(y.max().item(), 3);
  y.max().backward();
  assert.deepEqual(y.grad!.toList(), [1, 0, 0]);
  assert.deepEqual(tensor([[1, 5], [0, -2]]).min(0, true).toArray(), [[0, -2]]);
  assert.throws(() => zeros([0]).max(), /cannot reduce an empty tensor/);
});

test('max and min of int32 tensors stay int32 (e.g. the number of classes from the labels)', () => {
  const labels = int([3, 0, 7, 2]);
  const m = labels.max();
  assert.equal(m.dtype, 'int32');
  assert.equal(m.item() + 1, 8);
  assert.equal(labels.min().item(), 0);
  assert.deepEqual(int([[1, 9], [4, 2]]).max(1).toList(), [9, 4]);
  assert.deepEqual(int([[1, 9], [4, 2]]).min(0, true).toArray(), [[1, 2]]);
});

// ---- matmul -----------------------------------------------------------------------------

test('matmul values', () => {
  assert.deepEqual(tensor([[1, 2], [3, 4]]).matmul(tensor([[5, 6], [7, 8]])).toArray(), [[19, 22], [43, 50]]);
  assert.equal(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])).item(), 32);
  assert.deepEqual(tensor([[1, 2, 3], [4, 5, 6]]).matmul(tensor([1, 0, -1])).toList(), [-2, -2]);
  assert.deepEqual(tensor([1, -1]).matmul(tensor([[1, 2, 3], [4, 5, 6]])).toList(), [-3, -3, -3]);
});

test('matmul result shapes follow torch.matmul', () => {
  const shape = (a: number[], b: number[]): readonly number[] => zeros(a).matmul(zeros(b)).shape;
  assert.deepEqual(shape([3], [3]), []);
  assert.deepEqual(shape([2, 3], [3]), [2]);
  assert.deepEqual(shape([3], [3, 4]), [4]);
  assert.deepEqual(shape([2, 3], [3, 4]), [2, 4]);
  assert.deepEqual(shape([5, 2, 3], [3, 4]), [5, 2, 4]);
  assert.deepEqual(shape([3], [5, 3, 4]), [5, 4]);
  assert.deepEqual(shape([5, 2, 3], [3]), [5, 2]);
  assert.deepEqual(shape([2, 1, 3, 4], [5, 4, 2]), [2, 5, 3, 2]);
});

test('batched matmul multiplies each batch element on its own', () => {
  const a = tensor([[[1, 0], [0, 1]], [[2, 0], [0, 3]]]);
  const b = tensor([[1, 2], [3, 4]]);
  assert.deepEqual(a.matmul(b).toArray(), [[[1, 2], [3, 4]], [[2, 4], [9, 12]]]);
});

test('matmul shape errors name both shapes and the mismatched sizes', () => {
  assert.throws(() => zeros([2, 3]).matmul(zeros([4, 5])), (e: unknown) => {
    assert.ok(e instanceof ShapeError);
    assert.equal(e.message, 'matmul: shapes (2, 3) and (4, 5) cannot be multiplied: the left operand has 3 columns but the right has 4 rows');
    return true;
  });
  assert.throws(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 1])), /matmul: shapes \(2,\) and \(3,\) cannot broadcast/);
  assert.throws(() => zeros([]).matmul(zeros([2])), /both operands need at least one dimension/);
  assert.throws(() => F.linear(zeros([4, 5]), zeros([3, 6])), /linear: input of shape \(4, 5\) has 5 features in its last dimension, but the weight \(3, 6\) expects 6/);
});

test('linear computes x W^T + b', () => {
  const y = F.linear(tensor([[1, 2]]), tensor([[1, 0], [0, 1], [1, 1]]), tensor([0.5, 0, -1]));
  assert.deepEqual(y.toArray(), [[1.5, 2, 2]]);
});

// ---- indexing and joining ---------------------------------------------------------------

test('gather and indexSelect pick the right elements', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.gather(1, int([[2, 0], [1, 1]])).toArray(), [[3, 1], [5, 5]]);
  assert.deepEqual(x.gather(0, int([[1, 0, 1]])).toArray(), [[4, 2, 6]]);
  assert.deepEqual(x.indexSelect(1, [2, 0]).toArray(), [[3, 1], [6, 4]]);
  assert.deepEqual(x.indexSelect(0, int([1, 1])).toArray(), [[4, 5, 6], [4, 5, 6]]);
  assert.deepEqual(x.select(1, -1).toList(), [3, 6]);
});

test('gather and indexSelect reject out-of-range and malformed indices', () => {
  const x = tensor([[1, 2, 3]]);
  assert.throws(() => x.gather(1, int([[0, 3]])), /gather: index 3 \(position 1\) is out of range for dimension 1 of size 3/);
  assert.throws(() => x.gather(1, int([[-1]])), /gather: index -1 \(position 0\) is out of range/);
  assert.throws(() => x.gather(1, int([[0], [0]])), /gather: index of shape \(2, 1\) must match input \(1, 3\) in every dimension except 1/);
  assert.throws(() => x.gather(1, tensor([[0]])), /gather: the index must be an int32 tensor, got float32 \(use .int\(\)\)/);
  assert.throws(() => x.indexSelect(0, [1]), /indexSelect: index 1 \(position 0\) is out of range for dimension 0 of size 1/);
  assert.throws(() => x.indexSelect(1, [0, 5]), /indexSelect: index 5 \(position 1\) is out of range for dimension 1 of size 3/);
});

test('cat, stack, split and chunk round-trip', () => {
  const x = tensor(randomArray(3 * 7, 3), [3, 7]);
  const parts = x.split([2, 4, 1], 1);
  assert.deepEqual(parts.map((p) => p.shape), [[3, 2], [3, 4], [3, 1]]);
  assert.deepEqual(cat(parts, 1).toList(), x.toList());
  const chunks = x.chunk(3, 1);
  assert.deepEqual(chunks.map((c) => c.shape[1]), [3, 3, 1], 'chunk sizes as torch: ceil(7/3) = 3');
  assert.deepEqual(cat(chunks, 1).toList(), x.toList());
  const bySize = x.split(2, 0);
  assert.deepEqual(bySize.map((p) => p.shape[0]), [2, 1]);
  assert.deepEqual(cat(bySize, 0).toList(), x.toList());
  const rows = [0, 1, 2].map((i) => x.select(0, i));
  const s = stack(rows, 0);
  assert.deepEqual(s.shape, [3, 7]);
  assert.deepEqual(s.toList(), x.toList());
  const cols = stack(rows, 1);
  assert.deepEqual(cols.shape, [7, 3]);
  assert.deepEqual(cols.toList(), x.t().toList());
  assert.deepEqual(cat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])], 0).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.throws(() => cat([zeros([2, 3]), zeros([2, 4])], 0), /cat: tensor 1 has shape \(2, 4\), which does not match \(2, 3\) outside dimension 0/);
  assert.throws(() => stack([zeros([2]), zeros([3])]), /cat: tensor 1 has shape \(1, 3\)/);
});

// ---- activations, losses, norms ---------------------------------------------------------

test('activation values match their closed forms', () => {
  const x = tensor([-2, -0.5, 0, 1, 3]);
  expectClose(F.relu(x).toList(), [0, 0, 0, 1, 3]);
  expectClose(F.leakyRelu(x).toList(), [-0.02, -0.005, 0, 1, 3]);
  expectClose(F.elu(x).toList(), [Math.expm1(-2), Math.expm1(-0.5), 0, 1, 3], 1e-6);
  expectClose(F.sigmoid(x).toList(), [-2, -0.5, 0, 1, 3].map((v) => 1 / (1 + Math.exp(-v))), 1e-6);
  expectClose(F.tanh(x).toList(), [-2, -0.5, 0, 1, 3].map(Math.tanh), 1e-6);
  expectClose(F.silu(x).toList(), [-2, -0.5, 0, 1, 3].map((v) => v / (1 + Math.exp(-v))), 1e-6);
  expectClose(F.gelu(tensor([1, -1])).toList(), [0.8413447, -0.1586553], 1e-6);
  expectClose(F.gelu(tensor([1, -1]), 'tanh').toList(), [0.8411920, -0.1588080], 1e-6);
  expectClose(F.softplus(tensor([0, 1, 100, -100])).toList(), [Math.LN2, Math.log1p(Math.E), 100, 0], 1e-6);
});

test('regression loss values', () => {
  const p = tensor([0.5, -1, 3]), t = tensor([0, 0, 0]);
  expectClose([F.mseLoss(p, t).item()], [(0.25 + 1 + 9) / 3], 1e-6);
  expectClose([F.l1Loss(p, t).item()], [4.5 / 3], 1e-6);
  // Huber (delta 1): 0.5*0.25, 1*(1 - 0.5), 1*(3 - 0.5)
  expectClose(F.huberLoss(p, t, { reduction: 'none' }).toList(), [0.125, 0.5, 2.5], 1e-6);
  // Smooth L1 (beta 2): 0.5*0.25/2, 0.5*1/2, 3 - 1
  expectClose(F.smoothL1Loss(p, t, { beta: 2, reduction: 'none' }).toList(), [0.0625, 0.25, 2], 1e-6);
  assert.throws(() => F.mseLoss(zeros([4, 1]), zeros([4])), /input \(4, 1\) and target \(4,\) must have the same shape/);
});

test('binaryCrossEntropyWithLogits values, with posWeight, and stable for large logits', () => {
  const bce = (x: number[], y: number[], posWeight?: number): number[] =>
    F.binaryCrossEntropyWithLogits(tensor(x), tensor(y), { reduction: 'none', posWeight }).toList();
  expectClose(bce([0, 2, -3], [1, 0, 1]), [Math.LN2, Math.log1p(Math.exp(2)), Math.log1p(Math.exp(3))], 1e-6);
  expectClose(bce([0, 2], [1, 0], 2), [2 * Math.LN2, Math.log1p(Math.exp(2))], 1e-6);
  expectClose(bce([100, -100], [0, 1]), [100, 100], 1e-4);
  expectClose(bce([0.3], [0.25]), [-(0.25 * Math.log(1 / (1 + Math.exp(-0.3))) + 0.75 * Math.log(1 - 1 / (1 + Math.exp(-0.3))))], 1e-6);
});

test('layerNorm and batchNorm normalize to zero mean, unit variance; batchNorm updates running stats', () => {
  const x = tensor([[1, 2, 3, 4]]);
  const s = Math.sqrt(1.25 + 1e-5);
  expectClose(F.layerNorm(x, [4], null, null).toList(), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-5);
  const rm = tensor([0, 10]), rv = tensor([1, 1]);
  const b = tensor([[1, 0], [2, 0], [3, 0], [4, 0]]);
  const y = F.batchNorm(b, rm, rv, tensor([2, 1]), tensor([0, 5]), { training: true });
  expectClose(y.toList(), [-3 / s, 5, -1 / s, 5, 1 / s, 5, 3 / s, 5], 1e-5);
  // running = 0.9 * running + 0.1 * batch stat (unbiased variance: 5/3 and 0)
  expectClose(rm.toList(), [0.25, 9], 1e-6);
  expectClose(rv.toList(), [0.9 + 0.1 * 5 / 3, 0.9], 1e-6);
  const e = F.batchNorm(tensor([[0.25, 9]]), rm, rv, null, null, { training: false });
  expectClose(e.toList(), [0, 0], 1e-6);
});

// ---- convolution and pooling ------------------------------------------------------------

test('conv2d of a 3x3 input with a 2x2 kernel, by hand', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]: out(0,0) = 1 + 4 + 12 + 20 = 37, ...
  const x = grid(3, 3);
  const w = tensor([[[[1, 2], [3, 4]]]]);
  const y = F.conv2d(x, w, tensor([1]));
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assert.deepEqual(y.toList(), [38, 48, 68, 78]);
});

test('conv2d with padding 1 sums 3x3 neighbourhoods; stride 2 keeps every other output', () => {
  const x = grid(3, 3);
  const w = zeros([1, 1, 3, 3]).add(1);
  assert.deepEqual(F.conv2d(x, w, null, { padding: 1 }).toList(), [12, 21, 16, 27, 45, 33, 24, 39, 28]);
  assert.deepEqual(F.conv2d(x, w, null, { padding: 1, stride: 2 }).toList(), [12, 16, 24, 28]);
  // Dilation 2 with a 2x2 kernel of ones touches the corners: 1 + 3 + 7 + 9
  assert.deepEqual(F.conv2d(x, zeros([1, 1, 2, 2]).add(1), null, { dilation: 2 }).toList(), [20]);
});

test('conv2d with groups applies each filter to its own channels only', () => {
  const x = cat([grid(2, 2), grid(2, 2, 10)], 1); // channel 0: 1..4, channel 1: 10..13
  const w = tensor([[[[2]]], [[[-1]]]]); // (2, 1, 1, 1): scale each channel
  assert.deepEqual(F.conv2d(x, w, null, { groups: 2 }).toList(), [2, 4, 6, 8, -10, -11, -12, -13]);
  assert.throws(() => F.conv2d(zeros([1, 3, 4, 4]), zeros([2, 2, 3, 3])), /input \(1, 3, 4, 4\) has 3 channels but the weight \(2, 2, 3, 3\) expects 2/);
  assert.throws(() => F.conv2d(zeros([3, 4, 4]), zeros([2, 3, 3, 3])), /input must be 4-D \(N, C, H, W\), got \(3, 4, 4\)/);
});

test('pooling a 4x4 example by hand', () => {
  const x = grid(4, 4); // 1..16
  assert.deepEqual(F.maxPool2d(x, 2).toList(), [6, 8, 14, 16]);
  assert.deepEqual(F.avgPool2d(x, 2).toList(), [3.5, 5.5, 11.5, 13.5]);
  assert.deepEqual(F.avgPool2d(x, 3, { stride: 1 }).toList(), [6, 7, 10, 11]);
  assert.deepEqual(F.maxPool2d(x, 3, { stride: 1 }).toList(), [11, 12, 15, 16]);
  // Padding 1, kernel 2, stride 2: the corner window holds only x[0,0] = 1 (three padded zeros).
  const inc = F.avgPool2d(x, 2, { padding: 1, countIncludePad: true });
  assert.deepEqual(inc.shape, [1, 1, 3, 3]);
  assert.deepEqual(inc.toList(), [0.25, 1.25, 1, 3.5, 8.5, 5, 3.25, 7.25, 4]);
  const exc = F.avgPool2d(x, 2, { padding: 1, countIncludePad: false });
  assert.deepEqual(exc.toList(), [1, 2.5, 4, 7, 8.5, 10, 13, 14.5, 16]);
  assert.deepEqual(F.maxPool2d(x, 2, { padding: 1 }).toList(), [1, 3, 4, 9, 11, 12, 13, 15, 16]);
});

test('maxPool2d sends the gradient to the maximum of each window', () => {
  const x = grid(4, 4).requiresGrad_();
  F.maxPool2d(x, 2).sum().backward();
  assert.deepEqual(x.grad!.toList(), [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
});

test('adaptiveAvgPool2d: global, divisible and overlapping (non-divisible) windows', () => {
  assert.deepEqual(F.adaptiveAvgPool2d(grid(4, 4), 1).toList(), [8.5]);
  assert.deepEqual(F.adaptiveAvgPool2d(grid(4, 4), 2).toList(), [3.5, 5.5, 11.5, 13.5]);
  // 3 -> 2: windows [0, 2) and [1, 3) overlap in the middle row and column.
  const y = F.adaptiveAvgPool2d(grid(3, 3), 2);
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  expectClose(y.toList(), [3, 4, 6, 7], 1e-6);
  // 5 -> 3 along the width only: windows [0,2), [1,4), [3,5)
  expectClose(F.adaptiveAvgPool2d(grid(1, 5), [1, 3]).toList(), [1.5, 3, 4.5], 1e-6);
});
