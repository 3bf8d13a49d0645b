// A static line chart as SVG, for `tradecraft plot` without a browser (uPlot draws on a canvas,
// which Node does not have). Deliberately small: linear or log y, nice ticks, a legend, faint
// raw lines behind smoothed ones. The interactive charts are uPlot's.
import { tickLabel } from './ticks.js';

export interface SvgLine {
  label: string;
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  faint?: boolean;
}

export interface SvgChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  log?: boolean;
  width?: number;
  height?: number;
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  // The round step whose tick count is closest to the one asked for.
  const step = [1, 2, 5, 10].map((m) => m * mag).reduce((best, s) => (Math.abs((hi - lo) / s - count) < Math.abs((hi - lo) / best - count) ? s : best));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart as a standalone SVG document. Throws if log scale meets a value <= 0. */
export function svgLineChart(lines: SvgLine[], o: SvgChartOptions): string {
  const W = o.width ?? 800, H = o.height ?? 450;
  const m = { l: 72, r: 20, t: 40, b: 50 + 18 * Math.ceil(lines.length / 2) };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const line of lines) for (let i = 0; i < line.x.length; i++) {
    const y = line.y[i];
    if (y === null || !Number.isFinite(y)) continue;
    if (o.log && y <= 0) throw new RangeError(`log scale: ${line.label} has a value ${y} <= 0; drop --log`);
    x0 = Math.min(x0, line.x[i]); x1 = Math.max(x1, line.x[i]);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  if (!Number.isFinite(x0)) throw new RangeError('nothing to plot: the series have no finite values');
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  const f = o.log ? Math.log10 : (v: number) => v;
  let fy0 = f(y0), fy1 = f(y1);
  if (fy1 === fy0) { fy0 -= 0.5; fy1 += 0.5; }
  const pad = (fy1 - fy0) * 0.05;
  fy0 -= pad; fy1 += pad;
  const sx = (v: number): number => m.l + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number): number => m.t + ph - ((f(v) - fy0) / (fy1 - fy0)) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(o.title)}</text>`);
  let yTicks = o.log
    ? niceTicks(Math.ceil(fy0), Math.floor(fy1), Math.max(1, Math.floor(fy1) - Math.ceil(fy0))).map((e) => Math.pow(10, e))
    : niceTicks(fy0, fy1);
  if (o.log && yTicks.length < 3) yTicks = niceTicks(Math.pow(10, fy0), Math.pow(10, fy1)).filter((t) => t > 0); // less than a decade
  for (const t of yTicks) {
    const y = sy(t);
    if (y < m.t - 0.5 || y > m.t + ph + 0.5) continue;
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e4e7ec"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#444">${tickLabel(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    const x = sx(t);
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t}" y2="${m.t + ph}" stroke="#f0f2f5"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${m.t + ph + 16}" text-anchor="middle" fill="#444">${tickLabel(t)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#98a2b3"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 34}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel + (o.log ? ' (log)' : ''))}</text>`);
  for (const line of [...lines.filter((l) => l.faint), ...lines.filter((l) => !l.faint)]) {
    let d = '';
    let pen = false;
    for (let i = 0; i < line.x.length; i++) {
      const y = line.y[i];
      if (y === null || !Number.isFinite(y)) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${sx(line.x[i]).toFixed(1)} ${sy(y).toFixed(1)}`;
      pen = true;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${line.color}" stroke-width="${line.faint ? 1 : 2}" stroke-opacity="${line.faint ? 0.3 : 1}" stroke-linejoin="round"/>`);
  }
  lines.filter((l) => !l.faint).forEach((line, k) => {
    const lx = m.l + (k % 2) * (pw / 2), ly = H - 12 - 18 * (Math.ceil(lines.filter((l) => !l.faint).length / 2) - 1 - Math.floor(k / 2));
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${line.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 24}" y="${ly}">${esc(line.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
