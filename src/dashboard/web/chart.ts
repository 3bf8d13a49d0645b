// Charts are uPlot (canvas, built for long time series); this adapts a ChartData to its options:
// faint raw series, dashed lines, filled bands between two hidden edge series, log y, a fixed y
// range for the outlier-free view, and drag-to-zoom reported back so the page can fetch the
// zoomed range at full resolution.
import uPlot from 'uplot';
import { tickLabel } from '../plot/ticks.js';
import type { ChartData, ChartHandle, ChartOptions } from './page-ui.js';

function signature(data: ChartData): string {
  let sum = 0, count = 0;
  for (const ys of data.ys) for (const v of ys) if (v !== null && Number.isFinite(v)) { sum += v; count++; }
  return `${count}:${sum.toPrecision(12)}`;
}


const ticks = (_u: uPlot, splits: number[]): string[] => splits.map((v) => (v === null || v === undefined ? '' : tickLabel(v)));

function faint(color: string, alpha = 0.2): string {
  // #rrggbb -> rgba with low alpha
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${alpha})` : color;
}

export function createChart(parent: HTMLElement, initial: ChartOptions): ChartHandle {
  const element = document.createElement('div');
  element.className = 'chart';
  parent.append(element);
  let options = initial;
  let data: ChartData = { x: [], ys: [], series: [] };
  let plot: uPlot | null = null;
  let shapeKey = '';
  let zoomed: [number, number] | null = null;

  const build = (): void => {
    plot?.destroy();
    const hasY2 = data.series.some((s) => s.axis2);
    const width = Math.max(320, Math.floor(element.clientWidth || parent.clientWidth || 640));
    const opts: uPlot.Options = {
      title: options.title,
      width,
      height: options.height ?? 260,
      scales: {
        x: { time: false },
        y: {
          distr: options.log ? 3 : 1,
          ...(options.yRange ? { range: (): uPlot.Range.MinMax => [options.yRange![0], options.yRange![1]] } : {}),
        },
        ...(hasY2 ? { y2: { distr: 1 } } : {}),
      },
      series: [
        { label: options.xLabel },
        ...data.series.map((s) => ({
          label: s.label,
          stroke: s.faint ? faint(s.color) : s.color,
          width: s.faint ? 1 : s.hidden ? 0 : 2,
          dash: s.dash ? [6, 4] : undefined,
          show: true,
          points: { show: false },
          spanGaps: true,
          scale: s.axis2 ? 'y2' : 'y',
        })),
      ],
      bands: (data.bands ?? []).map((b) => ({ series: [b.hi + 1, b.lo + 1] as [number, number], fill: faint(b.color, 0.25) })),
      axes: [{ label: options.xLabel, values: ticks }, { label: options.yLabel, values: ticks, size: 60 }, ...(hasY2 ? [{ scale: 'y2', side: 1 as const, label: options.y2Label, grid: { show: false }, values: ticks }] : [])],
      legend: { live: true },
      // Zoom is ours, not uPlot's: a drag selects an x range, which becomes a query at full
      // resolution for that range; a double click goes back to the whole run.
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 2) return;
          const min = u.posToVal(u.select.left, 'x'), max = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          zoomed = [min, max];
          u.setScale('x', { min, max });
          options.onZoom?.(zoomed);
        }],
      },
    };
    plot = new uPlot(opts, [data.x, ...data.ys] as uPlot.AlignedData, element);
    // Band edges are drawn as a fill, not as lines: keep them out of the legend too.
    const rows = plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
    data.series.forEach((s, i) => { if (s.hidden && rows[i + 1]) rows[i + 1].style.display = 'none'; });
  };
  element.addEventListener('dblclick', () => {
    if (!zoomed) return;
    zoomed = null;
    options.onZoom?.(null);
  });

  const handle: ChartHandle = {
    element,
    update(next, nextOptions, resetZoom) {
      data = next;
      if (nextOptions) options = { ...options, ...nextOptions };
      if (resetZoom) zoomed = null;
      const key = JSON.stringify([options.log, options.yRange, options.title, data.series, data.bands]);
      if (!plot || key !== shapeKey) {
        shapeKey = key;
        build();
      } else {
        plot.setData([data.x, ...data.ys] as uPlot.AlignedData, !zoomed);
      }
      if (zoomed && plot) plot.setScale('x', { min: zoomed[0], max: zoomed[1] });
      element.dataset.points = String(data.x.length);
      element.dataset.lastX = String(data.x.length ? data.x[data.x.length - 1] : '');
      element.dataset.signature = signature(data);
      element.dataset.log = String(Boolean(options.log));
    },
    points: () => data.x.length,
  };
  return handle;
}
