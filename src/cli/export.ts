import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { Run } from '../track/run-store.js';
import { EXPORT_FORMATS } from '../interop/run-export.js';

const flags = {
  format: { type: 'string', choices: Object.keys(EXPORT_FORMATS), default: 'csv', help: 'output format' },
  out: { type: 'string', help: 'output file (default: stdout)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout (needs --out)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft export RUN --format csv|jsonl [--out FILE]`: a run's metrics for other tools. */
export function exportCommand(argv: string[]): number {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'run', required: false }]);
  if (f.help) {
    console.log(`usage: tradecraft export RUN --format ${Object.keys(EXPORT_FORMATS).join('|')} [--out FILE]\n\n` +
      Object.entries(EXPORT_FORMATS).map(([k, v]) => `  ${k.padEnd(12)} ${v.description}`).join('\n'));
    return 0;
  }
  if (!positionals.run) throw new UsageError('export needs a run directory: tradecraft export runs/<id> --format csv');
  if (!existsSync(join(positionals.run, 'run.json'))) throw new UsageError(`${positionals.run} is not a run directory (no run.json); pass the folder printed by \`tradecraft train\``);
  if (f.json && !f.out && !EXPORT_FORMATS[f.format].defaultOut) throw new UsageError('--json needs --out (the export itself goes to stdout otherwise)');
  const run = Run.open(positionals.run);
  const records = run.metrics();
  const format = EXPORT_FORMATS[f.format];
  const out = f.out ?? format.defaultOut?.({ dir: run.dir, info: run.info, records }) ?? null;
  const text = format.write({ dir: run.dir, info: run.info, records }, out);
  if (text !== null) process.stdout.write(text);
  else if (f.json) console.log(JSON.stringify({ out, format: f.format, records: records.length }));
  else console.log(`wrote ${out} (${records.length} records, ${f.format})`);
  return 0;
}
