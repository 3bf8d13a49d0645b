/**
 * The benchmark harness end to end, quickly: `run.js --quick --only sgemm --json` prints one
 * JSON object as its last stdout line with a result (or a stated reason) for every peer, and a
 * peer that cannot run is reported as absent with its reason rather than dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // dist/test/bench
const runJs = resolve(here, '..', '..', 'bench', 'run.js');
const root = resolve(here, '..', '..', '..');

interface Result {
  key: string; peer: string; status: string; unit: string | null;
  median: number | null; min: number | null; max: number | null; n: number; samples: number[]; reason: string | null;
}
interface Report {
  meta: Record<string, unknown>;
  peers: Record<string, { status: string; reason?: string; info?: Record<string, unknown> }>;
  results: Result[];
  ratios: Array<{ key: string; ours: string; theirs: string; ratio: number }>;
}

function bench(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string; report: Report | null } {
  const r = spawnSync(process.execPath, [runJs, ...args], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env },
  });
  const last = r.stdout.trimEnd().split('\n').at(-1) ?? '';
  let report: Report | null = null;
  try { report = JSON.parse(last) as Report; } catch { /* checked by the caller */ }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, report };
}

const PEERS = ['ours-native', 'ours-wasm', 'ours-js', 'ours-js-1t', 'torch', 'tfjs-wasm', 'jax-js'];
const STATUSES = ['ok', 'absent', 'cannot', 'skipped', 'failed'];

test('--quick --only sgemm --json: one JSON object last, every peer measured or absent with a reason', { timeout: 150_000 }, () => {
  const { code, stdout, stderr, report } = bench(['--quick', '--only', 'sgemm', '--json']);
  assert.equal(code, 0, `exit code ${code}; stderr: ${stderr.slice(-800)}`);
  assert.ok(report, `the last stdout line is not JSON:\n${stdout.slice(-500)}`);
  assert.ok(stdout.includes('sgemm 256'), 'a human-readable table precedes the JSON');
  assert.equal(report.meta.quick, true);
  assert.deepEqual(report.meta.workloads, ['sgemm']);
  assert.equal(typeof report.meta.date, 'string');
  assert.equal(typeof report.meta.cores, 'number');

  for (const peer of PEERS) {
    const p = report.peers[peer];
    assert.ok(p, `peer ${peer} is missing from "peers"`);
    assert.ok(p.status === 'ok' || p.status === 'absent', `${peer}: status ${p.status}`);
    if (p.status === 'absent') assert.ok(typeof p.reason === 'string' && p.reason.length > 0, `${peer} is absent without a reason`);
    for (const size of [256, 512]) {
      const r: Result | undefined = report.results.find((x) => x.peer === peer && x.key === `sgemm-${size}`);
      assert.ok(r, `no sgemm-${size} entry for ${peer}`);
      assert.ok(STATUSES.includes(r.status), `${peer} sgemm-${size}: unknown status ${r.status}`);
      if (r.status === 'ok') {
        assert.equal(r.unit, 'GFLOP/s');
        assert.ok(r.n >= 1 && r.samples.length === r.n);
        for (const v of [r.median!, r.min!, r.max!]) assert.ok(Number.isFinite(v) && v > 0, `${peer} sgemm-${size}: bad figure ${v}`);
        assert.ok(r.min! <= r.median! && r.median! <= r.max!, `${peer} sgemm-${size}: min <= median <= max`);
      } else {
        assert.ok(typeof r.reason === 'string' && r.reason.length > 0, `${peer} sgemm-${size} is ${r.status} without a reason`);
      }
      if (p.status === 'absent') assert.equal(r.status, 'absent');
    }
  }
  // Our TypeScript and wasm backends are always there (Node 20 has WebAssembly SIMD); the native one whenever its addon is built.
  assert.ok(report.results.filter((r) => r.peer === 'ours-js').every((r) => r.status === 'ok'));
  assert.ok(report.results.filter((r) => r.peer === 'ours-wasm').every((r) => r.status === 'ok'));
  if (existsSync(join(root, 'build', 'Release', 'tradecraft.node'))) assert.equal(report.peers['ours-native'].status, 'ok');
  assert.ok(!report.results.some((r) => r.key.startsWith('sgemm-1024')), '--quick measures 256 and 512 only');
  assert.ok(!report.results.some((r) => r.key === 'mlp-train'), '--only sgemm runs nothing else');

  for (const r of report.ratios) {
    assert.ok(r.ours.startsWith('ours-') && !r.theirs.startsWith('ours-'));
    const a = report.results.find((x) => x.key === r.key && x.peer === r.ours)!;
    const b = report.results.find((x) => x.key === r.key && x.peer === r.theirs)!;
    assert.ok(Math.abs(r.ratio - a.median! / b.median!) < 1e-9, `ratio ${r.ours}/${r.theirs} for ${r.key}`);
  }
});

