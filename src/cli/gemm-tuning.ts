/** The GEMM tuning report of the native addon (native/gemm_tuning.cc tune_gemm), and its table. */
/** `order`: the two innermost loops, 'jr-ir' (B's micro-panel in L1) or 'ir-jr' (A's micro-panel in L1). */
export interface GemmTuningCandidate { tile: string; mc: number; kc: number; nc: number; order: string; identical: boolean; score: number; gflops: number[] }

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
  path: string;
  written: boolean;
  writeError?: string;
  measured: string;
}

/** One row per candidate: tile, MC, loop order, GFLOP/s per problem, the geometric mean, and which was chosen. */
export function gemmTuningTable(r: GemmTuningReport): string {
  const head = ['tile', 'MC', 'order', ...r.problems, 'geo. mean', ''];
  const rows = r.candidates.map((c, i) => [
    c.tile, String(c.mc), c.order, ...c.gflops.map((g) => g.toFixed(1)), c.score.toFixed(1),
    [i === r.best ? 'chosen' : '', i === r.default ? 'default' : '', c.identical ? '' : 'DIFFERENT BITS: rejected'].filter(Boolean).join(', '),
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => (j <= 2 || j === cells.length - 1 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
