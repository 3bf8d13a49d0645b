import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closestMatch, editDistance, formatFlagHelp, parseArgs, parseSetOverrides, UsageError, type FlagsSpec,
} from '../../src/cli/args.js';

const spec = {
  lr: { type: 'number', default: 0.001, help: 'learning rate', min: 0 },
  epochs: { type: 'int', default: 3, help: 'passes over the data', min: 1 },
  'batch-size': { type: 'int', help: 'samples per step', min: 1, max: 4096 },
  seed: { type: 'int', help: 'random seed' },
  optimizer: { type: 'string', default: 'adam', help: 'optimizer', choices: ['adam', 'sgd', 'adamw'] },
  out: { type: 'string', help: 'output directory' },
  json: { type: 'boolean', help: 'print JSON' },
  help: { type: 'boolean', help: 'show help', short: 'h' },
  set: { type: 'list', help: 'override a hyperparameter (key=value)' },
  metric: { type: 'list', default: ['accuracy'], help: 'metrics to report', choices: ['accuracy', 'loss', 'f1'] },
} as const satisfies FlagsSpec;

const positionals = [{ name: 'experiment', required: true, help: 'a built-in name or a path' }, { name: 'run', required: false }];

function usage(argv: string[], ...parts: string[]): string {
  let message = '';
  assert.throws(() => parseArgs(argv, spec, positionals), (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${String(e)}`);
    assert.equal(e.name, 'UsageError');
    assert.ok(!e.message.includes('\n'), 'the message must be one line');
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    message = e.message;
    return true;
  });
  return message;
}

test('defaults', () => {
  const { flags, positionals: pos } = parseArgs(['mnist-mlp'], spec, positionals);
  assert.deepEqual(flags, {
    lr: 0.001, epochs: 3, optimizer: 'adam', json: false, help: false, set: [], metric: ['accuracy'],
  });
  assert.deepEqual(pos, { experiment: 'mnist-mlp', run: undefined });
});

test('--flag value, --flag=value, booleans, lists, negatives, --', () => {
  const { flags, positionals: pos } = parseArgs([
    '--lr', '3e-4', 'exp.ts', '--epochs=10', '--json', '--set', 'hidden=128', '--set=dropout=0.1',
    '--batch-size', '64', '--seed', '-7', '--optimizer=sgd', '--metric', 'loss', '--metric', 'f1', '--out', '-',
    '--', '--weird-run-name',
  ], spec, positionals);
  assert.equal(flags.lr, 3e-4);
  assert.equal(flags.epochs, 10);
  assert.equal(flags.json, true);
  assert.deepEqual(flags.set, ['hidden=128', 'dropout=0.1']);
  assert.equal(flags['batch-size'], 64);
  assert.equal(flags.seed, -7);
  assert.equal(flags.optimizer, 'sgd');
  assert.deepEqual(flags.metric, ['loss', 'f1']); // given values replace the default list
  assert.equal(flags.out, '-');
  assert.deepEqual(pos, { experiment: 'exp.ts', run: '--weird-run-name' });
  // Typed results (compile-time check): numbers are numbers, lists are string arrays.
  const lr: number = flags.lr;
  const sets: string[] = flags.set;
  const seed: number | undefined = flags.seed;
  assert.ok(lr > 0 && sets.length === 2 && seed === -7);
});

test('boolean forms and short aliases', () => {
  assert.equal(parseArgs(['e', '--json=false'], spec, positionals).flags.json, false);
  assert.equal(parseArgs(['e', '--json=true'], spec, positionals).flags.json, true);
  assert.equal(parseArgs(['e', '--json', '--no-json'], spec, positionals).flags.json, false);
  assert.equal(parseArgs(['-h'], spec, []).flags.help, true);
  assert.equal(parseArgs(['e', '--lr', '.5', '--lr', '0.25'], spec, positionals).flags.lr, 0.25); // last wins
  usage(['e', '--json=maybe'], '--json is a switch', '--no-json', 'maybe');
  usage(['e', '--no-json=1'], '--no-json takes no value');
  usage(['e', '-x'], 'unknown flag -x');
});

test('unknown flags suggest the closest known one', () => {
  usage(['e', '--lrr', '0.1'], 'unknown flag --lrr', 'did you mean --lr?');
  usage(['e', '--epoch', '2'], 'unknown flag --epoch', 'did you mean --epochs?');
  usage(['e', '--batchsize=3'], 'unknown flag --batchsize', 'did you mean --batch-size?');
  usage(['e', '--optimzier', 'sgd'], 'did you mean --optimizer?');
  usage(['e', '--zzzzzz'], 'unknown flag --zzzzzz', 'known flags: --lr, --epochs');
  usage(['e', '--constructor'], 'unknown flag --constructor'); // not an inherited Object property
  usage(['e', '--no-lr'], 'unknown flag --no-lr');
});

test('missing and bad values name the flag, the value and what is allowed', () => {
  usage(['e', '--lr'], '--lr needs a value', 'a number >= 0', 'e.g. --lr 0.001');
  usage(['e', '--lr', '--json'], '--lr needs a value', 'got the flag --json instead');
  usage(['e', '--lr', 'abc'], '--lr is not a number', '"abc"', 'a number >= 0');
  usage(['e', '--lr', ''], '--lr is not a number', '""');
  usage(['e', '--lr', 'Infinity'], '--lr is not a number');
  usage(['e', '--lr', '0x10'], '--lr is not a number');
  usage(['e', '--lr=-0.5'], '--lr must be at least 0', '"-0.5"');
  usage(['e', '--epochs', '-1'], '--epochs must be at least 1', '"-1"', 'a whole number >= 1', 'e.g. --epochs 3');
  usage(['e', '--epochs', '2.5'], '--epochs must be a whole number', '"2.5"');
  usage(['e', '--batch-size', '10000'], '--batch-size must be at most 4096', 'a whole number from 1 to 4096');
  usage(['e', '--optimizer', 'adma'], '--optimizer "adma" is not allowed', 'adam, sgd, adamw', 'did you mean adam?');
  usage(['e', '--metric', 'acc'], '--metric "acc" is not allowed');
  usage(['e', '--out='], '--out needs a non-empty value');
  usage(['e', '--set'], '--set needs a value', 'e.g. --set key=value');
});

test('positionals: missing required, surplus arguments', () => {
  usage([], 'missing <experiment>', 'a built-in name or a path', 'usage: <experiment> [run] [flags]');
  usage(['--json'], 'missing <experiment>');
  usage(['a', 'b', 'c'], 'unexpected argument "c"', '<experiment> <run>');
  assert.throws(() => parseArgs(['epochs'], spec, []), /unexpected argument "epochs" \(this command takes no positional arguments\); did you mean --epochs\?/);
  // Negative numbers are values, not flags.
  assert.equal(parseArgs(['-1'], spec, positionals).positionals.experiment, '-1');
});

test('parseSetOverrides: numbers, booleans, strings, quotes', () => {
  assert.deepEqual(parseSetOverrides([
    'lr=1e-3', 'hidden=256', 'neg=-2', 'dropout=.5', 'augment=true', 'shuffle=false', 'act=relu',
    'name="123"', "tag='true'", 'path=a=b', 'optimizer.momentum=0.9', 'weird= spaced ',
  ]), {
    lr: 0.001, hidden: 256, neg: -2, dropout: 0.5, augment: true, shuffle: false, act: 'relu',
    name: '123', tag: 'true', path: 'a=b', 'optimizer.momentum': 0.9, weird: 'spaced',
  });
  assert.deepEqual(parseSetOverrides([]), {});
  const proto = parseSetOverrides(['__proto__=1']);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value, 1);
});

test('parseSetOverrides: malformed entries are UsageErrors', () => {
  const bad = (list: string[], ...parts: string[]) => assert.throws(() => parseSetOverrides(list), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
  bad(['lr'], '--set "lr" has no \'=\'', 'key=value');
  bad(['=3'], 'the key is empty');
  bad(['9lives=3'], '"9lives" is not a valid key');
  bad(['lr='], "no value after '='", '--set lr=value');
  bad(['lr=1', 'lr=2'], '--set lr is given twice', 'keep one');
});

test('edit distance and suggestions', () => {
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('epcohs', 'epochs'), 1); // adjacent swap
  assert.equal(closestMatch('lrr', ['lr', 'epochs']), 'lr');
  assert.equal(closestMatch('xyzzy', ['lr', 'epochs']), undefined);
  assert.equal(closestMatch('anything', []), undefined);
});

test('formatFlagHelp aligns flags and shows defaults', () => {
  const help = formatFlagHelp(spec);
  const lines = help.split('\n');
  assert.equal(lines.length, Object.keys(spec).length);
  assert.match(lines[0], /^ {2}--lr <number> +learning rate \(default 0\.001\)$/);
  assert.ok(help.includes('--optimizer <adam|sgd|adamw>'));
  assert.ok(help.includes('-h, --help'));
  assert.ok(help.includes('override a hyperparameter (key=value) (repeatable)'));
  const column = lines.map((l) => l.search(/ {3}\S/));
  assert.ok(column.every((c) => c === column[0]), 'help text column is aligned');
});
