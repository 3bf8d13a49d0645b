import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { IdxError, parseIdx } from '../../src/data/idx.js';

/** Builds an IDX file by hand: 00 00 type ndims, big-endian u32 dims, then the given data bytes. */
function idx(type: number, dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = type;
  out[3] = dims.length;
  const dv = new DataView(out.buffer);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function expectError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IdxError, `expected an IdxError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

test('parses a hand-built u8 file like MNIST images (3 dims)', () => {
  // 2 images of 2x3 pixels.
  const bytes = new Uint8Array([
    0x00, 0x00, 0x08, 0x03,
    0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x03,
    0, 1, 2, 3, 4, 255,
    9, 8, 7, 6, 5, 128,
  ]);
  const f = parseIdx(bytes);
  assert.equal(f.dtype, 'u8');
  assert.deepEqual(f.dims, [2, 2, 3]);
  assert.ok(f.data instanceof Uint8Array);
  assert.deepEqual(Array.from(f.data), [0, 1, 2, 3, 4, 255, 9, 8, 7, 6, 5, 128]);
  bytes[16] = 77; // the result is a copy
  assert.equal(f.data[0], 0);
});

test('parses a labels-style 1-D file with large dims (big-endian)', () => {
  const labels = Array.from({ length: 70000 }, (_, i) => i % 10);
  const f = parseIdx(idx(0x08, [70000], labels), 'labels');
  assert.deepEqual(f.dims, [70000]);
  assert.equal(f.data.length, 70000);
  assert.equal(f.data[69999], 9);
});

test('parses every element type from big-endian bytes', () => {
  const i8 = parseIdx(idx(0x09, [3], [0xff, 0x80, 0x7f]));
  assert.equal(i8.dtype, 'i8');
  assert.ok(i8.data instanceof Int8Array);
  assert.deepEqual(Array.from(i8.data), [-1, -128, 127]);

  const i16 = parseIdx(idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]));
  assert.equal(i16.dtype, 'i16');
  assert.ok(i16.data instanceof Int16Array);
  assert.deepEqual(Array.from(i16.data), [0x0102, -2]);

  const i32 = parseIdx(idx(0x0c, [1, 2], [0x01, 0x02, 0x03, 0x04, 0x80, 0x00, 0x00, 0x00]));
  assert.equal(i32.dtype, 'i32');
  assert.deepEqual(i32.dims, [1, 2]);
  assert.deepEqual(Array.from(i32.data), [0x01020304, -2147483648]);

  // 1.0f = 3f 80 00 00, -2.5f = c0 20 00 00
  const f32 = parseIdx(idx(0x0d, [2], [0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0]));
  assert.equal(f32.dtype, 'f32');
  assert.ok(f32.data instanceof Float32Array);
  assert.deepEqual(Array.from(f32.data), [1, -2.5]);

  // 1.0 = 3f f0 00.. ; 0.1 = 3f b9 99 99 99 99 99 9a
  const f64 = parseIdx(idx(0x0e, [2], [0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]));
  assert.equal(f64.dtype, 'f64');
  assert.ok(f64.data instanceof Float64Array);
  assert.deepEqual(Array.from(f64.data), [1, 0.1]);
});

test('parses from an unaligned subarray and zero-size dims', () => {
  const file = idx(0x0c, [2], [0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff]);
  const buf = new Uint8Array(file.length + 1);
  buf.set(file, 1);
  assert.deepEqual(Array.from(parseIdx(buf.subarray(1)).data), [5, -1]);
  const empty = parseIdx(idx(0x08, [0, 28, 28], []));
  assert.deepEqual(empty.dims, [0, 28, 28]);
  assert.equal(empty.data.length, 0);
});

test('gzip-compressed input says to decompress it first', () => {
  const gz = gzipSync(idx(0x08, [3], [1, 2, 3]));
  expectError(() => parseIdx(gz, 'train-images-idx3-ubyte.gz'),
    'train-images-idx3-ubyte.gz', 'this is gzip-compressed', 'decompress it first');
});

test('foreign files are named and rejected', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  expectError(() => parseIdx(png, 'digits.png'), 'digits.png', 'not an IDX file', 'two zero bytes', '89 50 4e 47', 'PNG');
  const html = new TextEncoder().encode('<!DOCTYPE html><html>404</html>');
  expectError(() => parseIdx(html), 'IDX file', 'HTML', 'uncompressed IDX file');
  expectError(() => parseIdx(new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0])), 'unknown element type code 0x07', '0x0D f32');
  expectError(() => parseIdx(new Uint8Array([0, 0, 0x08, 0])), 'declares 0 dimensions');
});

test('truncated files report expected and found sizes', () => {
  expectError(() => parseIdx(new Uint8Array(0), 'labels'), 'labels', 'only 0 bytes', 'truncated');
  expectError(() => parseIdx(new Uint8Array([0, 0, 8])), 'only 3 bytes');
  const header = idx(0x08, [60000, 28, 28], []);
  expectError(() => parseIdx(header.subarray(0, 10), 'train-images'),
    'train-images', '3 dimensions', '16-byte header', 'only 10 bytes', 'truncated');
  const cut = idx(0x08, [60000, 28, 28], new Array(1000).fill(0));
  expectError(() => parseIdx(cut, 'train-images'),
    'train-images', 'dims [60000, 28, 28] of u8', 'need 47040000 data bytes', '47040016 in total',
    'the file has 1000 (1016 in total)', 'truncated', 'download it again');
  const f32 = idx(0x0d, [3], [0, 0, 0, 0, 0, 0, 0, 0]);
  expectError(() => parseIdx(f32), 'of f32 need 12 data bytes', 'has 8');
  const long = idx(0x08, [2], [1, 2, 3]);
  expectError(() => parseIdx(long), 'need 2 data bytes', 'has 3', '1 bytes too many', 'corrupt');
  const overflow = idx(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], []);
  expectError(() => parseIdx(overflow), 'dims [4294967295, 4294967295, 4294967295] of f64', 'more than 2^53 bytes', 'header is corrupt');
});
