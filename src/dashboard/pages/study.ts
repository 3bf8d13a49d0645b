// Study page: a hyperparameter search drawn from its trials' runs (every trial is a run whose
// run.json carries extra.study, extra.trial, the metric, the direction and the search space),
// so it needs only the read-only run store every page gets, not the study database.
// Without ?study= it lists the studies; with it: the trials table, the best value so far
// against trial number, the objective against each parameter (log axes where the space is
// log), and every trial's per-epoch validation curve with pruned trials marked.
import { definePage, ApiError, type ApiContext } from '../page.js';
import { epochHistory } from '../series/epoch-history.js';
import { pedAnovaImportance, type ImportanceResult } from '../../tune/importance.js';
import { parallelCoordinatesSvg } from '../../tune/parallel-coords.js';
import type { SearchSpace } from '../../tune/types.js';
import { svgFigure } from './tune-study-runs.js';

/** The part of a search-space entry the page needs (tune/types.ts ParamSpec). */
interface SpaceEntry { type: string; log?: boolean }

export interface StudyTrialRow {
  trial: number;
  runId: string;
  status: string;
  /** Best validation value over the trial's epochs so far (what the study ranks it by). */
  value: number | null;
  params: Record<string, unknown>;
  /** The monitored validation metric after each epoch (index 0 = epoch 1). */
  curve: Array<number | null>;
  retryOf: number | null;
}

export interface StudyView {
  study: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  space: Record<string, SpaceEntry>;
  trials: StudyTrialRow[];
  /** PED-ANOVA importances over the completed trials (tune/importance.ts); only on the trials route. */
  importance?: ImportanceResult;
}

export interface StudyListRow { study: string; experiment: string; metric: string; trials: number; completed: number; pruned: number; running: number; best: number | null }

interface TrialRunExtra { study?: unknown; trial?: unknown; metric?: unknown; direction?: unknown; space?: unknown; retryOf?: unknown }

function trialRuns(ctx: ApiContext): Array<{ id: string; extra: TrialRunExtra; experiment: string }> {
  const out: Array<{ id: string; extra: TrialRunExtra; experiment: string }> = [];
  for (const id of ctx.store.runIds()) {
    const info = ctx.store.run(id).info;
    const extra = info?.extra as TrialRunExtra | undefined;
    if (info && extra && typeof extra.study === 'string' && typeof extra.trial === 'number') out.push({ id, extra, experiment: info.experiment });
  }
  return out;
}

