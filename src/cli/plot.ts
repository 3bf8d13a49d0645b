import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { openRunDirectory, resolveMetric } from '../dashboard/plot/open-run.js';
import { querySeries } from '../dashboard/series/series-query.js';
import { svgLineChart, type SvgLine } from '../dashboard/plot/svg-chart.js';
import { X_AXES, type XAxis } from '../dashboard/series/x-axis.js';
import { writeFileAtomic } from '../track/files.js';

const MAX_RUNS = 8;
const PALETTE = ['#1f6feb', '#e8590c', '#2f9e44', '#7048e8', '#c2255c', '#0c8599', '#5c940d', '#862e9c'];

const flags = {
  metric: { type: 'string', default: 'loss', help: 'metric: loss (per batch), lr, grad_norm, val_accuracy, or split/name' },
  smooth: { type: 'number', min: 0, max: 0.999, default: 0, help: 'debiased EMA weight in [0, 1) (TensorBoard-style), on the full-resolution series' },
  x: { type: 'string', choices: X_AXES, default: 'step', help: 'x axis: step, epoch or time (seconds since the first record)' },
  log: { type: 'boolean', help: 'log-scale y axis' },
  out: { type: 'string', help: 'output file: .svg (no browser needed) or .png (uses Chromium)' },
  width: { type: 'int', min: 200, max: 4000, default: 800, help: 'width in pixels' },
  height: { type: 'int', min: 150, max: 4000, default: 450, help: 'height in pixels' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft plot RUN [RUN...] --metric loss --out FILE.svg|.png`: the dashboard's curve as a file. */
export async function plotCommand(argv: string[]): Promise<number> {
  // Up to MAX_RUNS run directories, as optional positionals (the parser has no variadic kind).
  const slots = Array.from({ length: MAX_RUNS }, (_, i) => ({ name: `run${i + 1}`, required: false }));
  const { flags: f, positionals } = parseArgs(argv, flags, slots);
  if (f.help) {
    console.log('usage: tradecraft plot RUN [RUN...] --metric loss [--smooth 0.6] [--x step|epoch|time] [--log] --out FILE.svg|.png');
    return 0;
  }
  const runs = slots.map((p) => positionals[p.name]).filter((r): r is string => r !== undefined);
  if (runs.length === 0) throw new UsageError('plot needs at least one run directory: tradecraft plot runs/<id> --out loss.svg');
  if (!f.out) throw new UsageError('plot needs --out FILE.svg (or .png)');
  const ext = extname(f.out).toLowerCase();
  if (ext !== '.svg' && ext !== '.png') throw new UsageError(`--out must end in .svg or .png, got '${f.out}'`);
  if (f.smooth >= 1) throw new UsageError(`--smooth must be in [0, 1), got ${f.smooth}`);
  const lines: SvgLine[] = [];
  let shownMetric = f.metric;
  runs.forEach((path, k) => {
    const run = openRunDirectory(path);
    const set = run.series();
    const key = resolveMetric(set.keys(), f.metric);
    if (!key) throw new UsageError(`${path} has no metric '${f.metric}'; it has ${set.keys().join(', ') || 'no metrics yet'}`);
    shownMetric = key;
    const r = querySeries(set, { metric: key, x: f.x as XAxis, smooth: f.smooth, points: 2000 })!;
    const color = PALETTE[k % PALETTE.length];
    const label = runs.length > 1 ? run.id : key;
    if (r.smoothed) lines.push({ label: `${label} (raw)`, color, x: r.x, y: r.raw, faint: true }, { label: `${label} (smoothed ${f.smooth})`, color, x: r.x, y: r.smoothed });
    else lines.push({ label, color, x: r.x, y: r.raw });
  });
  const title = runs.length > 1 ? `${shownMetric} · ${runs.length} runs` : `${shownMetric} · ${openRunDirectory(runs[0]).id}`;
  let svg: string;
  try {
    svg = svgLineChart(lines, { title, xLabel: f.x === 'time' ? 'seconds' : f.x, yLabel: shownMetric.split('/')[1] ?? shownMetric, log: f.log, width: f.width, height: f.height });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (ext === '.svg') writeFileAtomic(f.out, svg);
  else {
    const { svgToPng } = await import('../dashboard/plot/png.js');
    writeFileSync(f.out + '.tmp', await svgToPng(svg, f.width, f.height));
    const { renameSync } = await import('node:fs');
    renameSync(f.out + '.tmp', f.out);
  }
  const points = lines.reduce((s, l) => s + l.x.length, 0);
  if (f.json) console.log(JSON.stringify({ out: f.out, metric: shownMetric, runs: runs.length, points }));
  else console.log(`wrote ${f.out} (${shownMetric}, ${runs.length} run${runs.length > 1 ? 's' : ''}, ${points} points drawn)`);
  return 0;
}
