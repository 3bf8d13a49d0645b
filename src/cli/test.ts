import { join, dirname } from 'node:path';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { loadRunExperiment } from '../track/experiment-source.js';
import { Run } from '../track/run-store.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { testOnce, weightsFileOf } from '../train/test-once.js';
import { manualSeed } from '../tensor/random.js';
import type { HParams } from '../experiments/define.js';
import { classificationReport } from './report.js';

const flags = {
  run: { type: 'string', help: 'the run directory whose checkpoint to test' },
  experiment: { type: 'string', help: 'the experiment module, when the file the run recorded moved or changed' },
  checkpoint: { type: 'string', default: 'best', choices: ['best', 'last'], help: 'which checkpoint: best (chosen on validation) or last' },
  'data-dir': { type: 'string', help: 'folder with the dataset files' },
  ledger: { type: 'string', help: 'test ledger file (default: test-ledger.jsonl beside the run directories)' },
  report: { type: 'boolean', help: 'also print the confusion matrix and per-class precision, recall and F1' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft test [experiment] --run DIR`: evaluates the sealed test set for a trained model and records it in the ledger. */
export async function testCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'experiment', required: false }]);
  if (f.help) {
    console.log('usage: tradecraft test --run RUN_DIR [--experiment PATH] [--checkpoint best|last] [--data-dir DIR] [--report] [--json]\n\n' +
      'The experiment is loaded from where run.json says it came from (a built-in, or a file checked by its hash).\n\n' + formatFlagHelp(flags));
    return 0;
  }
  if (!f.run) throw new UsageError('test needs --run RUN_DIR: the run whose model to evaluate on the test set');
  const run = Run.open(f.run);
  const loaded = await loadRunExperiment(run, { experiment: f.experiment ?? positionals.experiment });
  for (const w of loaded.warnings) console.warn(w);
  const exp = loaded.experiment;
  const hp = run.info.hparams as HParams;
  manualSeed(run.info.seed);
  const data = exp.data(hp, { dataDir: f['data-dir'] });
  const model = exp.model(hp);
  const ckpt = loadCheckpoint(run.checkpointsDir, f.checkpoint as 'best' | 'last');
  model.loadStateDict(ckpt.model);
  const r = testOnce({
    model, loss: exp.loss, test: data.test, experiment: exp.name, runId: run.info.id,
    weightsFile: weightsFileOf(ckpt.dir), ledgerPath: f.ledger ?? join(dirname(run.dir), 'test-ledger.jsonl'),
  });
  console.log(`${r.line} - ${exp.name}, run ${run.info.id}, ${f.checkpoint} checkpoint (epoch ${ckpt.trainer.epoch})`);
  console.log(`this test set has ${r.ledger.earlierUses} earlier evaluation(s) in the ledger, for ${r.ledger.otherModels} other model(s)`);
  if (r.ledger.warning) console.warn(r.ledger.warning);
  let report: ReturnType<typeof classificationReport> | undefined;
  if (f.report && r.evaluation.predictions) {
    report = classificationReport(r.evaluation.predictions, data.test.y.data);
    console.log(report.text);
  }
  if (f.json) {
    console.log(JSON.stringify({
      testAccuracy: r.evaluation.accuracy, testAccuracyCI: r.ci, testLoss: r.evaluation.loss, n: r.evaluation.total,
      modelHash: r.modelHash, earlierUses: r.ledger.earlierUses, otherModels: r.ledger.otherModels, runDir: run.dir,
      confusionMatrix: report?.matrix, perClass: report?.metrics,
    }));
  }
  return 0;
}
