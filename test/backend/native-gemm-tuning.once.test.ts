// The measured GEMM choice (native/gemm_tuning.h): every candidate tile gives the same bits, the
// choice is kept atomically beside the addon, a fresh process uses it only on the CPU it was
// measured on, and a bad tile name or file is reported, never obeyed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon } from '../../src/backend/native.js';

const addon = loadNativeAddon();
const skip = addon === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const addonFile = join(root, 'build', 'Release', 'tradecraft.node');
// The children decide their own GEMM choice: overrides in the caller's environment would win over it.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRADECRAFT_GEMM_')));

interface Report {
  isa: string; cpu: string; candidates: Array<{ tile: string; mc: number; kc: number; nc: number; order: string; identical: boolean; score: number; gflops: number[] }>;
  best: number; default: number; minGain: number; confirmedGain: number | null; path: string; written: boolean; writeError?: string;
  nc: { problem: string | null; candidates: Array<{ nc: number; identical: boolean; gflops: number }>; default: number; best: number; confirmedGain: number | null };
}
interface GemmFacts { kernel: string; mr: number; nr: number; mc: number; nc: number; order: string; source: string; tuning: string; measured: string; tuningFile: string }

// A fresh process: its GEMM facts, one product's bits (hex of the float32 bytes) and its stderr.
function child(env: Record<string, string>): { gemm: GemmFacts; bits: string; stderr: string } {
  const script = `
    const a = require(${JSON.stringify(addonFile)});
    const m = 37, n = 53, k = 300;
    let s = 7;
    const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
    const A = Float32Array.from({ length: m * k }, rnd), B = Float32Array.from({ length: k * n }, rnd);
    const C = new Float32Array(m * n);
    a.gemm(false, false, m, n, k, 1, A, 0, B, 0, 0, C, 0, 1, 0, 0, 0);
    console.log(JSON.stringify({ gemm: JSON.parse(a.machine()).gemm, bits: Buffer.from(C.buffer).toString('hex') }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...baseEnv, TRADECRAFT_THREADS: '1', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as { gemm: GemmFacts; bits: string }), stderr: r.stderr };
}

function machine(): { vendor: string; family: number; model: number; isa: string } {
  return JSON.parse(addon!.machine()) as { vendor: string; family: number; model: number; isa: string };
}

test('tuneGemm: every candidate tile, MC and loop order gives bit-identical products; the report names the fastest and the default', { skip }, () => {
  const r = JSON.parse(addon!.tuneGemm(0.3, false)) as Report;
  const m = machine();
  assert.equal(r.isa, m.isa);
  assert.equal(r.cpu, `${m.vendor} ${m.family} ${m.model}`);
  if (m.isa === 'avx2') assert.deepEqual([...new Set(r.candidates.map((c) => c.tile))], ['4x24', '6x16']);
  assert.ok(r.candidates.length >= 4, 'at least two MC values per tile, each in both loop orders');
  for (const tile of new Set(r.candidates.map((c) => c.tile))) {
    for (const mc of new Set(r.candidates.filter((c) => c.tile === tile).map((c) => c.mc))) {
      assert.deepEqual(r.candidates.filter((c) => c.tile === tile && c.mc === mc).map((c) => c.order), ['jr-ir', 'ir-jr']);
    }
  }
  assert.equal(r.candidates[r.default].order, 'jr-ir');
  for (const c of r.candidates) {
    assert.equal(c.identical, true, `tile ${c.tile} MC ${c.mc} order ${c.order} changed bits`);
    assert.equal(c.gflops.length, 3);
    for (const g of c.gflops) assert.ok(g > 0.1 && Number.isFinite(g), `${c.tile}/${c.mc}: ${g} GFLOP/s`);
  }
  assert.ok(r.best >= 0 && r.default >= 0);
  // The default is kept unless another candidate beats it by the margin.
  const best = r.candidates[r.best], def = r.candidates[r.default];
  assert.ok(r.best === r.default || best.score >= def.score * (1 + r.minGain));
  // Another choice than the default only after a head-to-head re-measurement confirmed the margin.
  if (r.best !== r.default) assert.ok(r.confirmedGain !== null && r.confirmedGain >= r.minGain, String(r.confirmedGain));
  if (r.confirmedGain === null) assert.equal(r.best, r.default);
  assert.equal(r.written, false);
  assert.throws(() => addon!.tuneGemm(0, false), /seconds must be between 0.1 and 60/);
});

test('tuneGemm: NC is measured for the chosen tile on a product wider than every NC but the whole width; same bits for each, the cache-sized NC kept unless beaten by the margin twice', { skip }, () => {
  const r = JSON.parse(addon!.tuneGemm(0.3, false)) as Report;
  const chosen = r.candidates[r.best], s = r.nc;
  const [m, n, k] = s.problem!.split('x').map(Number);
  assert.equal(m, 4 * chosen.mc, 'four blocks of A read each packed block of B');
  assert.equal(k, chosen.kc, 'one depth block');
  const ncs = s.candidates.map((c) => c.nc);
  assert.equal(new Set(ncs).size, ncs.length);
  assert.ok(ncs.length >= 3, ncs.join(','));
  // The default is the NC the cache sizes give (the first stage's candidates carry it), in whole panels.
  const nr = Number(chosen.tile.split('x')[1]);
  assert.equal(s.candidates[s.default].nc, Math.max(4 * nr, Math.floor(chosen.nc / nr) * nr));
  assert.equal(Math.max(...ncs), n, 'the whole width (no column blocking) is a candidate');
  for (const nc of ncs) {
    assert.equal(nc % nr, 0, `NC ${nc} is not a whole number of panels`);
    if (nc !== n) assert.ok(nc < n, `NC ${nc} would not block the ${n}-column product`);
  }
  for (const c of s.candidates) {
    assert.equal(c.identical, true, `NC ${c.nc} changed bits`);
    assert.ok(c.gflops > 0.1 && Number.isFinite(c.gflops), `NC ${c.nc}: ${c.gflops}`);
  }
  const best = s.candidates[s.best], def = s.candidates[s.default];
  if (s.best !== s.default) {
    assert.ok(best.gflops >= def.gflops * (1 + r.minGain));
    assert.ok(s.confirmedGain !== null && s.confirmedGain >= r.minGain, String(s.confirmedGain));
  }
  if (s.confirmedGain === null) assert.equal(s.best, s.default);
});

test('tuneGemm(write): the file appears whole (no temporary left) and a fresh process uses it; another CPU\'s file is ignored', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-gemm-tuning-'));
  const file = join(dir, 'gemm-tuning.txt');
  const plain = child({ TRADECRAFT_GEMM_TUNING_FILE: join(dir, 'absent.txt') });
  assert.equal(plain.gemm.tuning, 'absent');
  assert.notEqual(plain.gemm.source, 'measured');

  const r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(addonFile)}).tuneGemm(0.3, true))`],
    { encoding: 'utf8', env: { ...baseEnv, TRADECRAFT_GEMM_TUNING_FILE: file } });
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as Report;
  assert.equal(rep.written, true, rep.writeError);
  assert.deepEqual(readdirSync(dir), ['gemm-tuning.txt']);
  const text = readFileSync(file, 'utf8');
  const best = rep.candidates[rep.best];
  assert.match(text, new RegExp(`^tile ${best.tile}$`, 'm'));
  assert.match(text, new RegExp(`^mc ${best.mc}$`, 'm'));
  assert.match(text, new RegExp(`^order ${best.order}$`, 'm'));
  assert.match(text, new RegExp(`^nc ${rep.nc.candidates[rep.nc.best].nc}$`, 'm'));

  const used = child({ TRADECRAFT_GEMM_TUNING_FILE: file });
  assert.equal(used.gemm.tuning, 'used');
  assert.equal(used.gemm.source, 'measured');
  assert.equal(`${used.gemm.mr}x${used.gemm.nr}`, best.tile);
  assert.equal(used.gemm.mc, best.mc);
  assert.equal(used.gemm.order, best.order);
  assert.equal(used.gemm.nc, rep.nc.candidates[rep.nc.best].nc);
  assert.match(used.gemm.measured, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(used.bits, plain.bits, 'the measured choice changed a product');

  // Every tile of this ISA, forced through a hand-written file: same bits as the default.
  const m = machine();
  for (const c of rep.candidates) {
    writeFileSync(file, `cpu ${m.vendor} ${m.family} ${m.model}\nisa ${m.isa}\ntile ${c.tile}\nmc ${c.mc}\nnc ${c.nc}\norder ${c.order}\n`);
    const forced = child({ TRADECRAFT_GEMM_TUNING_FILE: file });
    assert.equal(`${forced.gemm.mr}x${forced.gemm.nr}`, c.tile);
    assert.equal(forced.gemm.mc, c.mc);
    assert.equal(forced.gemm.order, c.order);
    assert.equal(forced.bits, plain.bits, `tile ${c.tile} MC ${c.mc} order ${c.order} changed a product`);
  }
  // A file from before the loop order was measured (no order line) is still used, as jr-ir.
  writeFileSync(file, `cpu ${m.vendor} ${m.family} ${m.model}\nisa ${m.isa}\ntile ${best.tile}\nmc ${best.mc}\nnc ${best.nc}\n`);
  const older = child({ TRADECRAFT_GEMM_TUNING_FILE: file });
  assert.equal(older.gemm.tuning, 'used');
  assert.equal(older.gemm.order, 'jr-ir');
  writeFileSync(file, `cpu ${m.vendor} ${m.family} ${m.model}\nisa ${m.isa}\ntile ${best.tile}\nmc ${best.mc}\nnc ${best.nc}\norder sideways\n`);
  assert.equal(child({ TRADECRAFT_GEMM_TUNING_FILE: file }).gemm.tuning, 'invalid');

  writeFileSync(file, `cpu GenuineIntel 6 143\nisa ${m.isa}\ntile ${best.tile}\nmc ${best.mc}\nnc ${best.nc}\n`);
  const other = child({ TRADECRAFT_GEMM_TUNING_FILE: file });
  assert.equal(other.gemm.tuning, m.vendor === 'GenuineIntel' && m.family === 6 && m.model === 143 ? 'used' : 'for another CPU');

  writeFileSync(file, `cpu ${m.vendor} ${m.family} ${m.model}\nisa ${m.isa}\ntile ${best.tile}\nmc 7\nnc ${best.nc}\n`);
  const invalid = child({ TRADECRAFT_GEMM_TUNING_FILE: file });
  assert.equal(invalid.gemm.tuning, 'invalid');
  assert.notEqual(invalid.gemm.mc, 7);
  assert.equal(invalid.bits, plain.bits);
});

