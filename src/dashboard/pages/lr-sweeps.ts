// LR sweeps page: each sweep made by `tradecraft lr-sweep`, rebuilt from its runs: the rates
// ranked by validation loss, the smoothed batch losses overlaid, the gradient norms, and the
// validation loss against the rate (log x, intervals over seeds).
import { definePage, type ApiContext } from '../page.js';
import { lrSweepTable, lrSweepCharts, type LrSweepFile, type LrSweepTrial, type LrSweepRow } from '../../tune/lr-sweep-table.js';
import { studyList, studyNamed, svgFigure, type TaggedRun } from './tune-study-runs.js';

function sweepFromRuns(name: string, runs: TaggedRun[]): LrSweepFile {
  const x = runs[0].extra;
  const trials: LrSweepTrial[] = runs.map(({ run, extra }) => {
    const s = (run.summary ?? {}) as Partial<LrSweepTrial>;
    const done = run.status === 'completed' || s.status === 'diverged';
    return { ...s, lr: Number(extra.lr), seed: run.info?.seed ?? 0, runId: run.id, status: done ? (s.status ?? 'completed') : 'running' } as LrSweepTrial;
  });
  const lrs = Array.isArray(x.lrs) ? (x.lrs as number[]) : [...new Set(trials.map((t) => t.lr))].sort((a, b) => a - b);
  const seeds = Array.isArray(x.seeds) ? (x.seeds as number[]) : [...new Set(trials.map((t) => t.seed))].sort((a, b) => a - b);
  return {
    kind: 'lr-sweep', version: 1, createdAt: '', updatedAt: '', trials,
    spec: { name, experiment: runs[0].run.info?.experiment ?? '?', lrs, seeds, steps: x.steps as number | undefined, epochs: x.epochs as number | undefined, overrides: {} },
  };
}

function metricsOf(ctx: ApiContext, t: LrSweepTrial): Array<{ step: number; name: string; value: number }> {
  const set = ctx.store.run(t.runId!).series();
  const out: Array<{ step: number; name: string; value: number }> = [];
  for (const name of ['batch_loss', 'grad_norm']) {
    const s = set.get('train', name);
    if (!s) continue;
    const steps = s.column('steps'), values = s.column('values');
    for (let i = 0; i < s.length; i++) out.push({ step: steps[i], name, value: values[i] });
  }
  return out;
}

export const lrSweepsPage = definePage({
  id: 'lr-sweeps',
  title: 'LR sweeps',
  nav: true,
  api: {
    list: (ctx) => ({ sweeps: studyList(ctx, 'lr-sweep') }),
    sweep: (ctx, q) => {
      const { name, runs } = studyNamed(ctx, 'lr-sweep', q, 'LR sweep');
      const file = sweepFromRuns(name, runs);
      return { name, experiment: file.spec.experiment, table: lrSweepTable(file), charts: lrSweepCharts(file, (t) => metricsOf(ctx, t)) };
    },
  },
  render: async (ui) => {
    ui.root.append(ui.el('h1', {}, 'LR sweeps'));
    const { sweeps } = await ui.api<{ sweeps: Array<{ name: string; experiment: string; runs: number }> }>('list');
    if (sweeps.length === 0) {
      ui.root.append(ui.el('p', {}, 'No sweep yet: run `tradecraft lr-sweep <experiment> --lrs 1e-4,1e-3,1e-2`.'));
      return;
    }
    const name = ui.query.get('name') ?? sweeps[0].name;
    const d = await ui.api<{ name: string; experiment: string; table: LrSweepRow[]; charts: { loss: string; gradNorm: string; val: string } }>('sweep', { name });
    ui.root.append(ui.el('h2', {}, `${d.name} (${d.experiment}): ranked by validation loss`));
    const fmt = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toPrecision(4) : String(v ?? ''));
    ui.root.append(ui.table([
      { key: 'rank', label: 'rank', numeric: true },
      { key: 'lr', label: 'lr', numeric: true, format: fmt },
      { key: 'valLoss', label: 'val loss', numeric: true, format: fmt },
      { key: 'lo', label: '95% lo', numeric: true, format: fmt },
      { key: 'hi', label: '95% hi', numeric: true, format: fmt },
      { key: 'valAccuracy', label: 'val acc', numeric: true, format: fmt },
      { key: 'gradNormVar', label: 'grad norm var', numeric: true, format: fmt },
      { key: 'seeds', label: 'seeds', numeric: true },
    ], d.table as unknown as Array<Record<string, unknown>>, { sortKey: 'rank' }));
    for (const svg of [d.charts.loss, d.charts.gradNorm, d.charts.val]) ui.root.append(svgFigure((t, a) => ui.el(t, a), svg));
    if (sweeps.length > 1) {
      ui.root.append(ui.el('h2', {}, 'All sweeps'));
      for (const s of sweeps) ui.root.append(ui.el('p', {}, ui.el('a', { href: ui.link('lr-sweeps', { name: s.name }) }, `${s.name} (${s.experiment}, ${s.runs} runs)`)));
    }
  },
});
