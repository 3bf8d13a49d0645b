// End to end in headless Chromium: a real training run in the background, the dashboard
// following it live, the controls changing the charts, compare and the test ledger.
// Screenshots go to test-artifacts/dashboard/ (git-ignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, requireExternal } from '../external.js';
import { tempDir } from '../helpers.js';
import { startDashboard } from '../../src/dashboard/server/http-server.js';

const bin = 'bin/tradecraft.js';
const small = ['--set', 'limitTrain=3000', '--set', 'valSize=500', '--set', 'limitTest=1000'];
const ARTIFACTS = 'test-artifacts/dashboard';

/** Trains a small run to completion (concurrently with the others) and returns its id. */
function train(out: string, seed: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'train', 'mnist-mlp', '--epochs', '2', '--seed', String(seed), ...small, '--out', out, '--json'], { env: { ...process.env, TRADECRAFT_QUIET: '1' } });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`train exited ${code}: ${stderr}`));
      const lines = stdout.trim().split('\n');
      resolve((JSON.parse(lines[lines.length - 1]) as { runDir: string }).runDir.split(/[\\/]/).pop()!);
    });
  });
}

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('dashboard in Chromium: live loss chart, smoothing and log controls, compare, test ledger', async (t) => {
  if (!requireExternal(t, 'Chromium', hasChromium(), 'apt-get install chromium (and npm install playwright-core)')) return;
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  const runs = tempDir('tc-dash-e2e-');
  // Two finished runs (seeds 0 and 1, trained side by side) for compare and the ledger, then
  // the live run: many small batches and epochs, stopped by the test when it has seen enough.
  const [a, b] = await Promise.all([train(runs, 0), train(runs, 1)]);
  const live: ChildProcess = spawn(process.execPath, [bin, 'train', 'mnist-mlp', '--epochs', '200', '--batch-size', '16', ...small, '--out', runs], { stdio: 'ignore', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  const server = await startDashboard({ runsDir: runs, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const offsite: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(`http://127.0.0.1:${server.port}/`)) offsite.push(r.url()); });
    const ready = (): Promise<unknown> => page.waitForSelector('main[data-ready="true"]', { timeout: 15_000 });
    const attr = (sel: string, name: string): Promise<string | null> => page.locator(sel).getAttribute(name);

    // 1. Live: the loss chart of the run being trained gains points without a reload.
    const liveId = await until('the live run directory', async () => readdirSync(runs).find((d) => d !== a && d !== b && d.startsWith('mnist-mlp')));
    await until('the first records of the live run', async () => (await fetch(`${server.url}api/run/info?id=${liveId}`).then((r) => r.json()) as { records?: number }).records! > 0);
    await page.goto(`${server.url}#/run?id=${liveId}`);
    await ready();
    await page.waitForSelector('#chart-loss .chart[data-points]');
    assert.equal(await page.locator('#run-status').textContent(), 'running');
    const first = Number(await attr('#chart-loss .chart', 'data-points'));
    const firstStep = Number(await attr('#chart-loss .chart', 'data-last-x'));
    const grown = await until('the loss chart to gain points', async () => {
      const n = Number(await attr('#chart-loss .chart', 'data-points'));
      return n > first + 20 ? n : null;
    });
    assert.ok(grown > first, `points ${first} -> ${grown}`);
    const lastStep = Number(await attr('#chart-loss .chart', 'data-last-x'));
    assert.ok(lastStep > firstStep, `the curve reaches later steps: ${firstStep} -> ${lastStep}`);
    await page.screenshot({ path: join(ARTIFACTS, 'run-live.png'), fullPage: true });

    // 2. The smoothing slider and the log toggle change the chart (on a finished run: only the controls move it).
    await page.goto(`${server.url}#/run?id=${a}`);
    await ready();
    await page.waitForSelector('#chart-loss .chart[data-signature]');
    const sig0 = await attr('#chart-loss .chart', 'data-signature');
    await page.locator('#smoothing').fill('0.95');
    const sig1 = await until('the smoothed curve to change', async () => { const s = await attr('#chart-loss .chart', 'data-signature'); return s !== sig0 ? s : null; });
    assert.notEqual(sig1, sig0);
    assert.equal(await page.locator('#smoothing-value').textContent(), '0.95');
    const linear = await page.locator('#chart-loss canvas').screenshot();
    await page.locator('#log-scale').check();
    await until('the log scale', async () => (await attr('#chart-loss .chart', 'data-log')) === 'true');
    const logShot = await page.locator('#chart-loss canvas').screenshot();
    assert.notDeepEqual(logShot, linear, 'the log-scale chart is drawn differently');
    await page.locator('#ignore-outliers').check();
    await page.screenshot({ path: join(ARTIFACTS, 'run-controls.png'), fullPage: true });
    assert.match(await page.locator('#test-evaluation').textContent() ?? '', /accuracy\d+\.\d+%95% interval\[\d+\.\d+%, \d+\.\d+%\]/);
    assert.match(await page.locator('#checkpoints').textContent() ?? '', /★ best/);

    // 3. Compare two runs picked on the runs page; group the seeds into one band.
    await page.goto(`${server.url}#/runs`);
    await ready();
    await page.locator(`input[data-run="${a}"]`).check();
    await page.locator(`input[data-run="${b}"]`).check();
    await page.locator('#compare-selected').click();
    await page.waitForSelector('main[data-page="compare"][data-ready="true"]');
    await page.waitForSelector('#chart-compare .chart[data-points]');
    const table = await page.locator('#compare-table').textContent() ?? '';
    assert.ok(table.includes(a) && table.includes(b) && table.includes('seed'), table);
    const overlaid = await attr('#chart-compare .chart', 'data-signature');
    await page.locator('#group-seeds').check();
    await until('the seed group band', async () => (await attr('#chart-compare .chart', 'data-signature')) !== overlaid);
    assert.match(await page.locator('#chart-compare').textContent() ?? '', /2 seeds/);
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });

    // 4. The test ledger: both models were scored on the same test set, which is flagged.
    await page.locator('nav a', { hasText: 'Test ledger' }).click();
    await page.waitForSelector('main[data-page="ledger"][data-ready="true"]');
    const ledger = await page.locator('main').textContent() ?? '';
    assert.match(ledger, /Used by 2 different models \(2 evaluations\)/);
    assert.ok(ledger.includes(a) && ledger.includes(b));
    await page.screenshot({ path: join(ARTIFACTS, 'ledger.png'), fullPage: true });

    // 5. The static report of a run opens from a file with no server and no network.
    const report = join(runs, 'report.html');
    const made = spawnSync(process.execPath, [bin, 'report', join(runs, a), '--out', report], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const reportPage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const reportRequests: string[] = [];
    reportPage.on('request', (r) => reportRequests.push(r.url()));
    reportPage.on('pageerror', (e) => errors.push(e.message));
    await reportPage.goto(`file://${report}`);
    await reportPage.waitForSelector('main[data-ready="true"] #chart-loss .chart[data-points]');
    assert.equal(await reportPage.locator('#chart-loss .chart').getAttribute('data-points'), '80');
    await reportPage.locator('#smoothing').fill('0.9');
    await until('the report to re-smooth', async () => (await reportPage.locator('#chart-loss .chart').getAttribute('data-signature')) !== sig0);
    assert.deepEqual(reportRequests, [`file://${report}`]);
    await reportPage.screenshot({ path: join(ARTIFACTS, 'report.png') });

    assert.deepEqual(errors, [], 'no script errors');
    assert.deepEqual(offsite, [], 'nothing fetched from another host');
  } finally {
    live.kill('SIGKILL');
    await browser.close();
    await server.close();
  }
});
