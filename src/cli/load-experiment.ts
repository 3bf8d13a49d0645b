import { existsSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { resolve, dirname, basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinExperiments } from '../experiments/registry.js';
import type { Experiment, HParams } from '../experiments/define.js';
import { UsageError } from './args.js';

/**
 * Resolves `<experiment>`: a built-in name, or a path to a .js/.mjs module, or a .ts module
 * (transpiled with the TypeScript compiler when it is installed). The module's default export
 * (or an export named `experiment`) must come from defineExperiment.
 */
export async function loadExperiment(ref: string): Promise<Experiment<HParams>> {
  const builtin = builtinExperiments[ref];
  if (builtin) return builtin;
  const path = resolve(ref);
  if (!existsSync(path)) {
    throw new UsageError(`unknown experiment '${ref}': not a built-in (${Object.keys(builtinExperiments).join(', ')}) and no file at ${path}`);
  }
  let mod: Record<string, unknown>;
  if (path.endsWith('.ts')) mod = await importTypeScript(path);
  else mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const exp = (mod.default ?? mod.experiment) as Experiment<HParams> | undefined;
  if (!exp || typeof exp !== 'object' || typeof exp.model !== 'function') {
    throw new UsageError(`${ref} does not export an experiment: add \`export default defineExperiment({ ... })\``);
  }
  return exp;
}

async function importTypeScript(path: string): Promise<Record<string, unknown>> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default as typeof import('typescript');
  } catch {
    throw new UsageError(`${path} is TypeScript, but the typescript package is not installed here; install it (npm i -D typescript) or compile the experiment to .js`);
  }
  const out = ts.transpileModule(readFileSync(path, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: path,
  });
  // Written beside the source so its relative imports of .js files resolve the same way.
  const tmp = join(dirname(path), `.${basename(path, '.ts')}.${process.pid}.tradecraft.mjs`);
  writeFileSync(tmp, out.outputText);
  try {
    return (await import(pathToFileURL(tmp).href)) as Record<string, unknown>;
  } finally {
    unlinkSync(tmp);
  }
}
