import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSafetensors, encodeSafetensors, SafetensorsError, type SafetensorsTensor,
} from '../../src/track/safetensors.js';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Builds a safetensors file from a literal header (padded as given) and a data buffer. */
function build(header: string, data: number[] | Uint8Array = [], declaredLength?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, `expected a SafetensorsError, got ${String(e)}`);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

test('encode: byte-exact against a hand-built file (metadata, two dtypes, alignment order, padding)', () => {
  const bytes = encodeSafetensors({
    n: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
    w: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) },
  }, { format: 'pt' });
  // F32 (larger alignment) comes before U8 even though "n" < "w"; "__metadata__" is first.
  const header = '{"__metadata__":{"format":"pt"},' +
    '"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"n":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
  // 32 + 54 + 52 = 138 characters, padded with 6 spaces to 144 = 18 * 8.
  assert.equal(header.length, 138);
  const expected = [
    144, 0, 0, 0, 0, 0, 0, 0,
    ...ascii(header), 32, 32, 32, 32, 32, 32,
    0x00, 0x00, 0x80, 0x3f, // 1.0f  = 0x3f800000, little-endian
    0x00, 0x00, 0x00, 0xc0, // -2.0f = 0xc0000000
    1, 2, 3,
  ];
  assert.equal(expected.length, 163);
  assert.deepEqual(Array.from(bytes), expected);
});

