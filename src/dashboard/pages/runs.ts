// Runs page: one row per run (status, times, backend, epochs, best validation metric with its
// 95% interval, test result, every hyperparameter), sortable and filterable, with a picker to
// compare runs. Refreshed every two seconds while any run is running.
import { definePage, type ApiContext } from '../page.js';
import { bestEpoch, epochHistory, intervalOf, type AccuracyInterval } from '../series/epoch-history.js';

export interface RunRow {
  id: string;
  experiment: string;
  status: string;
  error: string | null;
  started: string | null;
  durationSeconds: number | null;
  backend: string;
  epochs: number | null;
  best: { metric: string; value: number; epoch: number; interval: AccuracyInterval | null } | null;
  test: { accuracy: number; lo: number | null; hi: number | null } | null;
  hparams: Record<string, unknown>;
}

function row(ctx: ApiContext, id: string): RunRow {
  const run = ctx.store.run(id);
  const info = run.info;
  const summary = run.summary;
  let best = null, epochs: number | null = null, error = run.error;
  try {
    const h = epochHistory(run);
    best = bestEpoch(h);
    epochs = h.rows.length ? h.rows[h.rows.length - 1].epoch : null;
    error = run.error; // reading the metrics may have found a problem
  } catch (e) {
    error = (error ? `${error}; ` : '') + (e as Error).message;
  }
  const end = info ? Date.parse(info.status === 'running' ? (info.heartbeatAt ?? info.updatedAt) : info.updatedAt) : NaN;
  const start = info ? Date.parse(info.createdAt) : NaN;
  const ci = intervalOf(summary?.testAccuracyCI);
  return {
    id, error, status: run.status,
    experiment: info?.experiment ?? '?',
    started: info?.createdAt ?? null,
    durationSeconds: Number.isFinite(end - start) ? Math.max(0, (end - start) / 1000) : null,
    backend: info?.backend ?? '',
    epochs, best,
    test: typeof summary?.testAccuracy === 'number' ? { accuracy: summary.testAccuracy, lo: ci?.lo ?? null, hi: ci?.hi ?? null } : null,
    hparams: info?.hparams ?? {},
  };
}

const pct = (v: number): string => (100 * v).toFixed(2);

export const runsPage = definePage({
  id: 'runs',
  title: 'Runs',
  nav: true,
  api: {
    list: (ctx) => ({ runs: ctx.store.runIds().map((id) => row(ctx, id)) }),
  },
  render: async (ui) => {
    ui.root.append(ui.el('h1', {}, 'Runs'));
    const filter = ui.el('input', { type: 'search', placeholder: 'filter: text, or key=value (e.g. lr=0.001)', size: '40', id: 'runs-filter' });
    const compare = ui.el('button', { id: 'compare-selected', disabled: '' }, 'Compare selected');
    const count = ui.el('span', { class: 'muted' });
    ui.root.append(ui.el('div', { class: 'controls' }, filter, compare, count));
    const wrap = ui.el('div', { class: 'table-wrap' });
    ui.root.append(wrap);
    const selected = new Set<string>(ui.query.getAll('selected'));
    let rows: RunRow[] = [];
    let sort = { key: 'started', descending: true };
    compare.addEventListener('click', () => { location.hash = ui.link('compare', { ids: [...selected] }); });
    const syncButton = (): void => {
      compare.toggleAttribute('disabled', selected.size < 2);
      compare.textContent = `Compare selected (${selected.size})`;
    };
    const matches = (r: RunRow, text: string): boolean => {
      for (const term of text.trim().toLowerCase().split(/\s+/).filter(Boolean)) {
        const eq = term.indexOf('=');
        if (eq > 0) {
          const k = term.slice(0, eq), v = term.slice(eq + 1);
          const hk = Object.keys(r.hparams).find((x) => x.toLowerCase() === k);
          if (!hk || String(r.hparams[hk]).toLowerCase() !== v) return false;
        } else if (![r.id, r.experiment, r.status, r.backend, JSON.stringify(r.hparams)].some((s) => s.toLowerCase().includes(term))) return false;
      }
      return true;
    };
    const draw = (): void => {
      const shown = rows.filter((r) => matches(r, filter.value));
      count.textContent = `${shown.length} of ${rows.length} runs`;
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r.hparams)))].sort();
      const flat = shown.map((r) => ({
        ...Object.fromEntries(keys.map((k) => [`hp.${k}`, r.hparams[k]])),
        pick: r.id, id: r.id, experiment: r.experiment, status: r.status, started: r.started, duration: r.durationSeconds,
        backend: r.backend, epochs: r.epochs, best: r.best?.value ?? null, test: r.test?.accuracy ?? null, error: r.error, _row: r,
      }));
      const table = ui.table([
        { key: 'pick', label: '', format: (v) => {
          const box = ui.el('input', { type: 'checkbox', 'data-run': String(v) });
          box.checked = selected.has(String(v));
          box.addEventListener('change', () => { if (box.checked) selected.add(String(v)); else selected.delete(String(v)); syncButton(); });
          return box;
        } },
        { key: 'id', label: 'run', format: (v, r) => ui.el('a', { href: ui.link('run', { id: String(v) }), title: String(r.error ?? '') }, String(v)) },
        { key: 'experiment', label: 'experiment' },
        { key: 'status', label: 'status', format: (v, r) => ui.el('span', { class: `status ${String(v)}`, title: String(r.error ?? '') }, String(v) + (r.error ? ' ⚠' : '')) },
        { key: 'started', label: 'started', format: (v) => (v ? new Date(String(v)).toLocaleString() : '') },
        { key: 'duration', label: 'duration', numeric: true, format: (v) => (typeof v === 'number' ? (v >= 120 ? `${(v / 60).toFixed(1)} min` : `${v.toFixed(0)} s`) : '') },
        { key: 'backend', label: 'backend', format: (v) => String(v ?? '').split(' ')[0] },
        { key: 'epochs', label: 'epochs', numeric: true },
        { key: 'best', label: 'best val (95% CI)', numeric: true, format: (_v, r) => {
          const b = (r._row as RunRow).best;
          if (!b) return '';
          return b.metric === 'val_accuracy' ? `${pct(b.value)}%` + (b.interval ? ` [${pct(b.interval.lo)}, ${pct(b.interval.hi)}]` : '') + ` @${b.epoch}` : `loss ${b.value.toFixed(4)} @${b.epoch}`;
        } },
        { key: 'test', label: 'test (95% CI)', numeric: true, format: (_v, r) => {
          const t = (r._row as RunRow).test;
          return t ? `${pct(t.accuracy)}%` + (t.lo !== null && t.hi !== null ? ` [${pct(t.lo)}, ${pct(t.hi)}]` : '') : '';
        } },
        ...keys.map((k) => ({ key: `hp.${k}`, label: k, numeric: true })),
      ], flat, { sortKey: sort.key, sortDescending: sort.descending, onSort: (key, descending) => { sort = { key, descending }; }, rowClass: (r) => (r.error ? 'error' : '') });
      wrap.replaceChildren(table);
      syncButton();
    };
    filter.addEventListener('input', draw);
    const load = async (): Promise<void> => {
      rows = (await ui.api<{ runs: RunRow[] }>('list')).runs;
      draw();
    };
    await load();
    if (ui.live) ui.every(2000, () => { if (rows.some((r) => r.status === 'running')) void load(); });
  },
});
