// The forward convolutions' GEMMs pack their right operand straight from the image (implicit
// im2col, native/conv_pack.h) instead of reading an im2col buffer. The products must be bit for
// bit those of im2col + GEMM: conv-implicit-child.ts checks forward (with and without bias and
// relu), the fused conv+relu+maxpool and (still explicit) the weight gradient against that formulation over
// padding, strides, dilation, groups, odd sizes and batches 1 to 64, here on every instruction
// set this CPU runs and with one and two threads (the weight gradient's partial sums depend on
// the thread count). Once per suite: it starts its own processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../../src/backend/native.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;
const child = fileURLToPath(new URL('./conv-implicit-child.js', import.meta.url));

for (const isa of ['generic', 'avx2']) {
  for (const threads of ['1', '2']) {
    test(`native conv2d: implicit im2col equals im2col + GEMM bit for bit (${isa}, ${threads} thread(s))`, { skip }, (t) => {
      const r = spawnSync(process.execPath, [child], {
        encoding: 'utf8', timeout: 120_000,
        env: { ...process.env, TRADECRAFT_ISA: isa, TRADECRAFT_THREADS: threads, TRADECRAFT_QUIET: '1' },
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { backend: string; failures: string[] };
      // TRADECRAFT_ISA only lowers the instruction set: on a CPU without AVX2 the avx2 run is generic again.
      if (!out.backend.startsWith(`native (${isa},`)) {
        t.skip(`this CPU does not run ${isa} (${out.backend})`);
        return;
      }
      assert.match(out.backend, new RegExp(`, ${threads} threads?\\)$`));
      assert.deepEqual(out.failures, []);
    });
  }
}
