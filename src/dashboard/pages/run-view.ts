// The run page in the browser: controls (smoothing, x axis, log scale, ignore outliers), the
// charts, and the tables about the run; it follows the run live while it trains.
import type { ChartData, ChartHandle, PageUi } from '../web/page-ui.js';
import type { SeriesResponse } from '../series/series-query.js';
import { sharpnessChart } from './run-sharpness-chart.js';

const BLUE = '#1f6feb', ORANGE = '#e8590c', GREEN = '#2f9e44', PURPLE = '#7048e8', GREY = '#667085';

interface Info {
  id: string; status: string; error: string | null;
  info: { experiment: string; hparams: Record<string, unknown>; backend: string; versions: Record<string, string>; seed: number; createdAt: string; updatedAt: string; host?: string; pid?: number; heartbeatAt?: string; resumedAt?: string[] } | null;
  split: Record<string, unknown> | null;
  checkpoints: Array<{ name: string; epoch: number | null; step: number | null; best: boolean; last: boolean }>;
  metrics: Array<{ key: string; count: number; last: number; min: number; max: number }>;
  records: number;
  best: { metric: string; value: number; epoch: number; interval: { lo: number; hi: number; n: number } | null } | null;
  test: { accuracy: number; ci: { lo: number; hi: number } | null; loss: number | null } | null;
  ledger: { testSet: string | null; evaluations: number; models: number; warning: string | null };
}

interface GradNorm { x: number[]; raw: number[]; smoothed: number[] | null; mean: number[]; lo: number[]; hi: number[]; window: number }
interface Epochs { epoch: number[]; [k: string]: Array<number | null> | number[] | string }

export interface RunViewState { smooth: number; x: 'step' | 'epoch' | 'time'; log: boolean; outliers: boolean }

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
const X_LABEL = { step: 'step', epoch: 'epoch', time: 'seconds' };

/** A padded [p5, p95] y range for the "ignore outliers" view (positive when the axis is log). */
export function outlierRange(p5: number, p95: number, log: boolean): [number, number] | null {
  if (!Number.isFinite(p5) || !Number.isFinite(p95)) return null;
  const pad = (p95 - p5) * 0.1 || Math.abs(p95) * 0.1 || 1;
  const lo = log ? Math.max(p5 - pad, p5 / 2, Number.MIN_VALUE) : p5 - pad;
  return [lo, p95 + pad];
}

function kv(ui: PageUi, pairs: Array<[string, unknown]>): HTMLElement {
  const dl = ui.el('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    dl.append(ui.el('dt', {}, k), ui.el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)));
  }
  return dl;
}

/** A line chart of one metric with its raw series faint behind the smoothed one. */
function metricChart(ui: PageUi, parent: HTMLElement, id: string, title: string, metric: string, state: RunViewState, opts: { smooth: boolean; color: string; fallback?: string }) {
  const box = ui.el('div', { id });
  parent.append(box);
  let zoom: [number, number] | null = null;
  let chart: ChartHandle | null = null;
  let missing = false;
  const refresh = async (resetZoom = false): Promise<void> => {
    if (resetZoom) zoom = null;
    const q = { id: ui.query.get('id') ?? '', metric, x: state.x, smooth: opts.smooth ? state.smooth : 0, from: zoom?.[0], to: zoom?.[1] };
    let r: SeriesResponse;
    try {
      r = await ui.api<SeriesResponse>('series', q);
    } catch (e) {
      if (opts.fallback) {
        try { r = await ui.api<SeriesResponse>('series', { ...q, metric: opts.fallback }); } catch { r = null as never; }
      }
      if (!r!) {
        if (!missing) box.append(ui.el('p', { class: 'muted' }, `${title}: ${(e as Error).message}`));
        missing = true;
        return;
      }
    }
    chart ??= ui.chart(box, { title, xLabel: X_LABEL[state.x], onZoom: (range) => { zoom = range; void refresh(); } });
    const smoothed = r.smoothed;
    const data: ChartData = smoothed
      ? { x: r.x, ys: [r.raw, smoothed], series: [{ label: `${r.metric} (raw)`, color: opts.color, faint: true }, { label: `${r.metric} (smoothed)`, color: opts.color }] }
      : { x: r.x, ys: [r.raw], series: [{ label: r.metric, color: opts.color }] };
    chart.update(data, { title: `${title}${r.fullResolution ? '' : ` (${r.x.length} of ${r.inRange} points, min/max per bucket)`}`, xLabel: X_LABEL[state.x], log: state.log, yRange: state.outliers ? outlierRange(r.p5, r.p95, state.log) : null }, resetZoom);
    box.dataset.fullResolution = String(r.fullResolution);
  };
  return refresh;
}

