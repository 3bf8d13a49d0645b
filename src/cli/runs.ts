import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { formatTable } from './table.js';
import { listRunSummaries, type RunListing } from '../track/run-list.js';

const flags = {
  json: { type: 'boolean', help: 'print one JSON object ({ runs: [...] }) as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

function duration(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function bestText(r: RunListing): string {
  if (!r.best) return '-';
  const ci = r.best.interval ? ` [${r.best.interval[0].toFixed(3)}, ${r.best.interval[1].toFixed(3)}]` : '';
  return `${r.best.metric} ${r.best.value.toFixed(4)}${ci} @${r.best.epoch}`;
}

function testText(r: RunListing): string {
  if (!r.test) return '-';
  if (r.test.accuracy !== undefined) {
    const ci = r.test.interval ? ` [${r.test.interval[0].toFixed(3)}, ${r.test.interval[1].toFixed(3)}]` : '';
    return `acc ${r.test.accuracy.toFixed(4)}${ci}`;
  }
  return r.test.loss !== undefined ? `loss ${r.test.loss.toFixed(4)}` : '-';
}

/** `tradecraft runs [DIR]`: the runs under DIR (default runs/), newest first. */
export function runsCommand(argv: string[]): number {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'dir', required: false }]);
  if (f.help) {
    console.log('usage: tradecraft runs [DIR] [--json]\n\nLists the runs under DIR (default runs): status (a running run whose heartbeat is stale shows as crashed), ' +
      'experiment, start, duration, epochs, best validation metric (accuracy with its 95% Wilson interval) and test result.\n\n' + formatFlagHelp(flags));
    return 0;
  }
  const dir = positionals.dir ?? 'runs';
  if (!existsSync(dir)) throw new UsageError(`no folder ${dir}: pass the folder that holds run directories (train --out, default runs)`);
  const rows = listRunSummaries(dir);
  if (f.json) {
    console.log(JSON.stringify({ runs: rows }));
    return 0;
  }
  if (!rows.length) {
    console.log(`no runs under ${dir}`);
    return 0;
  }
  console.log(formatTable(rows.map((r) => [
    relative(process.cwd(), r.dir) || r.id, r.status, r.experiment, r.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    duration(r.durationSeconds), `${r.epochsDone}/${r.epochsPlanned}`, bestText(r), testText(r),
  ]), ['run', 'status', 'experiment', 'started', 'duration', 'epochs', 'best validation', 'test']));
  return 0;
}
