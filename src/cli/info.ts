import { cpus } from 'node:os';
import { backend } from '../backend/registry.js';
import { parseArgs, formatFlagHelp } from './args.js';

const infoFlags = {
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft info`: the backend in use, the CPU features it uses and its thread count. */
export function infoCommand(argv: string[]): number {
  const { flags } = parseArgs(argv, infoFlags, []);
  if (flags.help) {
    console.log(`usage: tradecraft info [--json]\n\nThe backend in use (native, wasm or js; TRADECRAFT_BACKEND picks one), the CPU and its cores, the Node version.\n\n${formatFlagHelp(infoFlags)}`);
    return 0;
  }
  const b = backend();
  const facts = {
    backend: b.name,
    details: b.describe(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
  };
  if (flags.json) console.log(JSON.stringify(facts));
  else for (const [k, v] of Object.entries(facts)) console.log(`${k.padEnd(8)} ${v}`);
  return 0;
}
