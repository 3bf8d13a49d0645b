// The safetensors format (https://github.com/huggingface/safetensors), byte for byte:
//
//   [8 bytes]  N, the header length, little-endian u64
//   [N bytes]  UTF-8 JSON: {"__metadata__"?: {string: string}, name: {dtype, shape, data_offsets: [begin, end]}, ...}
//              padded with spaces to a multiple of 8 bytes
//   [rest]     the data buffer; offsets are relative to its start; little-endian, C order
//
// Encoding follows the reference implementation's layout: tensors ordered by descending dtype
// alignment (U64, I64, F64, F32, U32, I32, BF16, F16, ..., U8, BOOL) and then by name (byte order
// of the UTF-8 names), header entries in that same order with "__metadata__" first. Because the
// header is padded to 8 bytes and larger elements come first, every tensor starts aligned.
//
// Pure: no Node imports, so it also runs in a browser.

/** Dtypes Tradecraft writes. */
export type SafetensorsDtype = 'F32' | 'I32' | 'I64' | 'F64' | 'U8' | 'BOOL';
/** Dtypes Tradecraft reads: the writable ones plus F16/BF16, which are widened to Float32Array. */
export type SafetensorsReadDtype = SafetensorsDtype | 'F16' | 'BF16';
/** The typed arrays that hold tensor data (BOOL and U8 use Uint8Array, F16/BF16 decode to Float32Array). */
export type SafetensorsData = Float32Array | Int32Array | BigInt64Array | Float64Array | Uint8Array;

/** A tensor to encode. `data.length` must equal the product of `shape` (1 for shape []). */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/** A decoded tensor: `dtype` is the dtype stored in the file; `data` is a fresh, aligned copy. */
export interface DecodedSafetensorsTensor {
  dtype: SafetensorsReadDtype;
  shape: number[];
  data: SafetensorsData;
}