test('a peer that cannot run is reported as "absent: <reason>", not skipped', { timeout: 90_000 }, () => {
  const { code, stdout, stderr, report } = bench(
    ['--quick', '--only', 'sgemm', '--peers', 'ours-js,torch', '--json'],
    { TRADECRAFT_BENCH_PYTHON: '/nonexistent/python3' },
  );
  assert.equal(code, 0, `exit code ${code}; stderr: ${stderr.slice(-800)}`);
  assert.ok(report);
  assert.equal(report.peers.torch.status, 'absent');
  assert.match(report.peers.torch.reason ?? '', /\/nonexistent\/python3 not found/);
  const torch = report.results.filter((r) => r.peer === 'torch');
  assert.equal(torch.length, 2);
  for (const r of torch) {
    assert.equal(r.status, 'absent');
    assert.match(r.reason ?? '', /not found/);
  }
  assert.match(stdout, /torch\s+absent: \/nonexistent\/python3 not found/);
  assert.deepEqual(Object.keys(report.peers).sort(), ['ours-js', 'torch']);
  assert.equal(report.ratios.length, 0, 'no ratio against an absent peer');
});

test('an unknown workload is a usage error', () => {
  const { code, stderr } = bench(['--only', 'nope']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown 'nope'/);
});

test('training against the limit: each run over the mean of the limits measured beside it, then the median', async () => {
  const { trainingAgainstLimits, TRAIN_FLOP_PER_SAMPLE } = await import('../../bench/limits.js');
  const f = TRAIN_FLOP_PER_SAMPLE.cnn / 1e9;  // GFLOP per sample
  // Three runs at 1000, 2000 and 3000 samples/s; limits (before, after) 2f*1000 both, 4f*1000 and 8f*1000, one missing.
  const figs = trainingAgainstLimits([{
    key: 'cnn-train', peer: 'ours-native', summary: { median: 2000 }, samples: [1000, 2000, 3000],
    extras: [{ limitBefore: 2000 * f, limitAfter: 2000 * f }, { limitBefore: 4000 * f, limitAfter: 12000 * f }, { limitBefore: null, limitAfter: 6000 * f }],
  }, { key: 'cnn-train', peer: 'torch', summary: { median: 900 }, samples: [900], extras: [{}] }]);
  assert.equal(figs.length, 2);
  assert.ok(Math.abs(figs[0].gflops - 2000 * f) < 1e-9);
  // ratios 0.5, 0.25, 0.5 -> median 0.5, range 0.25-0.5
  assert.ok(Math.abs(figs[0].alongside! - 0.5) < 1e-12, String(figs[0].alongside));
  assert.deepEqual(figs[0].alongsideRange!.map((x) => Math.round(x * 1000) / 1000), [0.25, 0.5]);
  assert.equal(figs[1].alongside, undefined, 'a peer without paired limits has no paired figure');
});

