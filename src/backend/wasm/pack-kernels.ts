/**
 * Wasm packing kernels: rearrange an operand already copied ("staged") into the module memory
 * into the micro-panel order of the macro-kernel (gemm-module.ts). Packing element by element
 * in JavaScript costs ~0.7 ns per float; a staging memcpy plus these SIMD loops costs a fraction
 * of that, which matters for the MLP-sized products where packing was a third of GEMM time.
 *
 * A micro-panel of width W (MR for A, NR for B; a multiple of 4 here) holds kSteps rows of W
 * floats: panel[p][c] = op(X)[p][panel*W + c] for B, or op(X)[panel*W + c][p] for A. Two
 * source layouts occur:
 *  - "copy": the W values of one k step are contiguous in the source (B row-major, A stored
 *    transposed): each k step is W/4 vector copies.
 *  - "transpose": each of the W source rows is contiguous along k (A row-major, B stored
 *    transposed): 4 k steps x 4 rows at a time go through a 4x4 transpose of f32x4 vectors
 *    (8 shuffles: unpack low/high pairs, then combine 64-bit halves).
 * Both functions: (src, ldBytes, kSteps, panels, dst, panelStrideBytes), byte addresses; the
 * transpose needs kSteps % 4 == 0 and source rows readable (staged with zeros) up to kSteps.
 */
import { Code, I32, V128, type FuncDef, type ValType } from './encoder.js';

const SRC = 0, LD = 1, K_STEPS = 2, PANELS = 3, DST = 4, PANEL_STRIDE = 5;
const PARAMS: ValType[] = [I32, I32, I32, I32, I32, I32];

function localsFrom(first: number): { locals: ValType[]; local: (t: ValType) => number } {
  const locals: ValType[] = [];
  return { locals, local: (t) => { locals.push(t); return first + locals.length - 1; } };
}

/** "copy" packing: panel j, step p gets W floats from src + p*ld + j*W*4. */
export function buildPackCopy(width: number, name: string): FuncDef {
  const { locals, local } = localsFrom(PARAMS.length);
  const s = local(I32), d = local(I32), pLeft = local(I32), panelSrc = local(I32), panelDst = local(I32), jLeft = local(I32);
  const c = new Code();
  c.get(SRC).set(panelSrc).get(DST).set(panelDst).get(PANELS).set(jLeft);
  c.loop();
  c.get(panelSrc).set(s).get(panelDst).set(d).get(K_STEPS).set(pLeft);
  c.loop();
  for (let v = 0; v < width / 4; v++) c.get(d).get(s).v128Load(16 * v).v128Store(16 * v);
  c.get(s).get(LD).i32Add().set(s);
  c.get(d).i32(width * 4).i32Add().set(d);
  c.get(pLeft).i32(1).i32Sub().tee(pLeft).brIf(0);
  c.end();
  c.get(panelSrc).i32(width * 4).i32Add().set(panelSrc);
  c.get(panelDst).get(PANEL_STRIDE).i32Add().set(panelDst);
  c.get(jLeft).i32(1).i32Sub().tee(jLeft).brIf(0);
  c.end();
  return { name, params: PARAMS, results: [], locals, body: c };
}

/** Byte lanes of i8x16.shuffle selecting 32-bit lanes (0-3 from a, 4-7 from b). */
function lanes32(sel: [number, number, number, number]): number[] {
  return sel.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
}
const UNPACK_LO = lanes32([0, 4, 1, 5]); // a0 b0 a1 b1
const UNPACK_HI = lanes32([2, 6, 3, 7]); // a2 b2 a3 b3
const LOW_HALVES = lanes32([0, 1, 4, 5]); // a0 a1 b0 b1
const HIGH_HALVES = lanes32([2, 3, 6, 7]); // a2 a3 b2 b3

/** "transpose" packing: panel j, step p gets element p of source rows j*W .. j*W+W-1 (row r at src + r*ld). */
export function buildPackTranspose(width: number, name: string): FuncDef {
  const { locals, local } = localsFrom(PARAMS.length);
  const row = local(I32), d = local(I32), pOff = local(I32), pLeft = local(I32);
  const panelSrc = local(I32), panelDst = local(I32), jLeft = local(I32), panelRows = local(I32);
  const r = [local(V128), local(V128), local(V128), local(V128)];
  const t = [local(V128), local(V128), local(V128), local(V128)];
  const c = new Code();
  c.get(LD).i32(width).i32Mul().set(panelRows);
  c.get(SRC).set(panelSrc).get(DST).set(panelDst).get(PANELS).set(jLeft);
  c.loop();
  c.i32(0).set(pOff).get(panelDst).set(d).get(K_STEPS).i32(4).i32DivU().set(pLeft);
  c.loop(); // 4 k steps per iteration
  c.get(panelSrc).get(pOff).i32Add().set(row);
  for (let g = 0; g < width / 4; g++) {
    // Rows 4g..4g+3, k steps pOff..pOff+3: load, transpose, store one vector per k step.
    for (let i = 0; i < 4; i++) {
      c.get(row).v128Load().set(r[i]);
      c.get(row).get(LD).i32Add().set(row);
    }
    c.get(r[0]).get(r[1]).i8x16Shuffle(UNPACK_LO).set(t[0]);
    c.get(r[2]).get(r[3]).i8x16Shuffle(UNPACK_LO).set(t[1]);
    c.get(r[0]).get(r[1]).i8x16Shuffle(UNPACK_HI).set(t[2]);
    c.get(r[2]).get(r[3]).i8x16Shuffle(UNPACK_HI).set(t[3]);
    c.get(d).get(t[0]).get(t[1]).i8x16Shuffle(LOW_HALVES).v128Store((0 * width + 4 * g) * 4);
    c.get(d).get(t[0]).get(t[1]).i8x16Shuffle(HIGH_HALVES).v128Store((1 * width + 4 * g) * 4);
    c.get(d).get(t[2]).get(t[3]).i8x16Shuffle(LOW_HALVES).v128Store((2 * width + 4 * g) * 4);
    c.get(d).get(t[2]).get(t[3]).i8x16Shuffle(HIGH_HALVES).v128Store((3 * width + 4 * g) * 4);
  }
  c.get(pOff).i32(16).i32Add().set(pOff);
  c.get(d).i32(4 * width * 4).i32Add().set(d);
  c.get(pLeft).i32(1).i32Sub().tee(pLeft).brIf(0);
  c.end();
  c.get(panelSrc).get(panelRows).i32Add().set(panelSrc);
  c.get(panelDst).get(PANEL_STRIDE).i32Add().set(panelDst);
  c.get(jLeft).i32(1).i32Sub().tee(jLeft).brIf(0);
  c.end();
  return { name, params: PARAMS, results: [], locals, body: c };
}
