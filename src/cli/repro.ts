import { join } from 'node:path';
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { parseArgs, formatFlagHelp, UsageError, closestMatch } from './args.js';
import { reproductions, reproStudyDir } from '../experiments/repro/registry.js';
import { writeFileAtomic } from '../track/files.js';

const flags = {
  size: { type: 'list', help: 'scale the reproduction: --size key=value (repeatable; see each one\'s defaults below)' },
  'data-dir': { type: 'string', help: 'folder with the MNIST files' },
  out: { type: 'string', default: 'studies', help: 'folder that holds study folders' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft repro <name>`: reproduces a known result, states its claim and whether it held. */
export async function reproCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'name', required: false }]);
  const list = Object.entries(reproductions).map(([k, r]) => `  ${k.padEnd(20)} ${r.source}\n  ${''.padEnd(20)} defaults: ${Object.entries(r.defaults).map(([a, b]) => `${a}=${b}`).join(' ')}`).join('\n');
  if (f.help || !positionals.name) {
    console.log(`usage: tradecraft repro <name> [--size key=value ...] [--out DIR] [--json]\n\nreproductions:\n${list}\n\n${formatFlagHelp(flags)}`);
    return positionals.name || f.help ? 0 : 2;
  }
  const name = positionals.name;
  const spec = reproductions[name];
  if (!spec) {
    const near = closestMatch(name, Object.keys(reproductions));
    throw new UsageError(`unknown reproduction '${name}'${near ? ` (did you mean '${near}'?)` : ''}; choose from ${Object.keys(reproductions).join(', ')}`);
  }
  const size: Record<string, number> = { ...spec.defaults };
  for (const kv of f.size) {
    const [k, v] = kv.split('=');
    if (!(k in spec.defaults)) throw new UsageError(`--size ${kv}: '${name}' has no size '${k}'; it has ${Object.keys(spec.defaults).join(', ')}`);
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n)) throw new UsageError(`--size ${kv}: the value must be a number`);
    size[k] = n;
  }
  const dir = reproStudyDir(f.out, name);
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  let r;
  try {
    r = spec.run(size, { dir, dataDir: f['data-dir'], log: f.json ? undefined : (l) => console.error(l) });
  } catch (e) {
    // A size the reproduction refuses fails before anything is written: leave no empty study behind.
    if (readdirSync(dir).length === 0) rmdirSync(dir);
    if (e instanceof RangeError) throw new UsageError(e.message.startsWith(name) ? e.message : `${name}: ${e.message}`);
    throw e;
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const [file, svg] of Object.entries(r.plots)) writeFileAtomic(join(dir, file), svg);
  writeFileAtomic(join(dir, 'table.txt'), [...r.table, '', `claim: ${r.claim}`, `held: ${r.held ? 'yes' : 'no'}`, ...r.evidence, ''].join('\n'));
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ name, source: spec.source, size, claim: r.claim, held: r.held, evidence: r.evidence, seconds, plots: Object.keys(r.plots), data: r.data }, null, 2) + '\n');
  if (f.json) console.log(JSON.stringify({ name, dir, claim: r.claim, held: r.held, evidence: r.evidence, seconds }));
  else console.log(`${r.table.join('\n')}\n\n${name} (${spec.source})\nclaim: ${r.claim}\nheld: ${r.held ? 'yes' : 'no'}\n${r.evidence.map((e) => `  ${e}`).join('\n')}\nwrote ${dir} (${Object.keys(r.plots).length} plot(s), table.txt, summary.json) in ${seconds.toFixed(0)} s`);
  return 0;
}
