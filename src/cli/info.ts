import { cpus } from 'node:os';
import { backend } from '../backend/registry.js';

/** `tradecraft info`: the backend in use, the CPU features it uses and its thread count. */
export function infoCommand(argv: string[]): number {
  const b = backend();
  const facts = {
    backend: b.name,
    details: b.describe(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
  };
  if (argv.includes('--json')) console.log(JSON.stringify(facts));
  else for (const [k, v] of Object.entries(facts)) console.log(`${k.padEnd(8)} ${v}`);
  return 0;
}
