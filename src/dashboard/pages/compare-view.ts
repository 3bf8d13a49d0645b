// The compare page in the browser: the chosen runs' curves overlaid (the metric picked, and
// validation accuracy and loss per epoch), the hyperparameters that differ, and a switch that
// draws runs differing only in seed as one mean line with its 95% band.
import type { ChartData, ChartHandle, ChartSeriesSpec, PageUi } from '../web/page-ui.js';

const PALETTE = ['#1f6feb', '#e8590c', '#2f9e44', '#7048e8', '#c2255c', '#0c8599', '#5c940d', '#862e9c', '#d9480f', '#364fc7'];

interface CompareRuns {
  runs: Array<{ id: string; experiment: string; status: string; error: string | null; hparams: Record<string, unknown>; metrics: string[];
    best: { metric: string; value: number; epoch: number; interval: { lo: number; hi: number } | null } | null; test: { accuracy: number; ci: { lo: number; hi: number } | null } | null }>;
  differing: string[];
  groups: Array<{ key: string; ids: string[] }>;
}
interface CompareSeries { metric: string; x: number[]; lines: Array<{ label: string; y: Array<number | null>; lo?: Array<number | null> | null; hi?: Array<number | null> | null }> }

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

export async function renderCompare(ui: PageUi): Promise<void> {
  const ids = ui.query.getAll('ids').flatMap((s) => s.split(',')).filter(Boolean);
  ui.root.append(ui.el('h1', {}, 'Compare runs'));
  if (ids.length === 0) {
    ui.root.append(ui.el('p', {}, 'Pick runs on the ', ui.el('a', { href: ui.link('runs') }, 'Runs'), ' page and press "Compare selected".'));
    return;
  }
  const info = await ui.api<CompareRuns>('runs', { ids: ids.join(',') });
  const state = { smooth: 0.6, x: 'step', log: false, group: false, metric: info.runs[0]?.metrics.includes('train/batch_loss') ? 'train/batch_loss' : (info.runs[0]?.metrics[0] ?? 'train/batch_loss') };
  const metrics = [...new Set(info.runs.flatMap((r) => r.metrics))].sort();
  const metric = ui.el('select', { id: 'compare-metric' }, ...metrics.map((m) => { const o = ui.el('option', { value: m }, m); o.selected = m === state.metric; return o; }));
  const smooth = ui.el('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(state.smooth), id: 'smoothing' });
  const xSelect = ui.el('select', { id: 'x-axis' }, ...['step', 'epoch', 'time'].map((x) => ui.el('option', { value: x }, x)));
  const log = ui.el('input', { type: 'checkbox', id: 'log-scale' });
  const group = ui.el('input', { type: 'checkbox', id: 'group-seeds' });
  const seedGroups = info.groups.filter((g) => g.ids.length > 1).length;
  ui.root.append(ui.el('div', { class: 'controls' },
    ui.el('label', {}, 'metric', metric), ui.el('label', {}, 'smoothing', smooth), ui.el('label', {}, 'x axis', xSelect), ui.el('label', {}, log, 'log scale'),
    ui.el('label', { title: 'runs whose hyperparameters differ only in seed become one mean line with a 95% t-interval band' }, group, `group seeds (${seedGroups} group${seedGroups === 1 ? '' : 's'} of repeats)`)));

  const color = new Map(info.runs.map((r, i) => [r.id, PALETTE[i % PALETTE.length]]));
  const grid = ui.el('div', { class: 'grid' });
  ui.root.append(grid);
  const chartFor = (id: string, title: string, fixed?: { metric: string; x: string; smooth: number }) => {
    const box = ui.el('div', { id });
    grid.append(box);
    let chart: ChartHandle | null = null;
    let zoom: [number, number] | null = null;
    const refresh = async (): Promise<void> => {
      const m = fixed?.metric ?? state.metric, x = fixed?.x ?? state.x;
      const s = await ui.api<CompareSeries>('series', { ids: ids.join(','), metric: m, x, smooth: fixed ? fixed.smooth : state.smooth, group: state.group ? 1 : 0, from: zoom?.[0], to: zoom?.[1] });
      chart ??= ui.chart(box, { title, xLabel: x, onZoom: (r) => { zoom = r; void refresh(); } });
      const ys: Array<Array<number | null>> = [];
      const series: ChartSeriesSpec[] = [];
      const bands: ChartData['bands'] = [];
      for (const [k, line] of s.lines.entries()) {
        const c = color.get(line.label) ?? color.get((line.label.split(': ')[1] ?? '').split(', ')[0]) ?? PALETTE[k % PALETTE.length];
        ys.push(line.y);
        series.push({ label: line.label, color: c });
        if (line.lo && line.hi) {
          ys.push(line.lo, line.hi);
          series.push({ label: `${line.label} 95% lo`, color: c, hidden: true }, { label: `${line.label} 95% hi`, color: c, hidden: true });
          bands.push({ lo: ys.length - 2, hi: ys.length - 1, color: c });
        }
      }
      chart.update({ x: s.x, ys, series, bands }, { title: fixed ? title : `${m}${state.smooth > 0 ? ` (smoothed ${state.smooth})` : ''}`, xLabel: x, log: state.log });
    };
    return refresh;
  };
  const main = chartFor('chart-compare', state.metric);
  const valAcc = metrics.includes('val/val_accuracy') ? chartFor('chart-compare-val-accuracy', 'validation accuracy per epoch', { metric: 'val/val_accuracy', x: 'epoch', smooth: 0 }) : null;
  const valLoss = metrics.includes('val/val_loss') ? chartFor('chart-compare-val-loss', 'validation loss per epoch', { metric: 'val/val_loss', x: 'epoch', smooth: 0 }) : null;
  const all = (): Promise<unknown> => Promise.all([main(), valAcc?.(), valLoss?.()]);

  const keys = info.differing;
  ui.root.append(ui.el('h2', {}, keys.length ? 'Hyperparameters that differ' : 'The runs have the same hyperparameters'));
  ui.root.append(ui.el('div', { class: 'table-wrap', id: 'compare-table' }, ui.table([
    { key: 'id', label: 'run', format: (v) => { const a = ui.el('a', { href: ui.link('run', { id: String(v) }) }, String(v)); a.style.color = color.get(String(v)) ?? ''; return a; } },
    { key: 'status', label: 'status' },
    { key: 'best', label: 'best val (95% CI)', numeric: true, format: (v) => { const b = v as CompareRuns['runs'][0]['best']; return !b ? '' : b.metric === 'val_accuracy' ? `${pct(b.value)}${b.interval ? ` [${pct(b.interval.lo)}, ${pct(b.interval.hi)}]` : ''}` : b.value.toFixed(4); } },
    { key: 'test', label: 'test (95% CI)', numeric: true, format: (v) => { const t = v as CompareRuns['runs'][0]['test']; return t ? `${pct(t.accuracy)}${t.ci ? ` [${pct(t.ci.lo)}, ${pct(t.ci.hi)}]` : ''}` : ''; } },
    ...keys.map((k) => ({ key: `hp.${k}`, label: k, numeric: true })),
  ], info.runs.map((r) => ({ ...r, ...Object.fromEntries(keys.map((k) => [`hp.${k}`, r.hparams[k]])) })))));

  await all();
  metric.addEventListener('change', () => { state.metric = metric.value; void main(); });
  smooth.addEventListener('input', () => { state.smooth = Number(smooth.value); void main(); });
  xSelect.addEventListener('change', () => { state.x = xSelect.value; void main(); });
  log.addEventListener('change', () => { state.log = log.checked; void all(); });
  group.addEventListener('change', () => { state.group = group.checked; void all(); });
  if (ui.live) for (const id of ids) ui.follow(id, () => void all());
}