test('encode: matches the reference implementation test vectors', () => {
  // From huggingface/safetensors tests (test_serialization and test_empty).
  const attn = encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
  assert.deepEqual(Array.from(attn), [
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
    116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
    58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
    101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
    0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
  ]);
  assert.deepEqual(Array.from(encodeSafetensors({})), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  assert.deepEqual(Array.from(encodeSafetensors({}, { framework: 'pt' })), [
    40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
    95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
    116, 34, 125, 125, 32, 32, 32, 32, 32,
  ]);
});

test('encode: names with the same dtype are ordered by UTF-8 bytes, integer-like names included', () => {
  const t = (v: number): SafetensorsTensor => ({ dtype: 'U8', shape: [1], data: new Uint8Array([v]) });
  // Object.keys would give "9", "10" first (integer keys) -- the file must not follow that.
  // U+FFFF sorts before U+1F600 in UTF-8 (and code points), although its UTF-16 unit is larger.
  const bytes = encodeSafetensors({ b: t(1), 9: t(2), 10: t(3), a: t(4), 'é': t(5), Z: t(6), '😀': t(7), '\uffff': t(8) });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
  const order = [...header.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
  assert.deepEqual(order, ['10', '9', 'Z', 'a', 'b', 'é', '\uffff', '😀']);
  assert.deepEqual(Array.from(bytes.subarray(8 + n)), [3, 2, 6, 4, 1, 5, 8, 7]);
});

test('encode: dtypes are laid out by descending alignment so every tensor starts aligned', () => {
  const bytes = encodeSafetensors({
    a_bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    b_u8: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
    c_i32: { dtype: 'I32', shape: [1], data: new Int32Array([-1]) },
    d_f32: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
    e_f64: { dtype: 'F64', shape: [1], data: new Float64Array([1]) },
    f_i64: { dtype: 'I64', shape: [1], data: new BigInt64Array([1n]) },
  });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const names = Object.keys(header);
  assert.deepEqual(names, ['f_i64', 'e_f64', 'd_f32', 'c_i32', 'b_u8', 'a_bool']);
  const size: Record<string, number> = { I64: 8, F64: 8, F32: 4, I32: 4, U8: 1, BOOL: 1 };
  for (const name of names) {
    const { dtype, data_offsets: [begin] } = header[name];
    assert.equal((8 + n + begin) % size[dtype], 0, `${name} starts unaligned`);
  }
});

test('round trip: every writable dtype, scalars, empty tensors, metadata, odd names', () => {
  const tensors: Record<string, SafetensorsTensor> = {
    '0.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([0.1, -2.5, 3e-8, Infinity, -0, 1e30]) },
    '0.bias': { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, -Number.MAX_VALUE]) },
    step: { dtype: 'I64', shape: [], data: new BigInt64Array([-(2n ** 62n)]) },
    idx: { dtype: 'I32', shape: [4], data: new Int32Array([-2147483648, 2147483647, 0, -1]) },
    pix: { dtype: 'U8', shape: [2, 2], data: new Uint8Array([0, 255, 17, 128]) },
    mask: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    empty: { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
    __proto__x: { dtype: 'U8', shape: [1], data: new Uint8Array([7]) },
    'ünïcode 名': { dtype: 'U8', shape: [1], data: new Uint8Array([8]) },
  };
  const metadata = { format: 'pt', note: 'quotes " and \\ and\nnewline', 'ключ': 'значение' };
  const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
  assert.deepEqual(decoded.metadata, metadata);
  assert.deepEqual(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const d = decoded.tensors[name];
    assert.equal(d.dtype, t.dtype, name);
    assert.deepEqual(d.shape, t.shape, name);
    assert.equal(d.data.constructor, t.data.constructor, name);
    assert.deepEqual(Array.from(d.data as ArrayLike<number | bigint>), Array.from(t.data as ArrayLike<number | bigint>), name);
  }
  assert.ok(Object.is(decoded.tensors['0.weight'].data[4], -0));
});

test('round trip: a tensor named __proto__ is stored as a tensor, not a prototype', () => {
  const input: Record<string, SafetensorsTensor> = {};
  Object.defineProperty(input, '__proto__', {
    value: { dtype: 'U8', shape: [2], data: new Uint8Array([4, 5]) }, enumerable: true,
  });
  const decoded = decodeSafetensors(encodeSafetensors(input));
  assert.ok(Object.prototype.hasOwnProperty.call(decoded.tensors, '__proto__'));
  assert.deepEqual(Array.from(decoded.tensors['__proto__'].data as Uint8Array), [4, 5]);
  assert.equal(Object.getPrototypeOf(decoded.tensors), Object.prototype);
});

test('decode: copies unaligned input into aligned arrays that do not alias the input', () => {
  const file = encodeSafetensors({
    x: { dtype: 'F64', shape: [3], data: new Float64Array([1.5, -2.25, 1e-300]) },
    y: { dtype: 'F32', shape: [2], data: new Float32Array([0.5, 4]) },
  });
  const shifted = new Uint8Array(file.length + 3);
  shifted.set(file, 3);
  const view = shifted.subarray(3); // byteOffset 3: nothing inside is aligned
  const { tensors } = decodeSafetensors(view);
  assert.deepEqual(Array.from(tensors.x.data as Float64Array), [1.5, -2.25, 1e-300]);
  assert.deepEqual(Array.from(tensors.y.data as Float32Array), [0.5, 4]);
  assert.equal(tensors.x.data.byteOffset % 8, 0);
  shifted.fill(0);
  assert.deepEqual(Array.from(tensors.y.data as Float32Array), [0.5, 4]);
});

test('decode: F16 and BF16 widen to Float32Array and keep their dtype', () => {
  const f16 = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555];
  const bf16 = [0x3f80, 0xc000, 0x4049, 0x7f80, 0x0000];
  const data = new Uint8Array(2 * (f16.length + bf16.length));
  const dv = new DataView(data.buffer);
  f16.forEach((h, i) => dv.setUint16(2 * i, h, true));
  bf16.forEach((h, i) => dv.setUint16(2 * (f16.length + i), h, true));
  const header = `{"h":{"dtype":"F16","shape":[${f16.length}],"data_offsets":[0,${2 * f16.length}]},` +
    `"b":{"dtype":"BF16","shape":[${bf16.length}],"data_offsets":[${2 * f16.length},${data.length}]}}`;
  const { tensors } = decodeSafetensors(build(header, data));
  assert.equal(tensors.h.dtype, 'F16');
  assert.equal(tensors.b.dtype, 'BF16');
  assert.ok(tensors.h.data instanceof Float32Array);
  const h = Array.from(tensors.h.data as Float32Array);
  assert.deepEqual(h.slice(0, 7), [1, -2, 0.5, 65504, 2 ** -24, Infinity, -Infinity]);
  assert.ok(Number.isNaN(h[7]));
  assert.ok(Object.is(h[8], -0));
  assert.ok(Math.abs(h[9] - 1 / 3) < 1e-3);
  assert.deepEqual(Array.from(tensors.b.data as Float32Array), [1, -2, 3.140625, Infinity, 0]);
});