/** The result of {@link decodeSafetensors}. */
export interface DecodedSafetensors {
  tensors: Record<string, DecodedSafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Thrown for a malformed safetensors file or invalid input to the encoder. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

/** Position in the reference implementation's Dtype enum (increasing alignment); sorting uses it. */
const DTYPE_RANK: Record<string, number> = {
  BOOL: 0, U8: 1, I8: 2, F8_E5M2: 3, F8_E4M3: 4, I16: 5, U16: 6, F16: 7, BF16: 8,
  I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14,
};
const ELEMENT_BYTES: Record<SafetensorsReadDtype, number> = {
  F32: 4, I32: 4, I64: 8, F64: 8, U8: 1, BOOL: 1, F16: 2, BF16: 2,
};
const READABLE = Object.keys(ELEMENT_BYTES) as SafetensorsReadDtype[];
const WRITABLE: SafetensorsDtype[] = ['F32', 'F64', 'I32', 'I64', 'U8', 'BOOL'];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function arrayTypeFor(dtype: SafetensorsDtype): string {
  switch (dtype) {
    case 'F32': return 'Float32Array';
    case 'F64': return 'Float64Array';
    case 'I32': return 'Int32Array';
    case 'I64': return 'BigInt64Array';
    case 'U8': case 'BOOL': return 'Uint8Array';
  }
}

function matchesDtype(dtype: SafetensorsDtype, data: unknown): boolean {
  switch (dtype) {
    case 'F32': return data instanceof Float32Array;
    case 'F64': return data instanceof Float64Array;
    case 'I32': return data instanceof Int32Array;
    case 'I64': return data instanceof BigInt64Array;
    case 'U8': case 'BOOL': return data instanceof Uint8Array;
  }
}

/** Compares strings by Unicode code point, which is the byte order of their UTF-8 encodings (Rust's String order). */
function compareCodePoints(a: string, b: string): number {
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!, cb = b.codePointAt(j)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  return j < b.length ? -1 : 0;
}

/** Reverses the bytes of each `size`-byte element in place (only needed on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let k = 0; k < bytes.length; k += size) {
    for (let a = k, b = k + size - 1; a < b; a++, b--) {
      const t = bytes[a]; bytes[a] = bytes[b]; bytes[b] = t;
    }
  }
}

function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Product of a shape, or -1 if it exceeds Number.MAX_SAFE_INTEGER. */
function shapeProduct(shape: number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  return n;
}

function describeShape(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.map((d) => JSON.stringify(d)).join(', ')}]` : JSON.stringify(shape);
}

function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  // defineProperty, not assignment, so a tensor named "__proto__" is stored like any other name.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file, byte-identical to what
 * the reference implementation writes for the same input (metadata keys are written sorted).
 * Throws SafetensorsError if a tensor's dtype, shape or data disagree.
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>, metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const where = `encodeSafetensors: tensor "${name}"`;
    if (name === METADATA_KEY) {
      throw new SafetensorsError(`${where}: the name "${METADATA_KEY}" is reserved for the metadata map; rename the tensor`);
    }
    if (t === null || typeof t !== 'object') {
      throw new SafetensorsError(`${where} is ${t === null ? 'null' : typeof t}; expected { dtype, shape, data }`);
    }
    if (!WRITABLE.includes(t.dtype)) {
      throw new SafetensorsError(`${where} has dtype ${JSON.stringify(t.dtype)}; use one of ${WRITABLE.join(', ')}`);
    }
    if (!Array.isArray(t.shape) || !t.shape.every(isNonNegativeInteger)) {
      throw new SafetensorsError(`${where} has shape ${describeShape(t.shape)}; a shape is a list of non-negative integers`);
    }
    if (!matchesDtype(t.dtype, t.data)) {
      const got = t.data === null || typeof t.data !== 'object' ? typeof t.data : t.data.constructor.name;
      throw new SafetensorsError(`${where} has dtype ${t.dtype} but its data is a ${got}; pass a ${arrayTypeFor(t.dtype)}`);
    }
    const n = shapeProduct(t.shape);
    if (n !== t.data.length) {
      throw new SafetensorsError(
        `${where} has shape ${describeShape(t.shape)} (${n} elements) but ${t.data.length} data elements; ` +
        'reshape or fix the data so they agree');
    }
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new SafetensorsError(`encodeSafetensors: metadata "${k}" is a ${typeof v}; metadata values must be strings (use String() or JSON.stringify())`);
      }
    }
  }

  const order = names.slice().sort((a, b) =>
    (DTYPE_RANK[tensors[b].dtype] - DTYPE_RANK[tensors[a].dtype]) || compareCodePoints(a, b));

  // The header is written by hand, not with JSON.stringify on an object, because JavaScript
  // objects put integer-like keys ("0", "10") first, which would break the reference order.
  const entries: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    entries.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const name of order) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    entries.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const name of order) {
    const { data } = tensors[name];
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(raw, pos);
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(pos, pos + raw.length), data.BYTES_PER_ELEMENT);
    pos += raw.length;
  }
  return out;
}

/** Recognizes a few common foreign formats so an error can say what the bytes actually are. */
function sniffForeign(bytes: Uint8Array): string {
  const b = (i: number) => bytes[i];
  if (bytes.length >= 4 && b(0) === 0x50 && b(1) === 0x4b && b(2) === 0x03 && b(3) === 0x04) {
    return ' (it starts like a zip archive, which is what PyTorch .pt/.pth checkpoints are: convert it with safetensors.torch.save_file)';
  }
  if (bytes.length >= 2 && b(0) === 0x1f && b(1) === 0x8b) return ' (it starts like a gzip file: decompress it first)';
  if (bytes.length >= 1 && b(0) === 0x80) return ' (it starts like a Python pickle)';
  if (bytes.length >= 4 && b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return ' (it starts like a PNG image)';
  return '';
}

/** Widens IEEE half-precision bits to a float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

interface Entry { name: string; dtype: SafetensorsReadDtype; shape: number[]; begin: number; end: number }

/**
 * Decodes a safetensors file. Tensor data is copied into freshly allocated (hence aligned)
 * typed arrays, so the result does not alias `bytes`; F16/BF16 tensors become Float32Array
 * with their original dtype reported. `what` names the source (e.g. a path) in error messages.
 * Throws SafetensorsError naming the problem, where it is, and what to do about it.
 */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors data'): DecodedSafetensors {
  const fail = (msg: string): never => { throw new SafetensorsError(`${what}: ${msg}`); };
  if (bytes.length < 8) {
    fail(`only ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length; ` +
      `the file is truncated or not a safetensors file${sniffForeign(bytes)}`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  const available = bytes.length - 8;
  if (declared > BigInt(available)) {
    fail(`the first 8 bytes declare a ${declared}-byte header, larger than the ${available} bytes that follow; ` +
      `the file is truncated or not a safetensors file${sniffForeign(bytes)}`);
  }
  const n = Number(declared);
  if (n > MAX_HEADER_BYTES) {
    fail(`the header is ${n} bytes, above the format's ${MAX_HEADER_BYTES}-byte limit; the file is corrupt or not a safetensors file`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail(`the ${n}-byte header (bytes 8..${8 + n}) is not valid UTF-8; the file is corrupt or not a safetensors file${sniffForeign(bytes)}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const snippet = text.length > 60 ? `${text.slice(0, 60)}...` : text;
    return fail(`the ${n}-byte header (bytes 8..${8 + n}) is not valid JSON (${(e as Error).message}; it begins ${JSON.stringify(snippet)}); ` +
      `the file is corrupt, truncated while being written, or not a safetensors file${sniffForeign(bytes)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail(`the header is JSON ${header === null ? 'null' : Array.isArray(header) ? 'array' : typeof header}, ` +
      'but must be an object mapping tensor names to {dtype, shape, data_offsets}; not a safetensors file');
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) {
        fail(`"${METADATA_KEY}" must be an object of string values, got ${JSON.stringify(info)}; the file is corrupt`);
      }
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          fail(`"${METADATA_KEY}" entry "${k}" is ${JSON.stringify(v)}, but metadata values must be strings; the writer is not following the format`);
        }
        setOwn(metadata, k, v as string);
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) {
      fail(`${where} has header entry ${JSON.stringify(info)}; expected {dtype, shape, data_offsets}; the file is corrupt`);
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') {
      fail(`${where} has no dtype string (got ${JSON.stringify(dtype)}); the file is corrupt`);
    }
    if (!(READABLE as string[]).includes(dtype as string)) {
      const known = (dtype as string) in DTYPE_RANK;
      fail(`${where} has ${known ? '' : 'unknown '}dtype ${JSON.stringify(dtype)}` +
        (known ? ', which Tradecraft cannot read' : ', which is not a safetensors dtype') +
        `; supported dtypes are ${READABLE.join(', ')}` +
        (known ? ' (convert the tensor to one of them before saving)' : ' (the file is corrupt or from a newer format version)'));
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      fail(`${where} has shape ${describeShape(shape)}; a shape must be a list of non-negative integers; the file is corrupt`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      fail(`${where} has data_offsets ${describeShape(offsets)}; expected [begin, end] with non-negative integers; the file is corrupt`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`${where} has data_offsets [${begin}, ${end}] that end before they begin; the file is corrupt`);
    if (end > dataLength) {
      fail(`${where} has data_offsets [${begin}, ${end}] but the data buffer is only ${dataLength} bytes ` +
        `(file bytes ${dataStart}..${bytes.length}); the file is truncated`);
    }
    const dt = dtype as SafetensorsReadDtype;
    const elements = shapeProduct(shape as number[]);
    const needed = elements < 0 ? -1 : elements * ELEMENT_BYTES[dt];
    if (needed !== end - begin) {
      fail(`${where} has shape ${describeShape(shape)} and dtype ${dt}, which need ` +
        `${needed < 0 ? 'more than 2^53' : needed} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}; ` +
        'the header is inconsistent, so the file is corrupt');
    }
    entries.push({ name, dtype: dt, shape: (shape as number[]).slice(), begin, end });
  }

  // The tensors must tile the data buffer exactly: no overlaps, no gaps, nothing left over.
  const sorted = entries.slice().sort((a, b) => (a.begin - b.begin) || (a.end - b.end));
  let pos = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < pos) {
      fail(`tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] overlap tensor "${prev!.name}" [${prev!.begin}, ${prev!.end}]; ` +
        'each byte of the data buffer belongs to exactly one tensor, so the file is corrupt');
    }
    if (e.begin > pos) {
      fail(`data bytes ${pos}..${e.begin} belong to no tensor (gap ${prev ? `after tensor "${prev.name}"` : 'at the start'}, ` +
        `before tensor "${e.name}"); the offsets must cover the data buffer exactly, so the file is corrupt`);
    }
    pos = e.end;
    prev = e;
  }
  if (pos !== dataLength) {
    fail(`the tensors cover ${pos} bytes but the data buffer has ${dataLength} (${dataLength - pos} trailing bytes after ` +
      `${prev ? `tensor "${prev.name}"` : 'the header'}); the header is missing a tensor or the file has junk appended`);
  }

  const tensors: Record<string, DecodedSafetensorsTensor> = {};
  for (const e of entries) {
    // A fresh copy at offset 0, so it is aligned. Not bytes.slice(): on a Node Buffer that is a view.
    const raw = new Uint8Array(e.end - e.begin);
    raw.set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    const size = ELEMENT_BYTES[e.dtype];
    if (!LITTLE_ENDIAN && e.dtype !== 'F16' && e.dtype !== 'BF16') swapBytes(raw, size);
    let data: SafetensorsData;
    const count = raw.length / size;
    switch (e.dtype) {
      case 'F32': data = new Float32Array(raw.buffer, 0, count); break;
      case 'F64': data = new Float64Array(raw.buffer, 0, count); break;
      case 'I32': data = new Int32Array(raw.buffer, 0, count); break;
      case 'I64': data = new BigInt64Array(raw.buffer, 0, count); break;
      case 'U8': case 'BOOL': data = raw; break;
      case 'F16': case 'BF16': {
        const view = new DataView(raw.buffer);
        const f = new Float32Array(count);
        if (e.dtype === 'F16') {
          for (let i = 0; i < count; i++) f[i] = halfToFloat(view.getUint16(2 * i, true));
        } else {
          for (let i = 0; i < count; i++) f[i] = bf16ToFloat(view.getUint16(2 * i, true));
        }
        data = f;
        break;
      }
    }
    setOwn(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

const bf16Scratch = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32. */
function bf16ToFloat(bits: number): number {
  bf16Scratch.setUint32(0, bits << 16 >>> 0);
  return bf16Scratch.getFloat32(0);
}
