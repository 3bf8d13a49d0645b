// Builds the optional native backend during `npm install`. A failed build must never fail
// the install: the TypeScript backend always works, and the library says how to get the
// native one when it starts.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

if (process.env.TRADECRAFT_SKIP_NATIVE === '1' || !existsSync('binding.gyp')) process.exit(0);
const npmDir = dirname(process.env.npm_execpath ?? '');
const bundled = [
  join(npmDir, '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  // Run directly (`node scripts/build-native.mjs`, no npm_execpath): the npm installed with this node.
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => existsSync(p));
const gyp = bundled ? [process.execPath, bundled] : ['node-gyp'];
// Outside npm the user's nodedir setting is not passed on; headers installed next to this node
// beat a download (which fails offline).
const args = ['rebuild'];
const nodeRoot = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(nodeRoot, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${nodeRoot}`);
}
const r = spawnSync(gyp[0], [...gyp.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  console.warn('tradecraft: native backend did not build; using the TypeScript backend. ' +
    'Install g++, make and python3, then run `npm rebuild tradecraft` (build log: build/native-build.log).');
  try {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync('build', { recursive: true });
    writeFileSync('build/native-build.log', `${r.stdout ?? ''}\n${r.stderr ?? ''}\n${r.error ?? ''}`);
  } catch { /* the warning above is what matters */ }
} else {
  console.log('tradecraft: native backend built.');
  tuneGemm();
}

// Measures the GEMM's register tiles, block sizes and loop orders on this CPU once (~4 s) and keeps the
// fastest beside the addon (`tradecraft tune-gemm` re-runs it). Never fails the install.
function tuneGemm() {
  if (process.env.TRADECRAFT_SKIP_GEMM_TUNING === '1') return;
  try {
    const addon = createRequire(import.meta.url)('../build/Release/tradecraft.node');
    const r = JSON.parse(addon.tuneGemm(4, true));
    const best = r.candidates[r.best];
    if (r.written && best) {
      console.log(`tradecraft: GEMM measured on this CPU (${r.isa}): tile ${best.tile}, MC ${best.mc}, loop order ${best.order}, NC ${r.nc.candidates[r.nc.best]?.nc ?? best.nc}, ` +
        `${best.score.toFixed(1)} GFLOP/s per core (kept in ${r.path}; \`tradecraft tune-gemm\` re-measures).`);
    } else {
      console.warn(`tradecraft: GEMM tuning not kept (${r.writeError ?? 'no candidate'}); the cache sizes decide the blocking.`);
    }
  } catch (e) {
    console.warn(`tradecraft: GEMM tuning skipped (${e.message.split('\n')[0]}); the cache sizes decide the blocking.`);
  }
}
