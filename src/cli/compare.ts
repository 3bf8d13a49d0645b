import { join, dirname } from 'node:path';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { loadRunExperiment } from '../track/experiment-source.js';
import { Run } from '../track/run-store.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { testOnce, weightsFileOf, type TestResult } from '../train/test-once.js';
import { manualSeed } from '../tensor/random.js';
import { mcnemarExact } from '../stats/mcnemar.js';
import type { HParams } from '../experiments/define.js';

const flags = {
  'data-dir': { type: 'string', help: 'folder with the dataset files' },
  'experiment-a': { type: 'string', help: "run A's experiment module, when the file it recorded moved or changed" },
  'experiment-b': { type: 'string', help: "run B's experiment module, when the file it recorded moved or changed" },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/**
 * `tradecraft compare RUN_A RUN_B`: both models on the same test set, paired by item, with
 * McNemar's exact test — is A better than B, and how sure are we. Both evaluations go into
 * the test ledger.
 */
export async function compareCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'runA', required: false }, { name: 'runB', required: false }]);
  if (f.help) {
    console.log('usage: tradecraft compare RUN_A RUN_B [--experiment-a PATH] [--experiment-b PATH] [--data-dir DIR] [--json]\n\n' +
      'Both runs\' best checkpoints on the same test set, paired by item (McNemar exact test); each experiment is loaded from where its run.json says it came from.\n\n' + formatFlagHelp(flags));
    return 0;
  }
  if (!positionals.runA || !positionals.runB) throw new UsageError('compare needs two run directories: tradecraft compare RUN_A RUN_B');
  const runs = [Run.open(positionals.runA!), Run.open(positionals.runB!)];
  const results: TestResult[] = [];
  let targets: ArrayLike<number> | null = null;
  let testHash = '';
  for (const [k, run] of runs.entries()) {
    const loaded = await loadRunExperiment(run, { experiment: k === 0 ? f['experiment-a'] : f['experiment-b'] });
    for (const w of loaded.warnings) console.warn(w);
    const exp = loaded.experiment;
    const hp = run.info.hparams as HParams;
    manualSeed(run.info.seed);
    const data = exp.data(hp, { dataDir: f['data-dir'] });
    const model = exp.model(hp);
    const ckpt = loadCheckpoint(run.checkpointsDir, 'best');
    model.loadStateDict(ckpt.model);
    const r = testOnce({ model, loss: exp.loss, test: data.test, experiment: exp.name, runId: run.info.id, weightsFile: weightsFileOf(ckpt.dir), ledgerPath: join(dirname(run.dir), 'test-ledger.jsonl') });
    if (!r.evaluation.predictions) throw new UsageError(`run ${run.info.id} is not a classifier; compare needs accuracy on the same items`);
    const hash = Array.from(data.test.y.data.slice(0, 64)).join(',') + `/${data.test.length}`;
    if (targets && hash !== testHash) throw new UsageError('the two runs use different test sets; a paired comparison needs the same items in the same order');
    targets = data.test.y.data;
    testHash = hash;
    results.push(r);
  }
  const correct = results.map((r) => Array.from(r.evaluation.predictions!, (p, i) => p === targets![i]));
  const m = mcnemarExact(correct[0], correct[1]);
  const [a, b] = results.map((r) => r.evaluation.accuracy!);
  const better = a > b ? 'A' : 'B';
  const verdict = m.pValue < 0.05
    ? `${better} is more accurate by ${(Math.abs(a - b) * 100).toFixed(2)} points; McNemar exact p = ${m.pValue.toPrecision(3)} over ${m.discordant} items the models disagree on`
    : `no reliable difference: ${(Math.abs(a - b) * 100).toFixed(2)} points, McNemar exact p = ${m.pValue.toPrecision(3)} over ${m.discordant} discordant items`;
  console.log(`A ${runs[0].info.id}: ${results[0].line}`);
  console.log(`B ${runs[1].info.id}: ${results[1].line}`);
  console.log(verdict);
  for (const r of results) if (r.ledger.warning) console.warn(r.ledger.warning);
  if (f.json) console.log(JSON.stringify({ accuracyA: a, accuracyB: b, ciA: results[0].ci, ciB: results[1].ci, ...m, verdict }));
  return 0;
}