function gradNormChart(ui: PageUi, parent: HTMLElement, state: RunViewState) {
  const box = ui.el('div', { id: 'chart-gradnorm' });
  parent.append(box);
  let zoom: [number, number] | null = null;
  let chart: ChartHandle | null = null;
  const refresh = async (resetZoom = false): Promise<void> => {
    if (resetZoom) zoom = null;
    let g: GradNorm;
    try {
      g = await ui.api<GradNorm>('gradnorm', { id: ui.query.get('id') ?? '', x: state.x, from: zoom?.[0], to: zoom?.[1] });
    } catch { return; }
    chart ??= ui.chart(box, { title: 'global gradient norm', xLabel: X_LABEL[state.x], onZoom: (range) => { zoom = range; void refresh(); } });
    chart.update({
      x: g.x, ys: [g.raw, g.mean, g.lo, g.hi],
      series: [{ label: 'grad norm', color: PURPLE, faint: true }, { label: `running mean (${g.window} steps)`, color: PURPLE }, { label: 'mean - sd', color: PURPLE, hidden: true }, { label: 'mean + sd', color: PURPLE, hidden: true }],
      bands: [{ lo: 2, hi: 3, color: PURPLE }],
    }, { xLabel: X_LABEL[state.x], log: state.log }, resetZoom);
  };
  return refresh;
}

function epochsChart(ui: PageUi, parent: HTMLElement) {
  const box = ui.el('div', { id: 'chart-epochs' });
  parent.append(box);
  let chart: ChartHandle | null = null;
  return async (): Promise<void> => {
    const e = await ui.api<Epochs>('epochs', { id: ui.query.get('id') ?? '' });
    if (e.epoch.length === 0) return;
    chart ??= ui.chart(box, { title: 'per epoch: loss (left), accuracy with 95% intervals and the generalization gap (right)', xLabel: 'epoch', yLabel: 'loss', y2Label: 'accuracy' });
    const c = (k: string): Array<number | null> => e[k] as Array<number | null>;
    const hasAcc = c('val_accuracy').some((v) => v !== null);
    chart.update({
      x: e.epoch,
      ys: hasAcc ? [c('train_loss'), c('val_loss'), c('train_accuracy'), c('val_accuracy'), c('train_lo'), c('train_hi'), c('val_lo'), c('val_hi')] : [c('train_loss'), c('val_loss')],
      series: [
        { label: 'train loss', color: BLUE }, { label: 'val loss', color: ORANGE },
        ...(hasAcc ? [
          { label: 'train accuracy', color: BLUE, dash: true, axis2: true }, { label: 'val accuracy', color: ORANGE, dash: true, axis2: true },
          { label: 'train 95% lo', color: BLUE, hidden: true, axis2: true }, { label: 'train 95% hi', color: BLUE, hidden: true, axis2: true },
          { label: 'val 95% lo', color: ORANGE, hidden: true, axis2: true }, { label: 'val 95% hi', color: ORANGE, hidden: true, axis2: true },
        ] : []),
      ],
      bands: hasAcc ? [{ lo: 4, hi: 5, color: BLUE }, { lo: 6, hi: 7, color: ORANGE }, { lo: 3, hi: 2, color: GREY }] : [],
    });
  };
}

