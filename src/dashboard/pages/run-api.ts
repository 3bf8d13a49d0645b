// The run page's routes: everything about one run except its curves (`info`), one curve
// (`series`), the gradient norm with its running mean and spread (`gradnorm`) and the per-epoch
// train/validation chart data (`epochs`).
import { ApiError, type ApiContext } from '../page.js';
import type { RunView } from '../api-types.js';
import { parseSeriesQuery, querySeries } from '../series/series-query.js';
import { runningMeanVar, debiasedEma } from '../series/smoothing.js';
import { minMaxIndices, pick } from '../series/downsample.js';
import { xColumn } from '../series/x-axis.js';
import { bestEpoch, epochHistory, intervalOf } from '../series/epoch-history.js';

export function runOf(ctx: ApiContext, q: URLSearchParams): RunView {
  const id = q.get('id');
  if (!id) throw new ApiError(400, 'missing ?id=<run id>');
  return ctx.store.run(id);
}

export function runInfo(ctx: ApiContext, q: URLSearchParams): unknown {
  const run = runOf(ctx, q);
  const set = run.series();
  const summary = run.summary;
  const history = epochHistory(run);
  const testSet = (run.split?.hashes as { test?: string } | undefined)?.test;
  const ledger = ctx.store.ledger();
  const ledgerUses = testSet ? ledger.filter((e) => e.testSet === testSet) : ledger.filter((e) => e.runId === run.id);
  const models = new Set(ledgerUses.map((e) => e.modelHash)).size;
  return {
    id: run.id, status: run.status, error: run.error, info: run.info, split: run.split, checkpoints: run.checkpoints,
    metrics: [...set.series.values()].map((s) => ({ key: `${s.split}/${s.name}`, count: s.length, last: s.last, min: s.min, max: s.max })),
    records: set.records,
    summary: summary ? Object.fromEntries(Object.entries(summary).filter(([k]) => k !== 'history')) : null,
    history: history.rows,
    best: bestEpoch(history),
    test: typeof summary?.testAccuracy === 'number' ? { accuracy: summary.testAccuracy, ci: intervalOf(summary.testAccuracyCI), loss: summary.testLoss ?? null } : null,
    ledger: {
      testSet: testSet ?? null, evaluations: ledgerUses.length, models,
      warning: models > 1 ? `this test set has been evaluated for ${models} different models (${ledgerUses.length} evaluations): a score picked as the best of them is optimistic; choose on validation data` : null,
    },
  };
}

export function runSeries(ctx: ApiContext, q: URLSearchParams): unknown {
  const run = runOf(ctx, q);
  const query = parseSeriesQuery(q);
  const r = querySeries(run.series(), query);
  if (!r) throw new ApiError(404, `run ${run.id} has no metric '${query.metric}'`);
  return r;
}

export function runGradNorm(ctx: ApiContext, q: URLSearchParams): unknown {
  const run = runOf(ctx, q);
  const query = parseSeriesQuery(q, 'grad_norm');
  const set = run.series();
  const s = set.find(query.metric);
  if (!s) throw new ApiError(404, `run ${run.id} has no metric '${query.metric}'`);
  const window = Math.max(1, Math.min(10_000, Math.floor(Number(q.get('window') ?? 100)) || 100));
  const x = xColumn(s, query.x, set.startTime);
  const raw = s.column('values');
  const { mean, variance } = runningMeanVar(raw, window);
  const sd = variance.map(Math.sqrt);
  const lo = mean.map((m, i) => m - sd[i]), hi = mean.map((m, i) => m + sd[i]);
  const shown = query.smooth > 0 ? debiasedEma(raw, query.smooth) : raw;
  const idx = minMaxIndices(x, [raw, lo, hi], query.from ?? -Infinity, query.to ?? Infinity, query.points);
  return { metric: query.metric, window, x: pick(x, idx), raw: pick(raw, idx), smoothed: query.smooth > 0 ? pick(shown, idx) : null, mean: pick(mean, idx), lo: pick(lo, idx), hi: pick(hi, idx) };
}

export function runEpochs(ctx: ApiContext, q: URLSearchParams): unknown {
  const run = runOf(ctx, q);
  const h = epochHistory(run);
  const col = (k: string): Array<number | null> => h.rows.map((r) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? r[k] as number : null));
  return {
    epoch: h.rows.map((r) => r.epoch),
    train_loss: col('train_loss'), val_loss: col('val_loss'),
    train_accuracy: col('train_accuracy'), val_accuracy: col('val_accuracy'),
    train_lo: h.intervals.train.map((i) => i?.lo ?? null), train_hi: h.intervals.train.map((i) => i?.hi ?? null),
    val_lo: h.intervals.val.map((i) => i?.lo ?? null), val_hi: h.intervals.val.map((i) => i?.hi ?? null),
    source: h.source,
  };
}
