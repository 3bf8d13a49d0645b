/**
 * Builds the wasm GEMM macro-kernel: C_block (+)= packedA_block @ packedB_block, over operands
 * the JavaScript side has already packed into the module's linear memory (see gemm.ts).
 *
 * Register tile MR x NR with NR = 4*NV: MR*NV f32x4 accumulators live in locals (TurboFan keeps
 * them in xmm registers); each k step loads NV vectors of B, broadcasts each of the MR A values
 * (v128.load32_splat) and does MR*NV multiply-adds. Baseline simd128 has no FMA, so a step is a
 * mul and an add per accumulator. The default 4x8 tile (8 accumulators + 2 B vectors + splats
 * and temporaries) fits x64's 16 xmm registers; 6x8 measured ~20% slower because TurboFan
 * hoists all six splats ahead of the multiplies and spills accumulators. The k loop is not
 * unrolled by default: TurboFan unrolls such a small wasm loop itself, and unrolling here as
 * well measured slower (the unroll option stays for engines that do not).
 *
 * The packing pads every operand to whole tiles and k to a multiple of the unroll factor (with
 * zeros), so this kernel has no edge cases: the JavaScript write-back drops the padding.
 *
 * Exported function `macro(aPtr, bPtr, cPtr, mTiles, nTiles, kSteps, ldcBytes, accumulate)`:
 *   packed A: mTiles micro-panels, each kSteps x MR floats (A[p][r] at ((tile*kSteps + p)*MR + r)*4)
 *   packed B: nTiles micro-panels, each kSteps x NR floats
 *   C: row-major floats at cPtr with row stride ldcBytes; tile (i, j) at cPtr + i*MR*ldc + j*NR*4
 *   accumulate = 0 overwrites C, 1 adds to it (later depth blocks add to the first one's result).
 * All counts are >= 1 and kSteps is a multiple of the unroll factor.
 */
import { Code, encodeModule, I32, V128, type FuncDef, type ValType } from './encoder.js';
import { buildPackCopy, buildPackTranspose } from './pack-kernels.js';

export interface GemmKernelShape {
  /** Rows of the register tile. */
  mr: number;
  /** f32x4 vectors per tile row (NR = 4*nv columns). */
  nv: number;
  /** k steps per loop iteration (fewer branches and pointer bumps per multiply-add). */
  unroll: number;
}

export const DEFAULT_SHAPE: GemmKernelShape = { mr: 4, nv: 2, unroll: 1 };

// Parameter indices of `macro`.
const A_PTR = 0, B_PTR = 1, C_PTR = 2, M_TILES = 3, N_TILES = 4, K_STEPS = 5, LDC = 6, ACCUMULATE = 7;

export function buildMacroKernel(shape: GemmKernelShape): FuncDef {
  const { mr, nv, unroll } = shape;
  const nr = 4 * nv;
  const locals: ValType[] = [];
  const local = (t: ValType): number => { locals.push(t); return 8 + locals.length - 1; };
  const jLeft = local(I32), iLeft = local(I32), kLeft = local(I32);
  const ap = local(I32), bp = local(I32), aTile = local(I32), bPanel = local(I32);
  const cTile = local(I32), cPanel = local(I32), row = local(I32), kIters = local(I32);
  const acc: number[][] = [];
  for (let r = 0; r < mr; r++) acc.push(Array.from({ length: nv }, () => local(V128)));
  const bvec = Array.from({ length: nv }, () => local(V128));
  const aval = local(V128);

  const c = new Code();
  c.get(K_STEPS).i32(unroll).i32DivU().set(kIters);

  c.get(B_PTR).set(bPanel).get(C_PTR).set(cPanel).get(N_TILES).set(jLeft);
  c.loop(); // over column panels of B (jr)
  c.get(A_PTR).set(aTile).get(cPanel).set(cTile).get(M_TILES).set(iLeft);
  c.loop(); // over row panels of A (ir)
  c.get(aTile).set(ap).get(bPanel).set(bp).get(kIters).set(kLeft);
  for (const rowAcc of acc) for (const x of rowAcc) c.v128Zero().set(x);

  c.loop(); // over k, `unroll` steps per iteration, addresses as constant offsets from ap/bp
  for (let u = 0; u < unroll; u++) {
    for (let v = 0; v < nv; v++) c.get(bp).v128Load((u * nr + 4 * v) * 4).set(bvec[v]);
    for (let r = 0; r < mr; r++) {
      c.get(ap).v128Load32Splat((u * mr + r) * 4).set(aval);
      for (let v = 0; v < nv; v++) {
        c.get(acc[r][v]).get(aval).get(bvec[v]).f32x4Mul().f32x4Add().set(acc[r][v]);
      }
    }
  }
  c.get(ap).i32(unroll * mr * 4).i32Add().set(ap);
  c.get(bp).i32(unroll * nr * 4).i32Add().set(bp);
  c.get(kLeft).i32(1).i32Sub().tee(kLeft).brIf(0);
  c.end();

  // Later depth blocks add onto what the earlier ones left in C.
  c.get(ACCUMULATE).if();
  c.get(cTile).set(row);
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) c.get(acc[r][v]).get(row).v128Load(16 * v).f32x4Add().set(acc[r][v]);
    if (r < mr - 1) c.get(row).get(LDC).i32Add().set(row);
  }
  c.end();
  c.get(cTile).set(row);
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) c.get(row).get(acc[r][v]).v128Store(16 * v);
    if (r < mr - 1) c.get(row).get(LDC).i32Add().set(row);
  }

  // Next row panel: A advances by one packed micro-panel, C by MR rows.
  c.get(aTile).get(K_STEPS).i32(mr * 4).i32Mul().i32Add().set(aTile);
  c.get(cTile).get(LDC).i32(mr).i32Mul().i32Add().set(cTile);
  c.get(iLeft).i32(1).i32Sub().tee(iLeft).brIf(0);
  c.end();

  // Next column panel: B advances by one packed micro-panel, C by NR columns.
  c.get(bPanel).get(K_STEPS).i32(nr * 4).i32Mul().i32Add().set(bPanel);
  c.get(cPanel).i32(nr * 4).i32Add().set(cPanel);
  c.get(jLeft).i32(1).i32Sub().tee(jLeft).brIf(0);
  c.end();

  return {
    name: 'macro',
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals,
    body: c,
  };
}

/**
 * The whole module: the macro-kernel, the packing kernels (pack-kernels.ts) for the operands
 * whose panel width is a multiple of 4 (packACopy/packATrans, packBCopy/packBTrans), and one
 * exported memory the JavaScript side grows as needed.
 */
export function buildGemmModule(shape: GemmKernelShape = DEFAULT_SHAPE): Uint8Array {
  const funcs = [buildMacroKernel(shape)];
  if (shape.mr % 4 === 0) funcs.push(buildPackCopy(shape.mr, 'packACopy'), buildPackTranspose(shape.mr, 'packATrans'));
  funcs.push(buildPackCopy(4 * shape.nv, 'packBCopy'), buildPackTranspose(4 * shape.nv, 'packBTrans'));
  return encodeModule({ funcs, memory: { exportName: 'memory', minPages: 1 } });
}