test('decode: accepts any header order, extra padding and zero-size tensors', () => {
  const header = '{"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"z":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},' +
    '"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}          ';
  const { tensors, metadata } = decodeSafetensors(build(header, [1, 2, 3]));
  assert.deepEqual(metadata, {});
  assert.deepEqual(Array.from(tensors.a.data as Uint8Array), [1, 2]);
  assert.deepEqual(Array.from(tensors.b.data as Uint8Array), [3]);
  assert.equal(tensors.z.data.length, 0);
});

test('decode errors: truncated or foreign files', () => {
  expectError(() => decodeSafetensors(new Uint8Array([1, 2, 3])), 'only 3 bytes', 'truncated or not a safetensors file');
  expectError(() => decodeSafetensors(build('{}', [], 5000), 'model.safetensors'),
    'model.safetensors:', '5000-byte header', 'larger than the 2 bytes', 'truncated or not a safetensors file');
  const full = encodeSafetensors({ w: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
  expectError(() => decodeSafetensors(full.subarray(0, 30)), 'larger than the 22 bytes', 'truncated');
  expectError(() => decodeSafetensors(full.subarray(0, full.length - 1)),
    'tensor "w"', 'data_offsets [0, 16]', 'only 15 bytes', 'the file is truncated');
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 1, 2, 3]);
  expectError(() => decodeSafetensors(zip), 'zip archive', 'PyTorch');
  const gz = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0]);
  expectError(() => decodeSafetensors(gz), 'gzip', 'decompress it first');
  const huge = new Uint8Array(8);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
  expectError(() => decodeSafetensors(huge), '18446744073709551615-byte header', 'not a safetensors file');
});

test('decode errors: header that is not UTF-8 JSON or not an object', () => {
  const bad = build('{"a":1}');
  bad[10] = 0xff;
  expectError(() => decodeSafetensors(bad), 'not valid UTF-8');
  expectError(() => decodeSafetensors(build('{"w":{"dtype":"F32",')), 'not valid JSON', 'begins "{\\"w\\"', 'corrupt');
  expectError(() => decodeSafetensors(build('[1, 2]   ')), 'JSON array', 'must be an object');
  expectError(() => decodeSafetensors(build('null    ')), 'JSON null');
});

