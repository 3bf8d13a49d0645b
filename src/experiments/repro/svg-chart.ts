/**
 * A small static line chart as SVG text, for reports written next to a study (no browser, no
 * dependency): lines with optional interval bands, linear or log x, vertical markers and
 * horizontal reference lines. Colors come from a fixed palette in series order.
 *
 * ```ts
 * writeFileAtomic('plot.svg', lineChartSvg({ title: 'IMP', xLabel: 'weights remaining (%)',
 *   yLabel: 'test accuracy (%)', logX: true, series: [{ name: 'rewind', points }] }));
 * ```
 */

export interface ChartPoint { x: number; y: number; lo?: number; hi?: number }
export interface ChartSeries { name: string; points: ChartPoint[]; dashed?: boolean }
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  logX?: boolean;
  logY?: boolean;
  /** Reverse the x axis (pruning plots run from 100% down). */
  reverseX?: boolean;
  markersX?: Array<{ x: number; label: string }>;
  linesY?: Array<{ y: number; label: string }>;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(lo: number, hi: number, n: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) { const v = m * 10 ** e; if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v); }
  }
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4))));

export function lineChartSvg(spec: ChartSpec): string {
  const W = spec.width ?? 720, H = spec.height ?? 440;
  const L = 70, R = 170, T = 40, B = 55;
  const pts = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (pts.length === 0) throw new Error(`lineChartSvg(${spec.title}): no finite points to plot`);
  const tx = (v: number): number => (spec.logX ? Math.log10(v) : v);
  const ty = (v: number): number => (spec.logY ? Math.log10(v) : v);
  let x0 = Math.min(...pts.map((p) => tx(p.x))), x1 = Math.max(...pts.map((p) => tx(p.x)));
  let y0 = Math.min(...pts.map((p) => ty(p.lo ?? p.y)), ...(spec.linesY ?? []).map((l) => ty(l.y)));
  let y1 = Math.max(...pts.map((p) => ty(p.hi ?? p.y)), ...(spec.linesY ?? []).map((l) => ty(l.y)));
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const sx = (v: number): number => { const f = (tx(v) - x0) / (x1 - x0); return L + (spec.reverseX ? 1 - f : f) * (W - L - R); };
  const sy = (v: number): number => T + (1 - (ty(v) - y0) / (y1 - y0)) * (H - T - B);
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  o.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  const xt = spec.logX ? logTicks(10 ** x0, 10 ** x1) : niceTicks(x0, x1, 6);
  const yt = spec.logY ? logTicks(10 ** y0, 10 ** y1) : niceTicks(y0, y1, 6);
  for (const v of xt) o.push(`<line x1="${sx(v)}" x2="${sx(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/><text x="${sx(v)}" y="${H - B + 16}" text-anchor="middle">${fmt(v)}</text>`);
  for (const v of yt) o.push(`<line x1="${L}" x2="${W - R}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/><text x="${L - 6}" y="${sy(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  o.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#444"/>`);
  o.push(`<text x="${L + (W - L - R) / 2}" y="${H - 14}" text-anchor="middle">${esc(spec.xLabel)}${spec.logX ? ' (log scale)' : ''}</text>`);
  o.push(`<text transform="translate(16 ${T + (H - T - B) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  for (const l of spec.linesY ?? []) o.push(`<line x1="${L}" x2="${W - R}" y1="${sy(l.y)}" y2="${sy(l.y)}" stroke="#888" stroke-dasharray="6 4"/><text x="${W - R - 4}" y="${sy(l.y) - 4}" text-anchor="end" fill="#555">${esc(l.label)}</text>`);
  for (const m of spec.markersX ?? []) o.push(`<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${T}" y2="${H - B}" stroke="#888" stroke-dasharray="3 3"/><text x="${sx(m.x) + 4}" y="${T + 14}" fill="#555">${esc(m.label)}</text>`);
  spec.series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const ps = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    const band = ps.filter((p) => p.lo !== undefined && p.hi !== undefined && Number.isFinite(p.lo) && Number.isFinite(p.hi));
    if (band.length > 1) {
      const poly = [...band.map((p) => `${sx(p.x)},${sy(p.hi!)}`), ...band.reverse().map((p) => `${sx(p.x)},${sy(p.lo!)}`)].join(' ');
      o.push(`<polygon points="${poly}" fill="${c}" fill-opacity="0.15" stroke="none"/>`);
    }
    o.push(`<polyline points="${ps.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    for (const p of ps) {
      o.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="2.5" fill="${c}"/>`);
      if (p.lo !== undefined && p.hi !== undefined && Number.isFinite(p.lo) && Number.isFinite(p.hi)) o.push(`<line x1="${sx(p.x)}" x2="${sx(p.x)}" y1="${sy(p.lo)}" y2="${sy(p.hi)}" stroke="${c}" stroke-width="1"/>`);
    }
    o.push(`<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${T + 12 + i * 18}" y2="${T + 12 + i * 18}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/><text x="${W - R + 42}" y="${T + 16 + i * 18}">${esc(s.name)}</text>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}
