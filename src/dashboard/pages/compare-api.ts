// The compare page's routes: the chosen runs with the hyperparameters that differ and their
// seed groups (`runs`), and one metric for all of them on a shared x (`series`), optionally
// with seed groups as a mean and a 95% band.
import { ApiError, type ApiContext } from '../page.js';
import { parseSeriesQuery } from '../series/series-query.js';
import { debiasedEma } from '../series/smoothing.js';
import { bucketMeans, minMaxIndices } from '../series/downsample.js';
import { xColumn } from '../series/x-axis.js';
import { differingHparams, meanInterval, seedGroups } from '../series/seed-groups.js';
import { bestEpoch, epochHistory, intervalOf } from '../series/epoch-history.js';
import type { RunView } from '../api-types.js';

function chosen(ctx: ApiContext, q: URLSearchParams): RunView[] {
  const ids = [...new Set(q.getAll('ids').flatMap((s) => s.split(',')).filter(Boolean))];
  if (ids.length === 0) throw new ApiError(400, 'choose runs: ?ids=<run id>&ids=<run id>');
  if (ids.length > 50) throw new ApiError(400, `at most 50 runs at once, got ${ids.length}`);
  return ids.map((id) => ctx.store.run(id));
}

const described = (r: RunView) => ({ id: r.id, experiment: r.info?.experiment ?? '?', hparams: r.info?.hparams ?? {} });

export function compareRuns(ctx: ApiContext, q: URLSearchParams): unknown {
  const runs = chosen(ctx, q);
  const rows = runs.map((r) => {
    const best = bestEpoch(epochHistory(r));
    const s = r.summary;
    return { ...described(r), status: r.status, error: r.error, best, test: typeof s?.testAccuracy === 'number' ? { accuracy: s.testAccuracy, ci: intervalOf(s.testAccuracyCI) } : null, metrics: r.series().keys() };
  });
  return { runs: rows, differing: differingHparams(rows), groups: seedGroups(rows) };
}

export function compareSeries(ctx: ApiContext, q: URLSearchParams): unknown {
  const runs = chosen(ctx, q);
  const query = parseSeriesQuery(q);
  const grouped = q.get('group') === '1';
  const lines = runs.map((r) => {
    const set = r.series();
    const s = set.find(query.metric);
    if (!s || s.length === 0) return { id: r.id, x: new Float64Array(0), y: new Float64Array(0) };
    const raw = s.column('values');
    return { id: r.id, x: xColumn(s, query.x, set.startTime), y: query.smooth > 0 ? debiasedEma(raw, query.smooth) : raw };
  });
  const from = query.from ?? -Infinity, to = query.to ?? Infinity;
  if (!grouped) {
    // Each run keeps its own extremes; the x values are merged and a run is null where it has no point.
    const per = lines.map((l) => ({ id: l.id, idx: minMaxIndices(l.x, [l.y], from, to, Math.max(50, Math.floor(query.points / lines.length))), l }));
    const xs = [...new Set(per.flatMap((p) => p.idx.map((i) => p.l.x[i])))].sort((a, b) => a - b);
    const where = new Map(xs.map((x, k) => [x, k]));
    const ys = per.map((p) => {
      const col: Array<number | null> = new Array(xs.length).fill(null);
      for (const i of p.idx) col[where.get(p.l.x[i])!] = Number.isFinite(p.l.y[i]) ? p.l.y[i] : null;
      return col;
    });
    return { metric: query.metric, x: xs, lines: per.map((p, k) => ({ label: p.id, y: ys[k] })) };
  }
  let lo = Infinity, hi = -Infinity;
  for (const l of lines) {
    const a = l.x.findIndex((v) => v >= from);
    if (a < 0) continue;
    lo = Math.min(lo, l.x[a]);
    for (let i = l.x.length - 1; i >= 0; i--) if (l.x[i] <= to) { hi = Math.max(hi, l.x[i]); break; }
  }
  if (!(hi >= lo)) return { metric: query.metric, x: [], lines: [] };
  const buckets = Math.max(1, Math.min(750, Math.floor(query.points / 2)));
  // Few distinct x values (per-epoch metrics, short runs): average the runs at each x exactly.
  // Many: average within equal-width x buckets, so runs with different steps line up.
  const distinct = new Set<number>();
  for (const l of lines) for (const v of l.x) if (v >= lo && v <= hi && distinct.size <= buckets) distinct.add(v);
  const exact = distinct.size <= buckets;
  const width = (hi - lo) / buckets;
  const x = exact ? [...distinct].sort((p, q) => p - q) : Array.from({ length: buckets }, (_, b) => (hi === lo ? lo : lo + (b + 0.5) * width));
  const column = (l: { x: Float64Array; y: Float64Array }): Float64Array => {
    if (!exact) return bucketMeans(l.x, l.y, lo, hi, buckets);
    const at = new Map<number, number>();
    for (let i = 0; i < l.x.length; i++) at.set(l.x[i], l.y[i]);
    return Float64Array.from(x, (v) => at.get(v) ?? NaN);
  };
  const byId = new Map(lines.map((l) => [l.id, l]));
  const groups = seedGroups(runs.map(described));
  const out = groups.map((g) => {
    const cols = g.ids.map((id) => column(byId.get(id)!));
    const { mean, lo: l, hi: h } = meanInterval(cols);
    const clean = (a: number[]): Array<number | null> => a.map((v) => (Number.isFinite(v) ? v : null));
    return { label: g.ids.length > 1 ? `${g.ids.length} seeds: ${g.ids.join(', ')}` : g.ids[0], runs: g.ids, y: clean(mean), lo: g.ids.length > 1 ? clean(l) : null, hi: g.ids.length > 1 ? clean(h) : null };
  });
  return { metric: query.metric, x, lines: out };
}