export async function renderRun(ui: PageUi): Promise<void> {
  const id = ui.query.get('id');
  if (!id) throw new Error('no run chosen: open a run from the Runs page');
  const state: RunViewState = { smooth: Number(ui.query.get('smooth') ?? 0.6), x: (ui.query.get('x') as RunViewState['x']) ?? 'step', log: ui.query.get('log') === '1', outliers: false };
  const info = await ui.api<Info>('info', { id });
  const header = ui.el('div', { class: 'run-header' });
  ui.root.append(header);
  const drawHeader = (i: Info): void => {
    header.replaceChildren(
      ui.el('h1', {}, `${i.info?.experiment ?? '?'} · ${i.id} `, ui.el('span', { class: `status ${i.status}`, id: 'run-status' }, i.status)),
      ...(i.error ? [ui.el('p', { class: 'error' }, i.error)] : []),
      ...(i.ledger.warning ? [ui.el('p', { class: 'warn', id: 'ledger-warning' }, `test ledger: ${i.ledger.warning}`)] : []),
      ui.el('p', { class: 'muted', id: 'run-records' }, `${i.records} records` + (i.best ? ` · best ${i.best.metric} ${i.best.metric === 'val_accuracy' ? pct(i.best.value) : i.best.value.toFixed(4)}` + (i.best.interval ? ` [${pct(i.best.interval.lo)}, ${pct(i.best.interval.hi)}]` : '') + ` at epoch ${i.best.epoch}` : '') +
        (i.test ? ` · test accuracy ${pct(i.test.accuracy)}` + (i.test.ci ? ` [${pct(i.test.ci.lo)}, ${pct(i.test.ci.hi)}]` : '') : '')),
    );
  };
  drawHeader(info);

  const smooth = ui.el('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(state.smooth), id: 'smoothing' });
  const smoothValue = ui.el('span', { id: 'smoothing-value' }, state.smooth.toFixed(2));
  const xSelect = ui.el('select', { id: 'x-axis' }, ...(['step', 'epoch', 'time'] as const).map((x) => { const o = ui.el('option', { value: x }, x === 'time' ? 'wall time' : x); o.selected = x === state.x; return o; }));
  const log = ui.el('input', { type: 'checkbox', id: 'log-scale' });
  log.checked = state.log;
  const outliers = ui.el('input', { type: 'checkbox', id: 'ignore-outliers' });
  ui.root.append(ui.el('div', { class: 'controls' },
    ui.el('label', {}, 'smoothing', smooth, smoothValue),
    ui.el('label', {}, 'x axis', xSelect),
    ui.el('label', {}, log, 'log scale'),
    ui.el('label', { title: 'y range from the 5th to the 95th percentile' }, outliers, 'ignore outliers'),
    ui.el('a', { href: ui.link('compare', { ids: [id] }) }, 'compare with...'),
  ));

  const grid = ui.el('div', { class: 'grid' });
  ui.root.append(grid);
  const loss = metricChart(ui, grid, 'chart-loss', 'loss per batch', 'train/batch_loss', state, { smooth: true, color: BLUE, fallback: 'train_loss' });
  const epochs = epochsChart(ui, grid);
  const lr = metricChart(ui, grid, 'chart-lr', 'learning rate', 'train/lr', state, { smooth: false, color: GREEN });
  const grad = gradNormChart(ui, grid, state);
  const speed = metricChart(ui, grid, 'chart-throughput', 'throughput (samples/s)', 'train/samples_per_second', state, { smooth: true, color: GREY });
  const sharpness = info.metrics.some((m) => m.key === 'train/sharpness') ? sharpnessChart(ui, grid, state) : null;
  const curves = [loss, lr, grad, speed, ...(sharpness ? [sharpness] : [])];
  const refreshCurves = (reset = false): Promise<unknown> => Promise.all(curves.map((f) => f(reset)));

  const tables = ui.el('div', { class: 'grid' });
  ui.root.append(tables);
  const drawTables = (i: Info): void => {
    const hp = i.info?.hparams ?? {};
    tables.replaceChildren(
      ui.el('div', { class: 'panel' }, ui.el('h2', {}, 'Hyperparameters'), kv(ui, Object.entries(hp))),
      ui.el('div', { class: 'panel' }, ui.el('h2', {}, 'System'), kv(ui, [
        ['backend', i.info?.backend], ['seed', i.info?.seed], ...Object.entries(i.info?.versions ?? {}), ['host', i.info?.host], ['pid', i.info?.pid],
        ['created', i.info?.createdAt], ['updated', i.info?.updatedAt], ['heartbeat', i.info?.heartbeatAt], ['resumed', i.info?.resumedAt?.join(', ')],
      ] as Array<[string, unknown]>)),
      ui.el('div', { class: 'panel' }, ui.el('h2', {}, 'Data split'), i.split ? kv(ui, Object.entries(i.split)) : ui.el('p', { class: 'muted' }, 'no split.json')),
      ui.el('div', { class: 'panel', id: 'checkpoints' }, ui.el('h2', {}, 'Checkpoints'), ui.table([
        { key: 'name', label: 'checkpoint', format: (v, r) => `${String(v)}${r.best ? ' ★ best' : ''}${r.last ? ' (last)' : ''}` },
        { key: 'epoch', label: 'epoch', numeric: true }, { key: 'step', label: 'step', numeric: true },
      ], i.checkpoints as unknown as Array<Record<string, unknown>>)),
      ui.el('div', { class: 'panel', id: 'test-evaluation' }, ui.el('h2', {}, 'Test evaluation'), i.test
        ? kv(ui, [['accuracy', pct(i.test.accuracy)], ['95% interval', i.test.ci ? `[${pct(i.test.ci.lo)}, ${pct(i.test.ci.hi)}]` : null], ['loss', i.test.loss], ['test set', i.ledger.testSet], ['ledger', `${i.ledger.evaluations} evaluations, ${i.ledger.models} models`]])
        : ui.el('p', { class: 'muted' }, 'not evaluated yet (the test set is evaluated once, at the end)')),
      ui.el('div', { class: 'panel' }, ui.el('h2', {}, 'Metrics'), ui.table([
        { key: 'key', label: 'metric' }, { key: 'count', label: 'records', numeric: true },
        { key: 'last', label: 'last', numeric: true, format: (v) => Number(v).toPrecision(5) },
        { key: 'min', label: 'min', numeric: true, format: (v) => Number(v).toPrecision(5) }, { key: 'max', label: 'max', numeric: true, format: (v) => Number(v).toPrecision(5) },
      ], i.metrics as unknown as Array<Record<string, unknown>>)),
    );
  };
  drawTables(info);
  await Promise.all([refreshCurves(), epochs()]);

  let pending: number | null = null;
  smooth.addEventListener('input', () => {
    state.smooth = Number(smooth.value);
    smoothValue.textContent = state.smooth.toFixed(2);
    if (pending !== null) clearTimeout(pending);
    pending = window.setTimeout(() => { pending = null; void Promise.all([loss(), speed()]); }, 80);
  });
  xSelect.addEventListener('change', () => { state.x = xSelect.value as RunViewState['x']; void refreshCurves(true); });
  log.addEventListener('change', () => { state.log = log.checked; void refreshCurves(); });
  outliers.addEventListener('change', () => { state.outliers = outliers.checked; void refreshCurves(); });

  ui.follow(id, () => {
    void (async () => {
      const next = await ui.api<Info>('info', { id });
      drawHeader(next);
      drawTables(next);
      await Promise.all([refreshCurves(), epochs()]);
    })();
  });
}
