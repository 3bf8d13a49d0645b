import { parseArgs, UsageError } from './args.js';
import { writeFileAtomic } from '../track/files.js';
import { ledgerBeside, openRunDirectory } from '../dashboard/plot/open-run.js';
import { buildRunReport } from '../dashboard/report/run-report.js';

const flags = {
  out: { type: 'string', help: 'output HTML file (default report.html)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft report RUN --out report.html`: the run page as one self-contained file. */
export function htmlReportCommand(argv: string[]): number {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'run', required: false }]);
  if (f.help) {
    console.log('usage: tradecraft report RUN [--out report.html]\n\nWrites the run page (charts with smoothing/axis/zoom controls, tables) as one HTML file with its data and scripts inlined; it opens offline.');
    return 0;
  }
  if (!positionals.run) throw new UsageError('report needs a run directory: tradecraft report runs/<id> --out report.html');
  let run;
  try {
    run = openRunDirectory(positionals.run);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const out = f.out ?? 'report.html';
  const html = buildRunReport(run, ledgerBeside(run));
  writeFileAtomic(out, html);
  if (f.json) console.log(JSON.stringify({ out, bytes: Buffer.byteLength(html), run: run.id }));
  else console.log(`wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, self-contained: open it in any browser, offline)`);
  return 0;
}
