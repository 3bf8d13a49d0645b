import { wilsonInterval } from '../../stats/binomial-interval.js';
import type { Direction, TrialState } from '../types.js';
import { bestOf, emptyCounts, type TrialRecord } from './store.js';

export interface StudyProgress {
  counts: Record<TrialState, number>;
  best: TrialRecord | null;
  /** 95% Wilson interval of the best value when it is an accuracy over a known number of validation examples. */
  bestInterval: [number, number] | null;
}

export function studyProgress(trials: readonly TrialRecord[], direction: Direction, metric = ''): StudyProgress {
  const counts = emptyCounts();
  for (const t of trials) counts[t.state]++;
  const best = bestOf(trials, direction) as TrialRecord | null;
  let bestInterval: [number, number] | null = null;
  const n = Number(best?.attrs.valN);
  if (best && /accuracy/.test(metric) && Number.isInteger(n) && n > 0 && best.value! >= 0 && best.value! <= 1) {
    const w = wilsonInterval(Math.round(best.value! * n), n, 0.95);
    bestInterval = [w.lo, w.hi];
  }
  return { counts, best, bestInterval };
}

/** One status line: "12 done (3 pruned, 0 failed), 2 running | best val_accuracy 0.9712 [0.9663, 0.9754] (trial 8)". */
export function progressLine(p: StudyProgress, metric: string, budget?: number): string {
  const c = p.counts;
  const done = c.complete + c.pruned;
  const head = `${done}${budget ? `/${budget}` : ''} done (${c.complete} complete, ${c.pruned} pruned), ${c.running} running, ${c.failed} failed${c.waiting ? `, ${c.waiting} waiting` : ''}`;
  if (!p.best) return `${head} | no complete trial yet`;
  const ci = p.bestInterval ? ` [${p.bestInterval[0].toFixed(4)}, ${p.bestInterval[1].toFixed(4)}]` : '';
  return `${head} | best ${metric || 'value'} ${p.best.value!.toFixed(4)}${ci} (trial ${p.best.number})`;
}

/** Trials as CSV: number, state, value, one column per parameter, the retry link and the run directory. */
export function trialsCsv(trials: readonly TrialRecord[]): string {
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const steps = [...new Set(trials.flatMap((t) => Object.keys(t.intermediate).map(Number)))].sort((a, b) => a - b);
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = ['number', 'state', 'value', ...params.map((p) => `param_${p}`), ...steps.map((s) => `step_${s}`), 'retry_of', 'duration_s', 'run_dir'];
  const rows = trials.map((t) => [
    t.number, t.state, t.value, ...params.map((p) => t.params[p]), ...steps.map((s) => t.intermediate[s]), t.retryOf,
    t.startedAt !== null && t.finishedAt !== null ? ((t.finishedAt - t.startedAt) / 1000).toFixed(3) : '', t.attrs.runDir,
  ].map(cell).join(','));
  return [header.join(','), ...rows].join('\n') + '\n';
}
