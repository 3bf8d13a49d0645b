// Runs the compiled test suite with Node's built-in runner, once per available backend,
// so every test also checks the native kernels against the same expectations.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) found.push(...findTests(p));
    else if (name.endsWith('.test.js')) found.push(p);
  }
  return found.sort();
}

const filter = process.argv[2];
const files = findTests('dist/test').filter((f) => !filter || f.includes(filter));
const requested = process.env.TRADECRAFT_BACKEND;
// The wasm backend is not a pass of its own (that would double CI time for a backend whose only
// own kernels are GEMM and conv): its test files use the wasm backend object directly, so they
// run once, in the first pass, whichever backend that pass selects.
const backends = requested ? [requested] : ['js', ...(existsSync('build/Release/tradecraft.node') ? ['native'] : [])];
const wasmOnly = (f) => /[\\/]wasm-[^\\/]*\.test\.js$/.test(f);
// Tests that never touch a kernel (servers, stores, file formats, browsers) are named
// `*.once.test.ts` and run in the first pass only: a second pass would test nothing new.
const onceOnly = (f) => /\.once\.test\.js$/.test(f);
let failed = false;
for (const [i, backend] of backends.entries()) {
  const pass = i === 0 ? files : files.filter((f) => !wasmOnly(f) && !onceOnly(f));
  if (pass.length === 0) continue;
  console.log(`\n# test suite on the ${backend} backend (${pass.length} files)`);
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...pass], {
    stdio: 'inherit',
    env: { ...process.env, TRADECRAFT_BACKEND: backend, TRADECRAFT_QUIET: '1' },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