test('TRADECRAFT_GEMM_TILE / _ORDER: another tile or loop order is used (same bits); an unknown one is named on stderr and ignored', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-gemm-tile-'));
  const none = join(dir, 'absent.txt');
  const plain = child({ TRADECRAFT_GEMM_TUNING_FILE: none });
  const r = JSON.parse(addon!.tuneGemm(0.1, false)) as Report;
  for (const tile of new Set(r.candidates.map((c) => c.tile))) {
    const c = child({ TRADECRAFT_GEMM_TUNING_FILE: none, TRADECRAFT_GEMM_TILE: tile });
    assert.equal(`${c.gemm.mr}x${c.gemm.nr}`, tile);
    assert.equal(c.bits, plain.bits);
  }
  for (const order of ['ir-jr', 'jr-ir']) {
    const c = child({ TRADECRAFT_GEMM_TUNING_FILE: none, TRADECRAFT_GEMM_ORDER: order });
    assert.equal(c.gemm.order, order);
    assert.equal(c.bits, plain.bits, `loop order ${order} changed a product`);
  }
  const badOrder = child({ TRADECRAFT_GEMM_TUNING_FILE: none, TRADECRAFT_GEMM_ORDER: 'kji' });
  assert.match(badOrder.stderr, /TRADECRAFT_GEMM_ORDER=kji is not a loop order \(they are: jr-ir, ir-jr\); using jr-ir/);
  assert.equal(badOrder.gemm.order, 'jr-ir');
  const bad = child({ TRADECRAFT_GEMM_TUNING_FILE: none, TRADECRAFT_GEMM_TILE: '9x9' });
  assert.match(bad.stderr, /TRADECRAFT_GEMM_TILE=9x9 is not a register tile of the \w+ kernels \(they are: .*\); using/);
  assert.equal(`${bad.gemm.mr}x${bad.gemm.nr}`, `${plain.gemm.mr}x${plain.gemm.nr}`);
  assert.equal(bad.bits, plain.bits);
});

