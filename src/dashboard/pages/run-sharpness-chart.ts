// The run page's sharpness chart (runs trained with --track-sharpness): the top Hessian
// eigenvalue against 2/lr, the edge of stability (Cohen et al. 2021), on one axis.
import type { ChartData, ChartHandle, PageUi } from '../web/page-ui.js';
import type { SeriesResponse } from '../series/series-query.js';

const ORANGE = '#e8590c', GREY = '#667085';

/** Draws `train/sharpness` and, when logged at the same steps, `train/two_over_lr`; returns the refresh function. */
export function sharpnessChart(ui: PageUi, parent: HTMLElement, state: { x: 'step' | 'epoch' | 'time'; log: boolean }): (resetZoom?: boolean) => Promise<void> {
  const box = ui.el('div', { id: 'chart-sharpness' });
  parent.append(box);
  let chart: ChartHandle | null = null;
  let zoom: [number, number] | null = null;
  const title = 'sharpness (top Hessian eigenvalue) and 2/lr';
  const refresh = async (resetZoom = false): Promise<void> => {
    if (resetZoom) zoom = null;
    const q = { id: ui.query.get('id') ?? '', x: state.x, smooth: 0, from: zoom?.[0], to: zoom?.[1] };
    const s = await ui.api<SeriesResponse>('series', { ...q, metric: 'train/sharpness' });
    let limit: SeriesResponse | null = null;
    try { limit = await ui.api<SeriesResponse>('series', { ...q, metric: 'train/two_over_lr' }); } catch { limit = null; }
    const both = limit !== null && limit.x.length === s.x.length && limit.x.every((v, i) => v === s.x[i]);
    const data: ChartData = both
      ? { x: s.x, ys: [s.raw, limit!.raw], series: [{ label: 'sharpness', color: ORANGE }, { label: '2/lr', color: GREY }] }
      : { x: s.x, ys: [s.raw], series: [{ label: 'sharpness', color: ORANGE }] };
    chart ??= ui.chart(box, { title, xLabel: state.x === 'time' ? 'seconds' : state.x, onZoom: (range) => { zoom = range; void refresh(); } });
    chart.update(data, { title, xLabel: state.x === 'time' ? 'seconds' : state.x, log: state.log, yRange: null }, resetZoom);
  };
  return refresh;
}
