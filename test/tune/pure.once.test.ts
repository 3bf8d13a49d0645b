// Spaces and samplers run anywhere (browsers, workers): they must not import Node modules,
// directly or through another module of the project that does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entries = ['src/tune/space.ts', 'src/tune/space-cube.ts', 'src/tune/linalg.ts', 'src/tune/sample-loop.ts',
  ...readdirSync(join(root, 'src/tune/samplers')).map((f) => `src/tune/samplers/${f}`)];

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

describe('samplers are pure TypeScript', () => {
  it('no module reachable from a sampler or a space imports node:*', () => {
    const seen = new Set<string>();
    const stack = [...entries];
    while (stack.length) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(file)) {
        assert.ok(!spec.startsWith('node:') && !['fs', 'path', 'os', 'child_process'].includes(spec), `${file} imports ${spec}`);
        if (spec.startsWith('.')) stack.push(resolve('/', dirname(file), spec).slice(1).replace(/\.js$/, '.ts'));
      }
    }
    assert.ok(seen.size >= 15, `walked ${seen.size} modules`);
  });
});