test('decode errors: bad tensor entries name the tensor and the problem', () => {
  const one = (entry: string, data: number[] = [0, 0, 0, 0]) => build(`{"t":${entry}}`, data);
  expectError(() => decodeSafetensors(one('{"dtype":"Q4","shape":[4],"data_offsets":[0,4]}')),
    'tensor "t"', 'unknown dtype "Q4"', 'not a safetensors dtype', 'F32');
  expectError(() => decodeSafetensors(one('{"dtype":"I8","shape":[4],"data_offsets":[0,4]}')),
    'tensor "t"', 'dtype "I8"', 'Tradecraft cannot read', 'convert the tensor');
  expectError(() => decodeSafetensors(one('{"shape":[4],"data_offsets":[0,4]}')), 'tensor "t"', 'no dtype');
  expectError(() => decodeSafetensors(one('{"dtype":"U8","shape":[2,-2],"data_offsets":[0,4]}')), 'tensor "t"', 'shape [2, -2]');
  expectError(() => decodeSafetensors(one('{"dtype":"U8","shape":[1.5],"data_offsets":[0,4]}')), 'shape [1.5]');
  expectError(() => decodeSafetensors(one('{"dtype":"U8","shape":[4],"data_offsets":[0]}')), 'tensor "t"', 'data_offsets [0]');
  expectError(() => decodeSafetensors(one('{"dtype":"U8","shape":[4],"data_offsets":[4,0]}')), 'end before they begin');
  expectError(() => decodeSafetensors(one('{"dtype":"U8","shape":[4],"data_offsets":[0,8]}')),
    'tensor "t"', 'data_offsets [0, 8]', 'only 4 bytes', 'truncated');
  expectError(() => decodeSafetensors(one('{"dtype":"F32","shape":[2,3],"data_offsets":[0,4]}')),
    'tensor "t"', 'shape [2, 3]', 'F32', 'need 24 bytes', 'span 4', 'corrupt');
  expectError(() => decodeSafetensors(one('{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}')),
    'more than 2^53');
  expectError(() => decodeSafetensors(one('17')), 'tensor "t"', 'expected {dtype, shape, data_offsets}');
});

test('decode errors: offsets that overlap, leave gaps or do not cover the buffer', () => {
  const u8 = (name: string, b: number, e: number) => `"${name}":{"dtype":"U8","shape":[${e - b}],"data_offsets":[${b},${e}]}`;
  expectError(() => decodeSafetensors(build(`{${u8('a', 0, 4)},${u8('b', 2, 6)}}`, [1, 2, 3, 4, 5, 6])),
    'tensor "b" data_offsets [2, 6] overlap tensor "a" [0, 4]', 'corrupt');
  expectError(() => decodeSafetensors(build(`{${u8('a', 0, 2)},${u8('b', 4, 6)}}`, [1, 2, 3, 4, 5, 6])),
    'data bytes 2..4 belong to no tensor', 'after tensor "a"', 'before tensor "b"');
  expectError(() => decodeSafetensors(build(`{${u8('b', 2, 6)}}`, [1, 2, 3, 4, 5, 6])), 'data bytes 0..2', 'at the start');
  expectError(() => decodeSafetensors(build(`{${u8('a', 0, 4)}}`, [1, 2, 3, 4, 5, 6])),
    'cover 4 bytes', 'has 6', '2 trailing bytes after tensor "a"', 'missing a tensor or the file has junk appended');
  expectError(() => decodeSafetensors(build('{}', [1])), '1 trailing bytes after the header');
});

test('decode errors: metadata values must be strings', () => {
  expectError(() => decodeSafetensors(build('{"__metadata__":{"epoch":3}}')), '"__metadata__" entry "epoch" is 3', 'must be strings');
  expectError(() => decodeSafetensors(build('{"__metadata__":"x"}')), '"__metadata__" must be an object');
});

test('encode errors: mismatched dtype, data or shape, reserved names, non-string metadata', () => {
  expectError(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float64Array(2) } }),
    'tensor "w"', 'dtype F32', 'Float64Array', 'pass a Float32Array');
  expectError(() => encodeSafetensors({ w: { dtype: 'I64', shape: [2], data: new Int32Array(2) } }), 'pass a BigInt64Array');
  expectError(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(5) } }),
    'tensor "w"', 'shape [2, 3] (6 elements)', '5 data elements');
  expectError(() => encodeSafetensors({ w: { dtype: 'F32', shape: [-1], data: new Float32Array(1) } }), 'shape [-1]');
  expectError(() => encodeSafetensors({ w: { dtype: 'F16' as 'F32', shape: [1], data: new Float32Array(1) } }),
    'dtype "F16"', 'use one of');
  expectError(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }), 'reserved');
  expectError(() => encodeSafetensors({}, { epoch: 3 as unknown as string }), 'metadata "epoch" is a number', 'must be strings');
});
