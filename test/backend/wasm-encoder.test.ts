// The wasm binary encoder: LEB128 against known byte strings and a decoder, modules the engine
// accepts and runs (scalar and SIMD), and the generated GEMM module validating for several tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, encodeModule, F32, I32, V128, sleb, uleb } from '../../src/backend/wasm/encoder.js';
import { buildGemmModule, DEFAULT_SHAPE } from '../../src/backend/wasm/gemm-module.js';
import { instantiate, wasmApi } from '../../src/backend/wasm/wasm-api.js';
import { testRandom } from '../helpers.js';

const wa = wasmApi();
const skip = wa === null ? 'WebAssembly is not available in this engine' : false;

function decodeU(bytes: number[]): number {
  let v = 0, mul = 1;
  for (const b of bytes) { v += (b & 0x7f) * mul; mul *= 128; }
  return v;
}

function decodeS(bytes: number[]): number {
  let v = 0, mul = 1;
  for (const b of bytes) { v += (b & 0x7f) * mul; mul *= 128; }
  return (bytes.at(-1)! & 0x40) !== 0 ? v - mul : v;
}

test('unsigned LEB128 matches the spec examples and round-trips', () => {
  assert.deepEqual(uleb(0), [0x00]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(uleb(0xffffffff), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  const r = testRandom(3);
  for (let i = 0; i < 1000; i++) {
    const v = Math.floor(r() * 2 ** (1 + 31 * r()));
    const bytes = uleb(v);
    assert.equal(decodeU(bytes), v);
    assert.ok(bytes.slice(0, -1).every((b) => b >= 0x80) && bytes.at(-1)! < 0x80, `continuation bits of ${v}`);
  }
  assert.throws(() => uleb(-1), RangeError);
  assert.throws(() => uleb(2 ** 32), RangeError);
  assert.throws(() => uleb(1.5), RangeError);
});

test('signed LEB128 matches known encodings, is minimal and round-trips', () => {
  assert.deepEqual(sleb(0), [0x00]);
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-64), [0x40]);
  assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(sleb(2 ** 31 - 1), [0xff, 0xff, 0xff, 0xff, 0x07]);
  assert.deepEqual(sleb(-(2 ** 31)), [0x80, 0x80, 0x80, 0x80, 0x78]);
  const r = testRandom(4);
  for (let i = 0; i < 1000; i++) {
    const v = Math.trunc((r() * 2 - 1) * 2 ** (31 * r())) + 0; // + 0: no -0
    assert.equal(decodeS(sleb(v)), v, `sleb(${v})`);
  }
  assert.throws(() => sleb(2 ** 31), RangeError);
});

test('an encoded scalar module has the wasm header and computes', { skip }, () => {
  const add = new Code().get(0).get(1).i32Add();
  const consts = new Code().i32(-123456).i32(2 ** 31 - 1).i32Add(); // wraps to 2^31 - 123457 - 2^32
  const bytes = encodeModule({
    funcs: [
      { name: 'add', params: [I32, I32], results: [I32], locals: [], body: add },
      { name: 'consts', params: [], results: [I32], locals: [], body: consts },
    ],
  });
  assert.deepEqual(Array.from(bytes.slice(0, 8)), [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  assert.ok(wa!.validate(bytes));
  const ex = instantiate(bytes).exports as { add: (a: number, b: number) => number; consts: () => number };
  assert.equal(ex.add(40, 2), 42);
  assert.equal(ex.add(-5, 3), -2);
  assert.equal(ex.consts(), ((-123456 + 2 ** 31 - 1) | 0));
  // A truncated module is rejected: validate is a real check.
  assert.equal(wa!.validate(bytes.slice(0, bytes.length - 1)), false);
});

test('SIMD opcodes: f32x4 mul/add over memory, splat loads, shuffles, lane extraction, locals and loops', { skip }, () => {
  // out[ptr+32..48) = x * splat(s) + x for x = f32x4 at ptr, s = f32 at ptr+16; returns lane 2 of it.
  const axpy = new Code()
    .get(0).v128Load().set(1)
    .get(0)
    .get(1).get(0).v128Load32Splat(16).f32x4Mul().get(1).f32x4Add()
    .v128Store(32)
    .get(0).v128Load(32).f32x4ExtractLane(2);
  // sum of n floats from ptr via a counted loop of scalar loads (exercises block/loop/br_if).
  const sum = new Code()
    .block().loop()
    .get(1).i32Eqz().brIf(1)
    .get(2).get(0).f32Load().f32Add().set(2)
    .get(0).i32(4).i32Add().set(0)
    .get(1).i32(1).i32Sub().set(1)
    .br(0)
    .end().end()
    .get(2);
  const zero = new Code().get(0).v128Zero().v128Store().get(0).f32Load(8);
  // Interleave the low halves of two vectors (32-bit lanes a0 b0 a1 b1) in place at ptr.
  const lanes = [0, 4, 1, 5].flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
  const interleave = new Code().get(0).get(0).v128Load().get(0).v128Load(16).i8x16Shuffle(lanes).v128Store();
  assert.throws(() => new Code().i8x16Shuffle([0, 1, 2]), RangeError);
  assert.throws(() => new Code().i8x16Shuffle(new Array<number>(16).fill(32)), RangeError);
  const bytes = encodeModule({
    funcs: [
      { name: 'axpy', params: [I32], results: [F32], locals: [V128], body: axpy },
      { name: 'sum', params: [I32, I32], results: [F32], locals: [F32], body: sum },
      { name: 'zero', params: [I32], results: [F32], locals: [], body: zero },
      { name: 'interleave', params: [I32], results: [], locals: [], body: interleave },
    ],
    memory: { exportName: 'mem', minPages: 1 },
  });
  const ex = instantiate(bytes).exports as {
    axpy: (p: number) => number; sum: (p: number, n: number) => number; zero: (p: number) => number;
    interleave: (p: number) => void;
    mem: { buffer: ArrayBuffer };
  };
  const f = new Float32Array(ex.mem.buffer);
  f.set([1, 2, 3, 4, 0.5], 4); // x at byte 16, s at byte 32
  assert.equal(ex.axpy(16), 4.5); // lane 2: 3 * 0.5 + 3
  assert.deepEqual(Array.from(f.subarray(12, 16)), [1.5, 3, 4.5, 6]);
  assert.equal(ex.sum(16, 5), 10.5);
  assert.equal(ex.sum(16, 0), 0);
  f.set([7, 7, 7, 7], 20);
  assert.equal(ex.zero(80), 0);
  assert.deepEqual(Array.from(f.subarray(20, 24)), [0, 0, 0, 0]);
  f.set([1, 2, 3, 4, 5, 6, 7, 8], 32);
  ex.interleave(128);
  assert.deepEqual(Array.from(f.subarray(32, 36)), [1, 5, 2, 6]);
});

test('the generated GEMM module validates for several register tiles and stays small', { skip }, () => {
  for (const shape of [DEFAULT_SHAPE, { mr: 6, nv: 2, unroll: 4 }, { mr: 2, nv: 4, unroll: 2 }, { mr: 1, nv: 1, unroll: 1 }]) {
    const bytes = buildGemmModule(shape);
    assert.ok(wa!.validate(bytes), `tile ${JSON.stringify(shape)} does not validate`);
    assert.ok(bytes.length < 4096, `tile ${JSON.stringify(shape)}: ${bytes.length} bytes`);
  }
});
