// The GEMM micro-kernels' right edge (native/gemm_portable.h): a last column panel of C narrower
// than the register tile runs only the vectors of B it needs, and must give bit for bit what the
// full-width kernel gave. gemm-edge-child.ts checks every width of that panel (n = 1..50 and
// 196), rows 1 to 64, depths 1 to 300 (two KC blocks), every transpose and alpha/beta against the
// same product padded to whole panels; here on every instruction set and register tile this CPU
// runs, with one and two threads. Once per suite: it starts its own processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../../src/backend/native.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;
const child = fileURLToPath(new URL('./gemm-edge-child.js', import.meta.url));

const CONFIGS: Array<{ isa: string; tile?: string }> = [{ isa: 'generic' }, { isa: 'avx2', tile: '4x24' }, { isa: 'avx2', tile: '6x16' }];

for (const { isa, tile } of CONFIGS) {
  for (const threads of ['1', '2']) {
    test(`native gemm: narrow right edges equal the full-width kernel bit for bit (${isa}${tile ? ` ${tile}` : ''}, ${threads} thread(s))`, { skip }, (t) => {
      const env: Record<string, string> = { ...process.env, TRADECRAFT_ISA: isa, TRADECRAFT_THREADS: threads, TRADECRAFT_QUIET: '1' } as Record<string, string>;
      if (tile) env.TRADECRAFT_GEMM_TILE = tile;
      const r = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 300_000, env });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { backend: string; tile: string; compared: number; failures: string[] };
      // TRADECRAFT_ISA only lowers the instruction set: on a CPU without AVX2 the avx2 run is generic again.
      if (!out.backend.startsWith(`native (${isa},`)) {
        t.skip(`this CPU does not run ${isa} (${out.backend})`);
        return;
      }
      assert.match(out.backend, new RegExp(`, ${threads} threads?\\)$`));
      if (tile) assert.equal(out.tile, tile);
      assert.ok(out.compared > 2000, `only ${out.compared} products compared`);
      assert.deepEqual(out.failures, []);
    });
  }
}
