/**
 * A minimal WebAssembly binary encoder: just enough of the format (module header, the type,
 * function, memory, export and code sections, LEB128 integers and the handful of scalar and
 * 0xFD-prefixed SIMD opcodes our kernels use) to build a module from TypeScript at load time.
 * It exists so the wasm backend needs no external toolchain and no committed binary: the kernel
 * source is the TypeScript that emits it. Opcode numbers follow the WebAssembly 2.0 spec
 * (binary format, section 5) and the fixed-width SIMD proposal; only baseline simd128 is used.
 */

/** Value types (spec 5.3.1). */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128 of a non-negative integer below 2^32 (section sizes, indices, counts, memarg). */
export function uleb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uleb: ${value} is not a u32`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an integer in the i32 range (i32.const immediates). */
export function sleb(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`sleb: ${value} is not an i32`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7; // arithmetic shift keeps the sign
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Byte alignment exponents for memarg (a hint only: misaligned accesses still work). */
const ALIGN_F32 = 2;
const ALIGN_V128 = 4;

/**
 * An instruction sequence (a function body's expression). Methods append one instruction each
 * and return `this`, so a kernel reads as a flat list of instructions in stack order.
 */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }
  private memarg(align: number, offset: number): number[] {
    return [...uleb(align), ...uleb(offset)];
  }

  // control (blocks carry no values here: block type 0x40 = empty)
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if(): this { return this.op(0x04, 0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { return this.op(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...uleb(depth)); }

  // locals
  get(i: number): this { return this.op(0x20, ...uleb(i)); }
  set(i: number): this { return this.op(0x21, ...uleb(i)); }
  tee(i: number): this { return this.op(0x22, ...uleb(i)); }

  // i32 arithmetic
  i32(value: number): this { return this.op(0x41, ...sleb(value)); }
  i32Eqz(): this { return this.op(0x45); }
  i32LtU(): this { return this.op(0x49); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32DivU(): this { return this.op(0x6e); }

  // f32 scalar (only what tests and tails need)
  f32Load(offset = 0): this { return this.op(0x2a, ...this.memarg(ALIGN_F32, offset)); }
  f32Store(offset = 0): this { return this.op(0x38, ...this.memarg(ALIGN_F32, offset)); }
  f32Add(): this { return this.op(0x92); }

  // SIMD (0xFD prefix; opcode numbers from the simd128 spec)
  v128Load(offset = 0): this { return this.simd(0x00, ...this.memarg(ALIGN_V128, offset)); }
  /** Loads one f32 and broadcasts it to all four lanes (vbroadcastss on x64). */
  v128Load32Splat(offset = 0): this { return this.simd(0x09, ...this.memarg(ALIGN_F32, offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, ...this.memarg(ALIGN_V128, offset)); }
  /** v128.const with all 16 bytes zero. */
  v128Zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  /** i8x16.shuffle: byte lane i of the result is byte lanes[i] of (a ++ b), lanes in [0, 32). */
  i8x16Shuffle(lanes: number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) throw new RangeError('i8x16.shuffle needs 16 lane indices in [0, 32)');
    return this.simd(0x0d, ...lanes);
  }
  f32x4Splat(): this { return this.simd(0x13); }
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }
}

export interface FuncDef {
  /** Export name. */
  name: string;
  params: ValType[];
  results: ValType[];
  /** Types of the extra locals, in index order after the parameters. */
  locals: ValType[];
  body: Code;
}

export interface ModuleDef {
  funcs: FuncDef[];
  /** One linear memory, defined by the module and exported under this name. */
  memory?: { exportName: string; minPages: number };
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new Error(`export name '${s}': ASCII only`);
    bytes.push(c);
  }
  return [...uleb(bytes.length), ...bytes];
}

/** Run-length groups of equal local types, as the code section wants them. */
function localGroups(locals: ValType[]): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < locals.length;) {
    let j = i;
    while (j < locals.length && locals[j] === locals[i]) j++;
    groups.push([...uleb(j - i), locals[i]]);
    i = j;
  }
  return groups;
}

/** Encodes a module: every function gets its own type entry (no dedup needed at this size) and is exported. */
export function encodeModule(def: ModuleDef): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = def.funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  out.push(...section(1, vec(types)));
  out.push(...section(3, vec(def.funcs.map((_, i) => uleb(i)))));
  if (def.memory) out.push(...section(5, vec([[0x00, ...uleb(def.memory.minPages)]])));
  const exports = def.funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  if (def.memory) exports.push([...name(def.memory.exportName), 0x02, 0x00]);
  out.push(...section(7, vec(exports)));
  const bodies = def.funcs.map((f) => {
    const body = [...vec(localGroups(f.locals)), ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  out.push(...section(10, vec(bodies)));
  return Uint8Array.from(out);
}
