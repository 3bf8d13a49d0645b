// The machine description and the limits the benchmark measures against: the CPU facts are
// those the OS reports, the blocking fits the caches it was sized from, and the FMA peak and
// micro-kernel limit are positive and ordered the way the hardware orders them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadNativeAddon, NATIVE_ISAS } from '../../src/backend/native.js';

const addon = loadNativeAddon();
const skip = addon === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

test('native machine(): vendor, family/model and caches agree with /proc/cpuinfo and sysfs', { skip }, () => {
  const m = JSON.parse(addon!.machine()) as {
    vendor: string; family: number; model: number; l1d: number; l2: number; cacheSource: string; isa: string; threads: number;
    gemm: { mr: number; nr: number; mc: number; kc: number; nc: number };
  };
  let cpuinfo = '';
  try { cpuinfo = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* not Linux: checked below only when present */ }
  if (cpuinfo) {
    const field = (name: string): string => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1] ?? '';
    assert.equal(m.vendor, field('vendor_id'));
    assert.equal(m.family, Number(field('cpu family')));
    assert.equal(m.model, Number(field('model')));
  }
  if (m.cacheSource === 'sysfs') {
    const size = readFileSync('/sys/devices/system/cpu/cpu0/cache/index0/size', 'utf8').trim();
    assert.equal(m.l1d, Number.parseInt(size, 10) * 1024);
  }
  assert.ok(m.threads >= 1 && m.threads <= Math.max(1, cpus().length) * 4);
  // The blocks fit the caches they were sized for: B's micro-panel (KC x NR) in L1, the packed
  // block of A (MC x KC) in half of L2.
  assert.ok(m.gemm.kc * m.gemm.nr * 4 <= m.l1d, `KC ${m.gemm.kc} x NR ${m.gemm.nr} floats exceed L1 ${m.l1d}`);
  assert.ok(m.gemm.mc * m.gemm.kc * 4 <= m.l2 / 2, `MC ${m.gemm.mc} x KC ${m.gemm.kc} floats exceed half of L2 ${m.l2}`);
  assert.equal(m.gemm.nc % m.gemm.nr, 0);
  assert.equal(m.gemm.mc % m.gemm.mr, 0);
});

test('native peak(): FMA loop and micro-kernel rates are positive, the kernel below the FMA peak per core', { skip }, () => {
  const m = JSON.parse(addon!.machine()) as { isa: string };
  const isa = NATIVE_ISAS.indexOf(m.isa);
  const [fmaWall, fmaCore] = addon!.peak(0, isa, 1, 0.05);
  const [kerWall, kerCore] = addon!.peak(1, isa, 1, 0.05);
  for (const x of [fmaWall, fmaCore, kerWall, kerCore]) assert.ok(x > 0.5, `rate ${x} GFLOP/s`);
  // A micro-kernel cannot do more multiply-adds per cycle than the FMA units (10% for timer noise).
  assert.ok(kerCore <= fmaCore * 1.1, `kernel ${kerCore} > FMA peak ${fmaCore}`);
  // An instruction set above what the CPU runs is reported as unavailable, not faked.
  if (isa < 2) assert.ok(addon!.peak(0, 2, 1, 0.01)[0] < 0);
  assert.throws(() => addon!.peak(3, 0, 1, 0.01), RangeError);
});
