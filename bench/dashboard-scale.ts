// Dashboard scale benchmark: generates RUNS runs of RECORDS metric records each (default
// 100 x 100,000, ~1.1 GB in a temp directory), starts the dashboard over them and times what the
// runs page and a run page ask for, cold (first request after start) and warm, plus the
// server's memory after opening many run pages. With Chromium installed it also times the
// pages in a real browser, from navigation to drawn. Run: npm run bench:dashboard
// (BENCH_RUNS / BENCH_RECORDS change the size; BENCH_KEEP=1 keeps the generated runs).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../src/dashboard/server/http-server.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const STEPS_PER_EPOCH = 1000;

function generate(root: string): void {
  const t0 = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const id = `mnist-mlp-bench-${String(r).padStart(3, '0')}`;
    const dir = join(root, id);
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const crashed = r % 10 === 9; // one in ten died without a summary (read from its metrics)
    const created = new Date(Date.UTC(2026, 0, 1) + r * 3_600_000).toISOString();
    writeFileSync(join(dir, 'run.json'), JSON.stringify({
      id, experiment: 'mnist-mlp', hparams: { lr: [1e-3, 3e-3, 1e-2][r % 3], batchSize: 64, hidden: [128, 256][r % 2], epochs: 10, seed: r % 5 },
      seed: r % 5, backend: 'native (avx2, 2 threads)', versions: { tradecraft: '0.1.0' }, status: crashed ? 'running' : 'completed',
      createdAt: created, updatedAt: created, heartbeatAt: created,
    }));
    const fd = openSync(join(dir, 'metrics.jsonl'), 'w');
    const history: Array<Record<string, number>> = [];
    let step = 0, written = 0, chunk: string[] = [];
    const t = Date.parse(created) / 1000;
    const push = (o: Record<string, unknown>): void => {
      chunk.push(JSON.stringify(o));
      written++;
      if (chunk.length >= 10_000) { writeSync(fd, chunk.join('\n') + '\n'); chunk = []; }
    };
    while (written < RECORDS) {
      step++;
      const epoch = Math.ceil(step / STEPS_PER_EPOCH);
      const loss = 2.3 * Math.exp(-step / 4000) + 0.05 + 0.1 * Math.random() + (Math.random() < 0.001 ? 3 : 0);
      push({ step, epoch, split: 'train', name: 'lr', value: 1e-3 * 0.5 * (1 + Math.cos(Math.PI * step / 25_000)), time: t + step * 0.01 });
      push({ step, epoch, split: 'train', name: 'grad_norm', value: 1 + Math.random(), time: t + step * 0.01 });
      push({ step, epoch, split: 'train', name: 'batch_loss', value: loss, time: t + step * 0.01 });
      push({ step, epoch, split: 'train', name: 'samples_per_second', value: 5000 + 500 * Math.random(), time: t + step * 0.01 });
      if (step % STEPS_PER_EPOCH === 0) {
        const h = { epoch, train_loss: loss, val_loss: loss * 1.1, train_accuracy: 0.9 + epoch / 200, val_accuracy: 0.88 + epoch / 250, train_accuracy_n: 55_000, val_accuracy_n: 5000 };
        history.push(h);
        for (const [k, v] of Object.entries(h)) if (k !== 'epoch' && !k.endsWith('_n')) push({ step, epoch, split: k.startsWith('val') ? 'val' : 'train', name: k, value: v, time: t + step * 0.01 });
      }
    }
    if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
    closeSync(fd);
    if (!crashed) writeFileSync(join(dir, 'summary.json'), JSON.stringify({ epochs: history.length, testAccuracy: 0.93, testAccuracyCI: [0.925, 0.935], history }));
  }
  console.log(`generated ${RUNS} runs x ${RECORDS} records in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Wall time, and CPU time of this process (server and client both live here), of one request. */
async function timed(url: string): Promise<{ ms: number; cpuMs: number; bytes: number; body: unknown }> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, bytes: text.length, body: JSON.parse(text) };
}

/** The requests the run page makes when it opens, as it makes them (concurrently). */
async function openRunPage(base: string, id: string): Promise<{ ms: number; cpuMs: number; points: number }> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const q = `id=${id}&x=step`;
  const rs = await Promise.all([
    timed(`${base}api/run/info?id=${id}`),
    timed(`${base}api/run/series?${q}&metric=train/batch_loss&smooth=0.6`),
    timed(`${base}api/run/series?${q}&metric=train/lr&smooth=0`),
    timed(`${base}api/run/gradnorm?${q}`),
    timed(`${base}api/run/series?${q}&metric=train/samples_per_second&smooth=0.6`),
    timed(`${base}api/run/epochs?id=${id}`),
  ]);
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, points: (rs[1].body as { x: number[] }).x.length };
}

async function browserTimes(base: string, ids: string[]): Promise<Record<string, number> | null> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) return null;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const load = async (hash: string, sel: string): Promise<number> => {
      await page.goto('about:blank');
      const t0 = performance.now();
      await page.goto(base + hash);
      await page.waitForSelector(sel, { timeout: 60_000 });
      return performance.now() - t0;
    };
    return {
      runsPage: await load('#/runs', 'main[data-ready="true"] table.data tbody tr'),
      runPageCold: await load(`#/run?id=${ids[0]}`, 'main[data-ready="true"] #chart-throughput .chart[data-points]'),
      runPageWarm: await load(`#/run?id=${ids[0]}`, 'main[data-ready="true"] #chart-throughput .chart[data-points]'),
    };
  } finally {
    await browser.close();
  }
}

