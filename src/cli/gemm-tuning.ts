/** The GEMM tuning report of the native addon (native/gemm_tuning.cc tune_gemm), and its table. */
/** `order`: the two innermost loops, 'jr-ir' (B's micro-panel in L1) or 'ir-jr' (A's micro-panel in L1). */
export interface GemmTuningCandidate { tile: string; mc: number; kc: number; nc: number; order: string; identical: boolean; score: number; gflops: number[] }

/** The second stage: NC (columns of B per packed block) for the chosen tile, MC and order, on one wide product. */
export interface GemmNcStage {
  /** 'MxNxK' of the wide product, or null when the first stage chose nothing. */
  problem: string | null;
  candidates: Array<{ nc: number; identical: boolean; gflops: number }>;
  default: number;
  best: number;
  confirmedGain: number | null;
}

export interface GemmTuningReport {
  isa: string;
  cpu: string;
  seconds: number;
  rounds: number;
  problems: string[];
  candidates: GemmTuningCandidate[];
  /** Fraction by which a candidate must beat the default to be chosen, in the screen and again head to head. */
  minGain: number;
  /** The screen's winner over the default in the head-to-head re-measurement (a fraction), or null when none was run. */
  confirmedGain: number | null;
  /** Indices into candidates (-1 if none). */
  default: number;
  best: number;
  nc: GemmNcStage;
  path: string;
  written: boolean;
  writeError?: string;
  measured: string;
}

function verdict(i: number, best: number, def: number, identical: boolean): string {
  return [i === best ? 'chosen' : '', i === def ? 'default' : '', identical ? '' : 'DIFFERENT BITS: rejected'].filter(Boolean).join(', ');
}

/** Left-aligned text columns (the first `textColumns` and the last), right-aligned numbers. */
function table(head: string[], rows: string[][], textColumns: number): string {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => (j < textColumns || j === cells.length - 1 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One row per candidate: tile, MC, loop order, GFLOP/s per problem, the geometric mean, and which was chosen. */
export function gemmTuningTable(r: GemmTuningReport): string {
  const rows = r.candidates.map((c, i) => [
    c.tile, String(c.mc), c.order, ...c.gflops.map((g) => g.toFixed(1)), c.score.toFixed(1), verdict(i, r.best, r.default, c.identical),
  ]);
  return table(['tile', 'MC', 'order', ...r.problems, 'geo. mean', ''], rows, 3);
}

/** One row per NC candidate of the second stage, on its wide product. */
export function gemmNcTable(r: GemmTuningReport): string {
  const s = r.nc;
  const rows = s.candidates.map((c, i) => [String(c.nc), c.gflops.toFixed(1), verdict(i, s.best, s.default, c.identical)]);
  return table(['NC', s.problem ?? '', ''], rows, 1);
}
