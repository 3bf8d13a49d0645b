import { parseArgs, UsageError } from './args.js';
import { formatTable } from './table.js';
import { binomialInterval, type BinomialMethod } from '../stats/binomial-interval.js';
import { testSizeForWidth, intervalWidthTable } from '../stats/test-size.js';
import { mcnemarFromCounts } from '../stats/mcnemar.js';
import { compareOverSeeds } from '../stats/compare-seeds.js';

const common = {
  level: { type: 'number', default: 0.95, min: 0, max: 1, help: 'confidence level' },
  method: { type: 'string', default: 'wilson', choices: ['wilson', 'clopper-pearson', 'normal'], help: 'interval method' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

function numbers(flag: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw new UsageError(`--${flag}: expected comma-separated numbers, got '${text}'`);
  return values;
}

function out(json: boolean, obj: unknown, human: string): void {
  console.log(human);
  if (json) console.log(JSON.stringify(obj));
}

const USAGE = `usage: tradecraft stats <ci|table|size|mcnemar|seeds> [options]
  ci       --correct K --total N [--method wilson|clopper-pearson|normal] [--level 0.95]
  table    [--accuracies 0.9,0.95,0.99] [--sizes 100,1000,10000] [--level] [--method]
  size     --accuracy A --width W [--level] [--method]   (test-set size for an interval of total width W)
  mcnemar  --b B --c C   (exact McNemar test; B = items A got right and B wrong, C the reverse)
  seeds    --a 0.97,0.98,... --b 0.96,0.97,... [--paired]   (compare two configurations over seeds)
all take --json`;

/** `tradecraft stats ...`: intervals, test-size planning and comparisons from the command line. */
export function statsCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  switch (sub) {
    case 'ci': {
      const { flags } = parseArgs(rest, { ...common, correct: { type: 'int', min: 0, help: 'correct predictions' }, total: { type: 'int', min: 1, help: 'test-set size' } });
      if (flags.correct === undefined || flags.total === undefined) throw new UsageError('stats ci needs --correct K and --total N');
      if (flags.correct > flags.total) throw new UsageError(`--correct ${flags.correct} exceeds --total ${flags.total}`);
      const r = binomialInterval(flags.correct, flags.total, { method: flags.method as BinomialMethod, level: flags.level });
      out(flags.json, { lo: r.lo, hi: r.hi, estimate: r.estimate, method: r.method, level: r.level, correct: flags.correct, total: flags.total },
        `accuracy ${r.estimate.toFixed(4)}, ${Math.round(r.level * 1000) / 10}% ${r.method} interval ${r.lo.toFixed(4)} to ${r.hi.toFixed(4)} (n=${flags.total}, width ${(r.hi - r.lo).toFixed(4)})`);
      return 0;
    }
    case 'table': {
      const { flags } = parseArgs(rest, { ...common, accuracies: { type: 'string', help: 'comma-separated accuracies' }, sizes: { type: 'string', help: 'comma-separated test-set sizes' } });
      const accs = numbers('accuracies', flags.accuracies, [0.8, 0.9, 0.95, 0.98, 0.99]);
      const sizes = numbers('sizes', flags.sizes, [100, 500, 1000, 5000, 10000, 50000]);
      const rows = intervalWidthTable(accs, sizes, flags.level, flags.method as BinomialMethod);
      const table = formatTable(rows.map((r) => [r.accuracy.toFixed(3), ...r.widths.map((w) => `±${(w / 2 * 100).toFixed(2)}`)]), ['accuracy', ...sizes.map((n) => `n=${n}`)]);
      out(flags.json, { level: flags.level, method: flags.method, sizes, rows },
        `${Math.round(flags.level * 100)}% ${flags.method} interval half-widths in accuracy points, by accuracy and test-set size:\n${table}`);
      return 0;
    }
    case 'size': {
      const { flags } = parseArgs(rest, { ...common, accuracy: { type: 'number', min: 0, max: 1, help: 'expected accuracy' }, width: { type: 'number', min: 0, max: 1, help: 'total interval width (hi - lo)' } });
      if (flags.accuracy === undefined || flags.width === undefined) throw new UsageError('stats size needs --accuracy A and --width W (e.g. --accuracy 0.98 --width 0.01)');
      const n = testSizeForWidth({ accuracy: flags.accuracy, width: flags.width, level: flags.level, method: flags.method as BinomialMethod });
      out(flags.json, { n, accuracy: flags.accuracy, width: flags.width, level: flags.level, method: flags.method },
        `a test set of ${n} examples gives a ${Math.round(flags.level * 100)}% ${flags.method} interval at most ${flags.width} wide (±${(flags.width / 2 * 100).toFixed(2)} points) at accuracy ${flags.accuracy}`);
      return 0;
    }
    case 'mcnemar': {
      const { flags } = parseArgs(rest, { json: common.json, help: common.help, b: { type: 'int', min: 0, help: 'A right, B wrong' }, c: { type: 'int', min: 0, help: 'A wrong, B right' } });
      if (flags.b === undefined || flags.c === undefined) throw new UsageError('stats mcnemar needs --b and --c, the two discordant counts');
      const r = mcnemarFromCounts(flags.b, flags.c);
      const verdict = r.pValue < 0.05 ? `the models differ (exact p = ${r.pValue.toPrecision(3)})` : `no reliable difference (exact p = ${r.pValue.toPrecision(3)})`;
      out(flags.json, r, `McNemar exact test on ${r.discordant} discordant items (b=${r.b}, c=${r.c}): ${verdict}; mid-p ${r.midPValue.toPrecision(3)}`);
      return 0;
    }
    case 'seeds': {
      const { flags } = parseArgs(rest, { level: common.level, json: common.json, help: common.help, a: { type: 'string', help: 'scores of A' }, b: { type: 'string', help: 'scores of B' }, paired: { type: 'boolean', help: 'scores share seeds pairwise' } });
      if (!flags.a || !flags.b) throw new UsageError('stats seeds needs --a and --b, comma-separated scores per seed');
      const r = compareOverSeeds(numbers('a', flags.a, []), numbers('b', flags.b, []), { paired: flags.paired, level: flags.level });
      out(flags.json, r, r.verdict);
      return 0;
    }
    default:
      throw new UsageError(`unknown stats subcommand '${sub}'; use ci, table, size, mcnemar or seeds`);
  }
}