const root = mkdtempSync(join(tmpdir(), 'tc-dash-bench-'));
try {
  generate(root);
  // Cold = the first request to a fresh server (nothing cached in the process; the files are in
  // the OS page cache, as they are right after training wrote them).
  const fresh = await startDashboard({ runsDir: root, port: 0 });
  const cold = await timed(`${fresh.url}api/runs/list`);
  const warm = await timed(`${fresh.url}api/runs/list`);
  const runIds = readdirSync(root).sort();
  const runCold = await openRunPage(fresh.url, runIds[0]);
  const runWarm = await openRunPage(fresh.url, runIds[0]);
  const zoom = await timed(`${fresh.url}api/run/series?id=${runIds[0]}&metric=train/batch_loss&smooth=0.6&from=${Math.floor(RECORDS / 8)}&to=${Math.floor(RECORDS / 8) + 800}`);
  const runsAfter = await timed(`${fresh.url}api/runs/list`);
  const opens: number[] = [];
  for (const id of runIds.slice(0, 40)) opens.push((await openRunPage(fresh.url, id)).ms);
  opens.sort((a, b) => a - b);
  const median = opens[Math.floor(opens.length / 2)], worst = opens[opens.length - 1];
  const rss = process.memoryUsage().rss / 2 ** 20;
  const browser = await browserTimes(fresh.url, [runIds[Math.min(50, runIds.length - 1)]]);
  await fresh.close();
  const f = (ms: number): string => `${ms.toFixed(0)} ms`;
  const fc = (r: { ms: number; cpuMs: number }): string => `${f(r.ms)} (CPU ${f(r.cpuMs)})`;
  console.log(`machine: ${cpus()[0]?.model} x${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`runs page API, cold (first request; 10% of runs have no summary.json and are read from their metrics): ${fc(cold)} (${(cold.bytes / 1024).toFixed(0)} KiB)`);
  console.log(`runs page API, warm: ${fc(warm)}; after 1 run page opened: ${fc(runsAfter)}`);
  console.log(`run page (6 requests in parallel), cold: ${fc(runCold)}; warm: ${fc(runWarm)}; loss chart points sent: ${runCold.points} of ${RECORDS / 4}`);
  console.log(`zoom to 800 steps (full resolution): ${fc(zoom)}, ${(zoom.body as { x: number[]; fullResolution: boolean }).x.length} points, fullResolution=${(zoom.body as { fullResolution: boolean }).fullResolution}`);
  console.log(`${opens.length} different run pages opened one after another: median ${f(median)}, max ${f(worst)}; server process RSS after: ${rss.toFixed(0)} MiB (metric columns kept for at most 16 runs)`);
  if (browser) console.log(`in Chromium, navigation to drawn: runs page ${f(browser.runsPage)}, run page cold ${f(browser.runPageCold)}, warm ${f(browser.runPageWarm)}`);
  else console.log('Chromium not found: browser timings skipped');
} finally {
  if (process.env.BENCH_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  else console.log(`runs kept in ${root}`);
}