test('tradecraft tune-gemm: a table of candidates and the choice; --dry-run writes nothing; bad --seconds exits 2', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-gemm-cli-'));
  const env = { ...baseEnv, TRADECRAFT_GEMM_TUNING_FILE: join(dir, 'gemm-tuning.txt'), TRADECRAFT_BACKEND: 'native' };
  const bin = join(root, 'bin', 'tradecraft.js');
  const dry = spawnSync(process.execPath, [bin, 'tune-gemm', '--seconds', '0.3', '--dry-run'], { encoding: 'utf8', env });
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /tile\s+MC\s+order\s+512x512x512/);
  assert.match(dry.stdout, /^\S+\s+\d+\s+ir-jr\s+\d/m);
  assert.match(dry.stdout, /^NC\s+\d+x\d+x\d+$/m);
  assert.match(dry.stdout, /^\d+\s+\d+\.\d\s+.*default/m);
  assert.match(dry.stdout, /chosen: tile \d+x\d+, MC \d+, loop order (jr-ir|ir-jr), NC \d+ \(KC \d+\)/);
  assert.match(dry.stdout, /dry run: nothing written/);
  assert.deepEqual(readdirSync(dir), []);
  const kept = spawnSync(process.execPath, [bin, 'tune-gemm', '--seconds', '0.3', '--json'], { encoding: 'utf8', env });
  assert.equal(kept.status, 0, kept.stderr);
  assert.equal((JSON.parse(kept.stdout) as Report).written, true);
  assert.deepEqual(readdirSync(dir), ['gemm-tuning.txt']);
  const info = spawnSync(process.execPath, [bin, 'info'], { encoding: 'utf8', env });
  assert.match(info.stdout, /gemm\s+\w+ kernel, register tile \d+x\d+, MC \d+, KC \d+, NC \d+, loop order (jr-ir|ir-jr) \(tile, MC, loop order and NC measured on this CPU \d{4}-/);
  const bad = spawnSync(process.execPath, [bin, 'tune-gemm', '--seconds', '0'], { encoding: 'utf8', env });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--seconds must be at least 0.1/);
});
