import { overSeeds, type SeedSummary } from '../experiments/repro/seed-interval.js';
import { lineChartSvg } from '../experiments/repro/svg-chart.js';
import type { Condition, ImpResult } from './imp.js';

export interface LotteryRow { round: number; condition: Condition; remaining: number; val: SeedSummary; test: SeedSummary }

export interface LotteryClaim {
  claim: string;
  held: boolean;
  unprunedTest: number;
  /** The sparsest round whose remaining fraction is >= 7% (0.065 allows for rounding of rates). */
  rewindAt7?: { remaining: number; test: number; gap: number };
  /** Every rewinding round down to ~7% is within 1 point of unpruned. */
  rewindWithin1: boolean;
  reinitAt36?: { remaining: number; rewind: number; reinit: number; gap: number; pairedLo: number; pairedHi: number };
  reinitBelow: boolean;
  detail: string;
}

/** Mean and 95% interval over seeds of validation and test accuracy, per round and condition. */
export function summarizeLottery(results: ImpResult[]): LotteryRow[] {
  const keys = [...new Set(results.map((r) => `${r.round}|${r.condition}`))];
  return keys.map((k) => {
    const rs = results.filter((r) => `${r.round}|${r.condition}` === k);
    // An accuracy lies in [0, 1]; a t-interval over 2-3 seeds can reach past it, so it is clipped.
    const clip = (s: SeedSummary): SeedSummary => ({ ...s, lo: Math.max(0, s.lo), hi: Math.min(1, s.hi) });
    return { round: rs[0].round, condition: rs[0].condition, remaining: rs[0].remaining, val: clip(overSeeds(rs.map((r) => r.valAccuracy))), test: clip(overSeeds(rs.map((r) => r.testAccuracy))) };
  }).sort((a, b) => a.round - b.round || a.condition.localeCompare(b.condition));
}

/**
 * Frankle & Carbin's Figure 3 shape at CPU scale: rewound tickets stay within 1 point of the
 * unpruned network's test accuracy down to ~7% of weights remaining, while the same masks
 * re-initialized fall measurably below at 3.6% or less (the mean gap exceeds 1 point and the
 * 95% interval of the paired rewind - reinit difference over seeds excludes 0; one seed gives
 * no interval, and then only the gap counts).
 */
export function lotteryClaim(results: ImpResult[]): LotteryClaim {
  const claim = 'rewinding stays within 1 point of unpruned down to ~7% weights remaining; reinitialization falls measurably below at <= 3.6%';
  const acc = (round: number, c: Condition) => results.filter((r) => r.round === round && r.condition === c).sort((a, b) => a.seed - b.seed);
  const unpruned = overSeeds(acc(0, 'rewind').map((r) => r.testAccuracy)).mean;
  const rounds = [...new Set(results.map((r) => r.round))].sort((a, b) => a - b);
  const remainingOf = (round: number) => results.find((r) => r.round === round)!.remaining;
  const down7 = rounds.filter((r) => remainingOf(r) >= 0.065);
  const rewindMeans = down7.map((r) => overSeeds(acc(r, 'rewind').map((x) => x.testAccuracy)).mean);
  const rewindWithin1 = down7.length > 1 && remainingOf(down7[down7.length - 1]) < 0.08 && rewindMeans.every((m) => m >= unpruned - 0.01);
  const last7 = down7[down7.length - 1];
  const rewindAt7 = last7 !== undefined && remainingOf(last7) < 0.08 ? { remaining: remainingOf(last7), test: rewindMeans[rewindMeans.length - 1], gap: unpruned - rewindMeans[rewindMeans.length - 1] } : undefined;
  const sparse = rounds.filter((r) => remainingOf(r) <= 0.0365 && acc(r, 'reinit').length > 0);
  let reinitAt36: LotteryClaim['reinitAt36'];
  let reinitBelow = false;
  if (sparse.length) {
    const r = sparse[0];
    const rw = acc(r, 'rewind'), ri = acc(r, 'reinit');
    const diffs = ri.map((x) => rw.find((y) => y.seed === x.seed)!.testAccuracy - x.testAccuracy);
    const d = overSeeds(diffs);
    const rwMean = overSeeds(rw.map((x) => x.testAccuracy)).mean, riMean = overSeeds(ri.map((x) => x.testAccuracy)).mean;
    reinitAt36 = { remaining: remainingOf(r), rewind: rwMean, reinit: riMean, gap: rwMean - riMean, pairedLo: d.lo, pairedHi: d.hi };
    reinitBelow = rwMean - riMean > 0.01 && unpruned - riMean > 0.01 && (d.n < 2 || d.lo > 0);
  }
  const pct = (v: number) => (100 * v).toFixed(2);
  const detail = [
    `unpruned test accuracy ${pct(unpruned)}%`,
    rewindAt7 ? `rewinding at ${pct(rewindAt7.remaining)}% remaining: ${pct(rewindAt7.test)}% (${pct(rewindAt7.gap)} points below unpruned; every round down to it within 1 point: ${rewindWithin1 ? 'yes' : 'no'})` : 'no round reached ~7% remaining (run more rounds)',
    reinitAt36 ? `at ${pct(reinitAt36.remaining)}%: rewinding ${pct(reinitAt36.rewind)}%, reinit ${pct(reinitAt36.reinit)}% (gap ${pct(reinitAt36.gap)} points, paired 95% interval [${pct(reinitAt36.pairedLo)}, ${pct(reinitAt36.pairedHi)}])` : 'no reinit control at <= 3.6% remaining (run 15+ rounds at rate 0.2 with --control reinit)',
  ].join('; ');
  return { claim, held: rewindWithin1 && reinitBelow, unprunedTest: unpruned, rewindAt7, rewindWithin1, reinitAt36, reinitBelow, detail };
}

export function lotteryTable(rows: LotteryRow[]): string[] {
  const ci = (s: SeedSummary) => `${(100 * s.mean).toFixed(2)} [${(100 * s.lo).toFixed(2)}, ${(100 * s.hi).toFixed(2)}]`;
  const out = ['round  remaining  condition  val acc % [95% CI]        test acc % [95% CI]       seeds'];
  for (const r of rows) out.push(`${String(r.round).padStart(5)}  ${(100 * r.remaining).toFixed(2).padStart(8)}%  ${r.condition.padEnd(9)}  ${ci(r.val).padEnd(24)}  ${ci(r.test).padEnd(24)}  ${r.test.n}`);
  return out;
}

/** Test accuracy against weights remaining (log x, 100% on the left), one line per condition. */
export function lotteryPlot(rows: LotteryRow[], title: string): string {
  const conditions = [...new Set(rows.map((r) => r.condition))];
  const unpruned = rows.find((r) => r.round === 0)?.test.mean;
  return lineChartSvg({
    title, xLabel: 'weights remaining (%)', yLabel: 'test accuracy (%), mean and 95% interval over seeds', logX: true, reverseX: true,
    series: conditions.map((c) => ({
      name: c === 'rewind' ? 'rewinding (ticket)' : c === 'reinit' ? 'same masks, reinit' : 'random masks',
      dashed: c !== 'rewind',
      points: rows.filter((r) => r.condition === c || (r.round === 0 && c !== 'rewind')).map((r) => ({ x: 100 * r.remaining, y: 100 * r.test.mean, lo: 100 * r.test.lo, hi: 100 * r.test.hi })),
    })),
    linesY: unpruned !== undefined ? [{ y: 100 * unpruned - 1, label: 'unpruned - 1 point' }] : [],
    markersX: [{ x: 7, label: '7%' }, { x: 3.6, label: '3.6%' }],
  });
}
