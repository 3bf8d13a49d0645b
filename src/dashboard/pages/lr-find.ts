// LR finder page: every `tradecraft lr-find` record, its curve on a log learning-rate axis with
// both suggestions marked (the same chart as lr-find.svg), and the rule the CLI recommended.
import { definePage, ApiError } from '../page.js';
import { lrFindSvg } from '../../tune/lr-find-chart.js';
import type { LrFindResult } from '../../tune/lr-find.js';
import { runsOfKind, svgFigure } from './tune-study-runs.js';

interface LrFindListRow { id: string; experiment: string; createdAt: string; suggestedLr: number | null; recommended: string | null; points: number }
interface LrFindDetail { id: string; experiment: string; result: LrFindResult; svg: string }

export const lrFindPage = definePage({
  id: 'lr-find',
  title: 'LR finder',
  nav: true,
  api: {
    list: (ctx) => ({
      runs: runsOfKind(ctx, 'lr-find').filter(({ run }) => Array.isArray((run.summary as Partial<LrFindResult> | null)?.curve)).map(({ run }): LrFindListRow => {
        const s = run.summary as Partial<LrFindResult> | null;
        return { id: run.id, experiment: run.info?.experiment ?? '?', createdAt: run.info?.createdAt ?? '', suggestedLr: s?.suggestedLr ?? null, recommended: s?.recommended ?? null, points: s?.curve?.length ?? 0 };
      }),
    }),
    curve: (ctx, q) => {
      const id = q.get('id');
      if (!id) throw new ApiError(400, 'curve needs ?id=<run id>');
      const run = ctx.store.run(id);
      const s = run.summary as (LrFindResult & { kind?: string }) | null;
      if (!s || s.kind !== 'lr-find' || !Array.isArray(s.curve)) throw new ApiError(404, `run ${id} has no LR range test record (its summary.json is not from tradecraft lr-find)`);
      return { id, experiment: run.info?.experiment ?? '?', result: s, svg: lrFindSvg(s, `LR range test: ${run.info?.experiment ?? id}`) } satisfies LrFindDetail;
    },
  },
  render: async (ui) => {
    ui.root.append(ui.el('h1', {}, 'LR finder'));
    const { runs } = await ui.api<{ runs: LrFindListRow[] }>('list');
    if (runs.length === 0) {
      ui.root.append(ui.el('p', {}, 'No LR range test yet: run `tradecraft lr-find <experiment>`.'));
      return;
    }
    const id = ui.query.get('id') ?? runs[0].id;
    const d = await ui.api<LrFindDetail>('curve', { id });
    const r = d.result;
    ui.root.append(ui.el('h2', {}, `${d.experiment} (${d.id})`));
    ui.root.append(svgFigure((t, a) => ui.el(t, a), d.svg));
    ui.root.append(ui.el('p', {}, r.suggestedLr === null ? `No suggestion: ${r.reason}` : `Suggested learning rate ${r.suggestedLr.toPrecision(3)} (${r.recommended}). ${r.reason}.`));
    ui.root.append(ui.el('p', {}, `${r.stopReason}. Settings: lr ${r.settings.minLr} to ${r.settings.maxLr} over ${r.settings.steps} batches of ${r.settings.batchSize}, smoothing ${r.settings.smooth}.`));
    ui.root.append(ui.table([
      { key: 'rule', label: 'rule' },
      { key: 'lr', label: 'learning rate', numeric: true, format: (v) => Number(v).toPrecision(3) },
      { key: 'description', label: 'how it is chosen' },
    ], Object.values(r.suggestions) as unknown as Array<Record<string, unknown>>));
    ui.root.append(ui.el('h2', {}, 'All range tests'));
    ui.root.append(ui.table([
      { key: 'id', label: 'run', format: (v) => ui.el('a', { href: ui.link('lr-find', { id: String(v) }) }, String(v)) },
      { key: 'experiment', label: 'experiment' },
      { key: 'createdAt', label: 'when' },
      { key: 'suggestedLr', label: 'suggested lr', numeric: true, format: (v) => (v === null ? '' : Number(v).toPrecision(3)) },
      { key: 'recommended', label: 'rule' },
      { key: 'points', label: 'batches', numeric: true },
    ], runs as unknown as Array<Record<string, unknown>>, { sortKey: 'createdAt', sortDescending: true }));
  },
});