function better(direction: string, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

function studyView(ctx: ApiContext, name: string): StudyView {
  const runs = trialRuns(ctx).filter((r) => r.extra.study === name);
  if (runs.length === 0) throw new ApiError(404, `no runs of study '${name}' here (trial runs carry extra.study in run.json)`);
  const first = runs[0].extra;
  const metric = typeof first.metric === 'string' ? first.metric : 'val_loss';
  const direction = first.direction === 'maximize' ? 'maximize' : 'minimize';
  const space = (first.space && typeof first.space === 'object' ? first.space : {}) as Record<string, SpaceEntry>;
  const trials = runs.map(({ id, extra }) => {
    const run = ctx.store.run(id);
    let curve: Array<number | null> = [];
    try {
      const h = epochHistory(run);
      curve = h.rows.map((r) => (typeof r[metric] === 'number' ? r[metric] : null));
    } catch { /* an unreadable run shows without its curve */ }
    let value: number | null = null;
    for (const v of curve) if (v !== null && (value === null || better(direction, v, value))) value = v;
    const hp = run.info?.hparams ?? {};
    const params: Record<string, unknown> = {};
    for (const k of Object.keys(space)) if (k in hp) params[k] = hp[k];
    return { trial: extra.trial as number, runId: id, status: run.status, value, params, curve, retryOf: typeof extra.retryOf === 'number' ? extra.retryOf : null };
  }).sort((a, b) => a.trial - b.trial);
  return { study: name, metric, direction, space, trials };
}

const COLORS = { complete: '#1f77b4', pruned: '#d62728', best: '#2ca02c', other: '#7f7f7f' };

export const studyPage = definePage({
  id: 'study',
  title: 'Studies',
  nav: true,
  api: {
    list: (ctx) => {
      const groups = new Map<string, StudyListRow>();
      for (const r of trialRuns(ctx)) {
        const name = r.extra.study as string;
        if (!groups.has(name)) groups.set(name, { study: name, experiment: r.experiment, metric: String(r.extra.metric ?? ''), trials: 0, completed: 0, pruned: 0, running: 0, best: null });
      }
      for (const g of groups.values()) {
        const v = studyView(ctx, g.study);
        g.trials = v.trials.length;
        g.completed = v.trials.filter((t) => t.status === 'completed').length;
        g.pruned = v.trials.filter((t) => t.status === 'pruned').length;
        g.running = v.trials.filter((t) => t.status === 'running').length;
        for (const t of v.trials) if (t.status === 'completed' && t.value !== null && (g.best === null || better(v.direction, t.value, g.best))) g.best = t.value;
      }
      return { studies: [...groups.values()] };
    },
    trials: (ctx, q) => {
      const name = q.get('study');
      if (!name) throw new ApiError(400, 'study: give ?study=<name>');
      const view = studyView(ctx, name);
      const done = view.trials.filter((t) => t.status === 'completed' && t.value !== null);
      let importance: ImportanceResult;
      try {
        importance = pedAnovaImportance(done, view.space as unknown as SearchSpace, { direction: view.direction });
      } catch (e) {
        // A space the page cannot map (edited after the study ran): say so instead of failing the page.
        importance = { importances: {}, divergences: {}, trials: done.length, reason: `importance: ${(e as Error).message}` };
      }
      return { ...view, importance };
    },
  },
  render: async (ui) => {
    const name = ui.query.get('study');
    if (!name) {
      const { studies } = await ui.api<{ studies: StudyListRow[] }>('list');
      ui.root.append(ui.el('h1', {}, 'Studies'));
      if (studies.length === 0) {
        ui.root.append(ui.el('p', {}, 'No hyperparameter study has runs here yet (`tradecraft tune <experiment>` makes one).'));
        return;
      }
      ui.root.append(ui.table([
        { key: 'study', label: 'study', format: (v) => ui.el('a', { href: ui.link('study', { study: String(v) }) }, String(v)) },
        { key: 'experiment', label: 'experiment' },
        { key: 'metric', label: 'metric' },
        { key: 'trials', label: 'trials', numeric: true },
        { key: 'completed', label: 'completed', numeric: true },
        { key: 'pruned', label: 'pruned', numeric: true },
        { key: 'running', label: 'running', numeric: true },
        { key: 'best', label: 'best', numeric: true, format: (v) => (typeof v === 'number' ? v.toFixed(4) : '') },
      ], studies as unknown as Array<Record<string, unknown>>, { sortKey: 'study' }));
      return;
    }
    const view = await ui.api<StudyView>('trials', { study: name });
    const done = view.trials.filter((t) => t.status === 'completed' && t.value !== null);
    const best = done.reduce<StudyTrialRow | null>((b, t) => (b === null || better(view.direction, t.value!, b.value!) ? t : b), null);
    ui.root.append(ui.el('h1', {}, `Study ${view.study}`));
    ui.root.append(ui.el('p', { class: 'muted' }, `${view.direction} ${view.metric} on validation data; ${view.trials.length} trials, ` +
      `${done.length} completed, ${view.trials.filter((t) => t.status === 'pruned').length} pruned` + (best ? `; best ${best.value!.toFixed(4)} (trial ${best.trial})` : '')));
    const params = Object.keys(view.space);

    // Best so far against trial number, with every completed trial's value as a point.
    const byTrial = [...done].sort((a, b) => a.trial - b.trial);
    let running: number | null = null;
    const bestSoFar = byTrial.map((t) => (running = running === null || better(view.direction, t.value!, running) ? t.value! : running));
    ui.chart(ui.root, { title: `best ${view.metric} so far`, xLabel: 'trial', yLabel: view.metric }).update({
      x: byTrial.map((t) => t.trial),
      ys: [bestSoFar, byTrial.map((t) => t.value)],
      series: [{ label: 'best so far', color: COLORS.best }, { label: 'trial', color: COLORS.complete, markers: true }],
    });

    // The objective against each parameter (completed trials; pruned ones have a partial value).
    for (const p of params) {
      const pts = done.filter((t) => typeof t.params[p] === 'number').sort((a, b) => Number(a.params[p]) - Number(b.params[p]));
      if (pts.length === 0) continue;
      ui.chart(ui.root, { title: `${view.metric} against ${p}`, xLabel: p, yLabel: view.metric, xLog: Boolean(view.space[p]?.log), height: 220 }).update({
        x: pts.map((t) => Number(t.params[p])), ys: [pts.map((t) => t.value)], series: [{ label: view.metric, color: COLORS.complete, markers: true }],
      });
    }

    // Every completed trial across all parameters at once, coloured by the objective.
    if (done.length > 0 && params.length > 0) {
      ui.root.append(svgFigure((t, a) => ui.el(t, a), parallelCoordinatesSvg(view.space as unknown as SearchSpace,
        done.map((t) => ({ trial: t.trial, params: t.params, value: t.value! })), { metric: view.metric, direction: view.direction })));
    }

    // Which parameters the best trials differ in (PED-ANOVA; the README says what it computes).
    const imp = view.importance;
    if (imp) {
      ui.root.append(ui.el('h2', {}, 'Parameter importance (PED-ANOVA)'));
      if (imp.reason) ui.root.append(ui.el('p', { class: 'muted importance-note' }, imp.reason));
      else {
        ui.root.append(ui.el('p', { class: 'muted' }, `How far the best 10% of the ${imp.trials} completed trials are from all of them in each parameter (Pearson divergence, normalized to sum 1).`));
        const rows = Object.entries(imp.importances).sort((a, b) => b[1] - a[1]);
        const list = ui.el('table', { class: 'importance' });
        for (const [p, v] of rows) {
          const bar = ui.el('div', { style: `background:#1f77b4;height:10px;width:${Math.round(v * 200)}px` });
          list.append(ui.el('tr', { 'data-param': p }, ui.el('td', {}, p), ui.el('td', {}, v.toFixed(3)), ui.el('td', {}, bar)));
        }
        ui.root.append(list);
      }
    }

    // Intermediate values: one curve per trial, pruned trials in red (they end where they were stopped).
    const epochs = Math.max(0, ...view.trials.map((t) => t.curve.length));
    ui.chart(ui.root, { title: `${view.metric} per epoch (pruned trials in red)`, xLabel: 'epoch', yLabel: view.metric, height: 300 }).update({
      x: Array.from({ length: epochs }, (_, i) => i + 1),
      ys: view.trials.map((t) => Array.from({ length: epochs }, (_, i) => t.curve[i] ?? null)),
      series: view.trials.map((t) => ({
        label: `trial ${t.trial}${t.status === 'pruned' ? ' (pruned)' : ''}`,
        color: t === best ? COLORS.best : t.status === 'pruned' ? COLORS.pruned : t.status === 'completed' ? COLORS.complete : COLORS.other,
        faint: t !== best && t.status !== 'pruned',
      })),
    });

    ui.root.append(ui.table([
      { key: 'trial', label: 'trial', numeric: true },
      { key: 'status', label: 'status' },
      { key: 'value', label: view.metric, numeric: true, format: (v) => (typeof v === 'number' ? v.toFixed(4) : '') },
      ...params.map((p) => ({ key: `param:${p}`, label: p, format: (_v: unknown, row: Record<string, unknown>) => {
        const v = (row.params as Record<string, unknown>)[p];
        return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v === undefined ? '' : String(v);
      } })),
      { key: 'epochs', label: 'epochs', numeric: true },
      { key: 'retryOf', label: 'retry of', numeric: true },
      { key: 'runId', label: 'run', format: (v) => ui.el('a', { href: ui.link('run', { id: String(v) }) }, String(v)) },
    ], view.trials.map((t) => ({ ...t, epochs: t.curve.length })) as unknown as Array<Record<string, unknown>>, {
      sortKey: 'value', sortDescending: view.direction === 'maximize',
      rowClass: (r) => (r.status === 'pruned' ? 'muted' : r.trial === best?.trial ? 'best' : ''),
    }));
  },
});
