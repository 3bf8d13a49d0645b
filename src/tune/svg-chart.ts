/**
 * Small static SVG charts for the tuning tools (`lr-find --out lr.svg`, sweep and ablation
 * reports): lines on a linear or log x axis with vertical markers, and bars with error bars.
 * No dependencies, so the files open in any browser; the numbers behind them are in the JSON.
 */

export interface LineSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Draw as faint (raw data behind a smoothed line). */
  faint?: boolean;
  /** Vertical error bars at each point: [lo, hi] per point. */
  errors?: ReadonlyArray<readonly [number, number]>;
  /** Also draw a dot at each point. */
  dots?: boolean;
}

export interface Marker {
  x: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  markers?: Marker[];
  width?: number;
  height?: number;
  /** Clip the y axis to this range (divergent tails would flatten the interesting part). */
  yRange?: [number, number];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtTick(v: number, log: boolean): string {
  if (log) return v.toExponential(0).replace('e+', 'e');
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(+v.toPrecision(3));
}

/** "Nice" linear ticks (1, 2, 5 x 10^k steps). */
function linearTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function frame(o: { width: number; height: number; title: string; xLabel: string; yLabel: string }, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n` +
    `<text x="${o.width / 2}" y="16" text-anchor="middle" font-size="13">${esc(o.title)}</text>\n` +
    `<text x="${o.width / 2}" y="${o.height - 4}" text-anchor="middle">${esc(o.xLabel)}</text>\n` +
    `<text transform="translate(12 ${o.height / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>\n` +
    body + '</svg>\n';
}

/** A line chart; non-finite points are skipped. Returns the SVG text. */
export function lineChart(series: readonly LineSeries[], o: LineChartOptions): string {
  const width = o.width ?? 640, height = o.height ?? 400;
  const L = 64, R = 150, T = 28, B = 40;
  const pw = width - L - R, ph = height - T - B;
  const fx = (x: number) => (o.logX ? Math.log10(x) : x);
  const finite = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!o.logX || p[0] > 0);
  const xs: number[] = [], ys: number[] = [];
  for (const s of series) {
    s.points.forEach((p, i) => {
      if (!finite(p)) return;
      xs.push(fx(p[0])); ys.push(p[1]);
      const e = s.errors?.[i];
      if (e && Number.isFinite(e[0]) && Number.isFinite(e[1])) ys.push(e[0], e[1]);
    });
  }
  for (const m of o.markers ?? []) if (Number.isFinite(fx(m.x))) xs.push(fx(m.x));
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = o.yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const padY = (y1 - y0) * 0.05;
  y0 -= padY; y1 += padY;
  const px = (x: number) => L + ((fx(x) - x0) / (x1 - x0)) * pw;
  const py = (y: number) => T + (1 - (Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * ph;
  const parts: string[] = [`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`];
  const xt = o.logX ? linearTicks(Math.ceil(x0), Math.floor(x1), 8).filter(Number.isInteger).map((e) => 10 ** e) : linearTicks(x0, x1);
  for (const v of xt) {
    const X = px(v).toFixed(1);
    parts.push(`<line x1="${X}" x2="${X}" y1="${T}" y2="${T + ph}" stroke="#eee"/><text x="${X}" y="${T + ph + 14}" text-anchor="middle">${fmtTick(v, !!o.logX)}</text>`);
  }
  for (const v of linearTicks(y0, y1)) {
    const Y = py(v).toFixed(1);
    parts.push(`<line x1="${L}" x2="${L + pw}" y1="${Y}" y2="${Y}" stroke="#eee"/><text x="${L - 4}" y="${Y}" text-anchor="end" dominant-baseline="middle">${fmtTick(v, false)}</text>`);
  }
  let colorIndex = 0;
  series.forEach((s, si) => {
    const color = s.faint ? '#bbb' : PALETTE[colorIndex++ % PALETTE.length];
    const pts = s.points.filter(finite);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${s.faint ? 1 : 1.8}" points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`);
    s.points.forEach((p, i) => {
      if (!finite(p)) return;
      const e = s.errors?.[i];
      if (e && Number.isFinite(e[0]) && Number.isFinite(e[1])) {
        const X = px(p[0]).toFixed(1);
        parts.push(`<line x1="${X}" x2="${X}" y1="${py(e[0]).toFixed(1)}" y2="${py(e[1]).toFixed(1)}" stroke="${color}"/>`);
      }
      if (s.dots || pts.length === 1) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${color}"/>`);
    });
    parts.push(`<line x1="${L + pw + 10}" x2="${L + pw + 28}" y1="${T + 10 + si * 16}" y2="${T + 10 + si * 16}" stroke="${color}" stroke-width="2"/><text x="${L + pw + 32}" y="${T + 10 + si * 16}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  (o.markers ?? []).forEach((m, mi) => {
    if (!Number.isFinite(fx(m.x))) return;
    const X = px(m.x).toFixed(1);
    const right = +X > L + pw * 0.6; // labels near the right edge go left of their line
    parts.push(`<line x1="${X}" x2="${X}" y1="${T}" y2="${T + ph}" stroke="#444" stroke-dasharray="4 3"/><text x="${(+X + (right ? -3 : 3)).toFixed(1)}" y="${T + 12 + mi * 13}" text-anchor="${right ? 'end' : 'start'}">${esc(m.label)}</text>`);
  });
  return frame({ width, height, title: o.title, xLabel: o.xLabel, yLabel: o.yLabel }, parts.join('\n') + '\n');
}

export interface Bar {
  label: string;
  value: number;
  lo?: number;
  hi?: number;
}

/** Horizontal bars around a zero line with optional error bars (differences with their intervals). */
export function barChart(bars: readonly Bar[], o: { title: string; xLabel: string; width?: number }): string {
  const width = o.width ?? 640;
  const rowH = 26, L = 150, R = 30, T = 30, B = 40;
  const height = T + B + rowH * Math.max(1, bars.length);
  const vals = bars.flatMap((b) => [b.value, b.lo ?? b.value, b.hi ?? b.value, 0]).filter(Number.isFinite);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (hi === lo) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const pw = width - L - R;
  const px = (v: number) => L + ((v - lo) / (hi - lo)) * pw;
  const parts: string[] = [];
  for (const v of linearTicks(lo, hi)) {
    const X = px(v).toFixed(1);
    parts.push(`<line x1="${X}" x2="${X}" y1="${T}" y2="${height - B}" stroke="#eee"/><text x="${X}" y="${height - B + 14}" text-anchor="middle">${fmtTick(v, false)}</text>`);
  }
  parts.push(`<line x1="${px(0).toFixed(1)}" x2="${px(0).toFixed(1)}" y1="${T}" y2="${height - B}" stroke="#444"/>`);
  bars.forEach((b, i) => {
    const y = T + i * rowH;
    const a = px(Math.min(0, b.value)), w = Math.abs(px(b.value) - px(0));
    parts.push(`<text x="${L - 6}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle">${esc(b.label)}</text>`);
    if (Number.isFinite(b.value)) parts.push(`<rect x="${a.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${b.value < 0 ? '#d62728' : '#1f77b4'}" opacity="0.7"/>`);
    if (b.lo !== undefined && b.hi !== undefined && Number.isFinite(b.lo) && Number.isFinite(b.hi)) {
      const Y = (y + rowH / 2).toFixed(1);
      parts.push(`<line x1="${px(b.lo).toFixed(1)}" x2="${px(b.hi).toFixed(1)}" y1="${Y}" y2="${Y}" stroke="black"/>` +
        `<line x1="${px(b.lo).toFixed(1)}" x2="${px(b.lo).toFixed(1)}" y1="${+Y - 5}" y2="${+Y + 5}" stroke="black"/>` +
        `<line x1="${px(b.hi).toFixed(1)}" x2="${px(b.hi).toFixed(1)}" y1="${+Y - 5}" y2="${+Y + 5}" stroke="black"/>`);
    }
  });
  return frame({ width, height, title: o.title, xLabel: o.xLabel, yLabel: '' }, parts.join('\n') + '\n');
}