test('limits: ours over torch-best round by round, and each window against the limit beside it in the table', async () => {
  const { roundByRound, printLimits } = await import('../../bench/limits.js');
  const fig = (samples: number[], alongside?: number[]) => ({ wall: samples[1], perCpu: samples[1], n: samples.length, samples, ...(alongside ? { alongside } : {}) });
  const report = {
    machine: null, torch: {}, cold: null, coldTorch: null, ramp: null, absent: {},
    byThreads: { 1: {
      'peak-kernel-avx2': fig([100, 100, 100]),
      'ours sgemm-512': fig([80, 90, 60], [0.9, 0.95, 0.8, 0.85]),
      'torch-best sgemm-512': fig([100, 90, 50]),
      'ours sgemm-1024': fig([90, 90]),  // rounds missing on one side: no round-by-round line
      'torch-best sgemm-1024': fig([90, 90, 90]),
    } },
  };
  // ratios 0.8, 1.0, 1.2: median 1.00, range 0.80-1.20
  assert.deepEqual(roundByRound(report), ['ours sgemm-512 / torch-best, 1 thread, round by round: 1.00x (0.80-1.20, 3 rounds)']);
  const printed: string[] = [];
  const log = console.log;
  console.log = (s: string) => printed.push(s);
  try { printLimits(report); } finally { console.log = log; }
  const row = printed.find((l) => l.includes('ours sgemm-512 '))!;
  // median of 0.8, 0.85, 0.9, 0.95 is 0.875 -> 88%
  assert.match(row, /each window vs the limit beside it: 88%, 80%-95%/);
});

test('cold start: per call the median over processes, the first 10 against calls 30 on; PyTorch beside ours; the ramp after idle', async () => {
  const { coldStart, firstMillisecond, coldLines } = await import('../../bench/limits.js');
  assert.equal(coldStart([], 256), null);
  // Three processes of 40 calls: steady 1 ms; the first 10 calls at 3, 2, 2, 1.5, 1, ... (median per call).
  const proc = (first: number[]) => [...first, ...new Array(40 - first.length).fill(1e-3)];
  const c = coldStart([proc([3e-3, 2e-3, 2e-3, 1.5e-3]), proc([9e-3, 2e-3, 1e-3, 1.5e-3]), proc([3e-3, 5e-3, 2e-3, 1.5e-3])], 256)!;
  // per call medians: 3, 2, 2, 1.5, then six of 1 -> first 10 mean 1.45 ms
  assert.ok(Math.abs(c.first10Seconds - 1.45e-3) < 1e-12, String(c.first10Seconds));
  assert.equal(c.steadySeconds, 1e-3);
  assert.ok(Math.abs(c.ratio - 1.45) < 1e-9);
  assert.equal(c.firstCallSeconds, 3e-3);
  // 0.1 ms chunks: the first ten (1 ms) at 60, the rest at 80 -> 75%; flat -> 100%.
  const ramped = [...new Array(10).fill(60), ...new Array(20).fill(80)];
  assert.ok(Math.abs(firstMillisecond(ramped, 1e-4) - 0.75) < 1e-12);
  assert.equal(firstMillisecond(new Array(30).fill(80), 1e-4), 1);
  const report = {
    machine: null, torch: {}, byThreads: {}, absent: {}, cold: c, coldTorch: { ...c, processes: 3, ratio: 1.75 },
    ramp: { idleMs: 50, chunkSeconds: 1e-4, afterIdle: ramped, noIdle: new Array(30).fill(80), firstMsAfterIdle: 0.75, firstMsNoIdle: 1 },
  };
  const lines = coldLines(report);
  assert.equal(lines.length, 3);
  assert.match(lines[0], /first 10 calls of a 256x256 matmul .*: 1\.45 ms per call vs steady 1\.00 ms = 1\.45x \(first call 3\.00 ms\)/);
  assert.match(lines[1], /PyTorch .*3 processes alternating with ours.*= 1\.75x/);
  assert.match(lines[2], /after 50 ms of idle, .* first 1 ms at 75% .*without the idle: 100%/);
  assert.deepEqual(coldLines({ ...report, coldTorch: null, ramp: null }).length, 1, 'a figure not measured prints no line');
});
