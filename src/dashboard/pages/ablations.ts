// Ablations page: each study made by `tradecraft ablate`, rebuilt from its runs: the validation
// metric per variant with its interval over seeds, the paired difference to the reference with
// its interval and verdict, and a bar chart of the differences with error bars.
import { definePage } from '../page.js';
import { ablationTable, type AblationStudyFile, type AblationTrial, type AblationRow, type AblationMode } from '../../tune/ablation-table.js';
import { barChart } from '../../tune/svg-chart.js';
import { studyList, studyNamed, svgFigure, type TaggedRun } from './tune-study-runs.js';

function studyFromRuns(name: string, runs: TaggedRun[]): AblationStudyFile {
  const x = runs[0].extra;
  // Runs from before the study spec was kept in run.json: val_accuracy when they logged it.
  const logsAccuracy = runs.some(({ run }) => typeof (run.summary as Record<string, unknown> | null)?.val_accuracy === 'number');
  const metric = String(x.metric ?? (logsAccuracy ? 'val_accuracy' : 'val_loss'));
  const trials: AblationTrial[] = runs.map(({ run, extra }) => {
    const value = (run.summary as Record<string, unknown> | null)?.[metric];
    const done = run.status === 'completed' && typeof value === 'number';
    return { variant: String(extra.variant), seed: run.info?.seed ?? 0, runId: run.id, status: done ? 'completed' : 'running', value: done ? value : undefined };
  });
  const features = Array.isArray(x.features) ? (x.features as string[])
    : [...new Set(trials.map((t) => t.variant).filter((v) => /^[-+]/.test(v)).map((v) => v.slice(1)))];
  const mode: AblationMode = x.mode === 'add-one' || trials.some((t) => t.variant === 'baseline') ? 'add-one' : 'leave-one-out';
  const seeds = [...new Set(trials.map((t) => t.seed))].sort((a, b) => a - b);
  return { kind: 'ablation', version: 1, createdAt: '', updatedAt: '', trials, spec: { name, experiment: runs[0].run.info?.experiment ?? '?', features, seeds, mode, overrides: {}, metric } };
}

export const ablationsPage = definePage({
  id: 'ablations',
  title: 'Ablations',
  nav: true,
  api: {
    list: (ctx) => ({ studies: studyList(ctx, 'ablation') }),
    study: (ctx, q) => {
      const { name, runs } = studyNamed(ctx, 'ablation', q, 'ablation study');
      const study = studyFromRuns(name, runs);
      const rows = ablationTable(study);
      const ref = rows[0]?.variant ?? 'reference';
      const svg = barChart(rows.slice(1).map((r) => ({ label: r.variant, value: r.difference ?? NaN, lo: r.diffLo, hi: r.diffHi })), {
        title: `${study.spec.experiment}: ${study.spec.metric} difference vs ${ref} (paired over seeds, 95% CI)`, xLabel: `${study.spec.metric} (variant - ${ref})`,
      });
      return { name, experiment: study.spec.experiment, metric: study.spec.metric, mode: study.spec.mode, rows, svg };
    },
  },
  render: async (ui) => {
    ui.root.append(ui.el('h1', {}, 'Ablations'));
    const { studies: list } = await ui.api<{ studies: Array<{ name: string; experiment: string; runs: number }> }>('list');
    if (list.length === 0) {
      ui.root.append(ui.el('p', {}, 'No ablation study yet: run `tradecraft ablate mnist-cnn-toggles --features batchNorm,dropout,augment,warmup --seeds 3`.'));
      return;
    }
    const name = ui.query.get('name') ?? list[0].name;
    const d = await ui.api<{ name: string; experiment: string; metric: string; mode: string; rows: AblationRow[]; svg: string }>('study', { name });
    ui.root.append(ui.el('h2', {}, `${d.name} (${d.experiment}, ${d.mode}, validation ${d.metric}; test data never used)`));
    const fmt = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toPrecision(3) : '');
    ui.root.append(ui.table([
      { key: 'variant', label: 'variant' },
      { key: 'n', label: 'seeds', numeric: true },
      { key: 'mean', label: d.metric, numeric: true, format: (v) => (typeof v === 'number' ? v.toFixed(4) : '') },
      { key: 'lo', label: '95% lo', numeric: true, format: fmt },
      { key: 'hi', label: '95% hi', numeric: true, format: fmt },
      { key: 'difference', label: 'diff vs reference', numeric: true, format: fmt },
      { key: 'diffLo', label: 'diff lo', numeric: true, format: fmt },
      { key: 'diffHi', label: 'diff hi', numeric: true, format: fmt },
      { key: 'verdict', label: 'verdict' },
    ], d.rows as unknown as Array<Record<string, unknown>>, { rowClass: (r) => (String(r.verdict).startsWith('matters') ? 'warn' : '') }));
    ui.root.append(svgFigure((t, a) => ui.el(t, a), d.svg));
    if (list.length > 1) {
      ui.root.append(ui.el('h2', {}, 'All studies'));
      for (const s of list) ui.root.append(ui.el('p', {}, ui.el('a', { href: ui.link('ablations', { name: s.name }) }, `${s.name} (${s.experiment}, ${s.runs} runs)`)));
    }
  },
});
