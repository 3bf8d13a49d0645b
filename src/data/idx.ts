// The IDX format (used by MNIST, Fashion-MNIST, EMNIST, ...):
//
//   byte 0-1  0x00 0x00
//   byte 2    element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
//   byte 3    number of dimensions d
//   then      d big-endian u32 sizes, then the elements, big-endian, in C order
//
// Pure: no Node imports, so it also runs in a browser.

/** Element types of IDX files. */
export type IdxDtype = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
/** The typed arrays IDX data is returned in. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: `data.length` equals the product of `dims`. */
export interface IdxFile {
  dims: number[];
  dtype: IdxDtype;
  data: IdxData;
}

/** Thrown when bytes are not a valid IDX file. */
export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxError';
  }
}

const TYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'u8', size: 1 },
  0x09: { dtype: 'i8', size: 1 },
  0x0b: { dtype: 'i16', size: 2 },
  0x0c: { dtype: 'i32', size: 4 },
  0x0d: { dtype: 'f32', size: 4 },
  0x0e: { dtype: 'f64', size: 8 },
};
const KNOWN_TYPES = '0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64';

const hex = (b: number) => b.toString(16).padStart(2, '0');
const firstBytes = (bytes: Uint8Array, n = 4) => Array.from(bytes.subarray(0, n), hex).join(' ');

/** Names the format of a non-IDX file from its first bytes, or returns ''. */
function sniff(bytes: Uint8Array): string {
  const starts = (...sig: number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a zip archive';
  if (starts(0x3c)) return 'an HTML/XML page (a failed download?)';
  if (starts(0x7b) || starts(0x5b)) return 'JSON text';
  return '';
}

/**
 * Parses an IDX file (as used by MNIST) into its dims and a typed array of its elements,
 * converted from big-endian. `what` names the file in error messages (e.g. its path).
 * Throws IdxError for gzip-compressed, foreign, truncated or oversized input, giving
 * the expected and found sizes and what to do.
 */
export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxFile {
  const fail = (msg: string): never => { throw new IdxError(`${what}: ${msg}`); };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    fail('this is gzip-compressed (it starts with 1f 8b): decompress it first ' +
      '(gunzip the .gz file, or pass the bytes through zlib.gunzipSync)');
  }
  if (bytes.length < 4) {
    fail(`only ${bytes.length} bytes, but an IDX file starts with a 4-byte magic number (00 00 type dims); ` +
      'the file is truncated or empty: download it again');
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const kind = sniff(bytes);
    fail(`not an IDX file: it should start with two zero bytes but starts with ${firstBytes(bytes)}` +
      `${kind ? ` (it looks like ${kind})` : ''}; check that the path points at an uncompressed IDX file such as train-images-idx3-ubyte`);
  }
  const type = TYPES[bytes[2]];
  if (type === undefined) {
    fail(`unknown element type code 0x${hex(bytes[2])} in byte 2 (known: ${KNOWN_TYPES}); the file is corrupt or not an IDX file`);
  }
  const ndims = bytes[3];
  if (ndims === 0) {
    fail('the header declares 0 dimensions (byte 3); an IDX file has at least one, so the file is corrupt or not an IDX file');
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    fail(`the header declares ${ndims} dimensions, which need a ${headerBytes}-byte header, but the file has only ` +
      `${bytes.length} bytes; the file is truncated: download it again`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = count * type.size;
  const found = bytes.length - headerBytes;
  const shape = `[${dims.join(', ')}]`;
  if (!Number.isSafeInteger(expected)) {
    fail(`dims ${shape} of ${type.dtype} would need more than 2^53 bytes; the header is corrupt or this is not an IDX file`);
  }
  if (found !== expected) {
    const need = `dims ${shape} of ${type.dtype} need ${expected} data bytes after the ${headerBytes}-byte header ` +
      `(${expected + headerBytes} in total)`;
    if (found < expected) {
      fail(`${need}, but the file has ${found} (${bytes.length} in total); the file is truncated: download it again`);
    }
    fail(`${need}, but the file has ${found} (${bytes.length} in total), ${found - expected} bytes too many; ` +
      'the header does not describe this data, so the file is corrupt or not an IDX file');
  }

  let data: IdxData;
  switch (type.dtype) {
    case 'u8': data = bytes.slice(headerBytes); break;
    case 'i8': data = new Int8Array(bytes.slice(headerBytes).buffer); break;
    case 'i16': {
      const a = new Int16Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 2) a[i] = view.getInt16(p, false);
      data = a;
      break;
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 4) a[i] = view.getInt32(p, false);
      data = a;
      break;
    }
    case 'f32': {
      const a = new Float32Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 4) a[i] = view.getFloat32(p, false);
      data = a;
      break;
    }
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 8) a[i] = view.getFloat64(p, false);
      data = a;
      break;
    }
  }
  return { dims, dtype: type.dtype, data };
}
