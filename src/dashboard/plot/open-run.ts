// Opening run directories named on the command line (plot, report, export) with the same
// read-only reader the dashboard uses.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RunDirectory } from '../server/run-directory.js';

/** A run directory given by path; throws an Error naming the path and the fix. */
export function openRunDirectory(path: string): RunDirectory {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new Error(`${path} is not a directory; pass a run directory (runs/<id>) printed by \`tradecraft train\``);
  if (!existsSync(join(path, 'run.json')) && !existsSync(join(path, 'metrics.jsonl'))) throw new Error(`${path} is not a run directory: it has neither run.json nor metrics.jsonl`);
  const real = realpathSync(path);
  return new RunDirectory(basename(real), real);
}

/** The test ledger beside a run directory (train writes it to <out>/test-ledger.jsonl). */
export function ledgerBeside(run: RunDirectory): string {
  return join(dirname(run.dir), 'test-ledger.jsonl');
}

/**
 * The series key a user means by --metric: an exact `split/name`, a name, or the per-batch
 * version of a name (`loss` -> `batch_loss`), as the run has it.
 */
export function resolveMetric(keys: string[], metric: string): string | null {
  if (keys.includes(metric)) return metric;
  for (const name of [metric, `batch_${metric}`, `train_${metric}`]) {
    const hits = keys.filter((k) => k.split('/')[1] === name);
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) return hits.find((k) => k.startsWith('train/')) ?? hits[0];
  }
  return null;
}
