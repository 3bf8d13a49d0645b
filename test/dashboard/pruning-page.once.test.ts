import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunCatalog } from '../../src/dashboard/server/run-catalog.js';
import { pages } from '../../src/dashboard/pages/index.js';
import type { ApiError } from '../../src/dashboard/page.js';
import type { LotteryView } from '../../src/dashboard/pages/pruning.js';
import type { ImpResult } from '../../src/prune/imp.js';
import { tempDir } from '../helpers.js';
import { hasChromium, requireExternal } from '../external.js';
import { withDashboardPage } from './dashboard-page.js';

const bin = join(process.cwd(), 'bin/tradecraft.js');

function cli(args: string[], cwd: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { cwd, encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const page = pages.find((p) => p.id === 'pruning')!;

/** One study of each command, made once for both tests (tiny budgets: seconds). */
let made: { dir: string; pr: Record<string, unknown>; rp: Record<string, unknown> } | null = null;
function studiesMade(): { dir: string; pr: Record<string, unknown>; rp: Record<string, unknown> } {
  if (made) return made;
  const dir = tempDir('tc-pruning-page-');
  mkdirSync(join(dir, 'runs'));
  const small = ['--set', 'limitTrain=600', '--set', 'valSize=150', '--set', 'limitTest=200'];
  const pr = cli(['prune', 'mnist-lenet300', ...small, '--rounds', '2', '--seeds', '2', '--iterations', '8', '--control', 'reinit,random', '--control-every', '2'], dir);
  const rp = cli(['repro', 'adam-vs-sgd-linear', '--size', 'n=20', '--size', 'd=80', '--size', 'seeds=2', '--size', 'steps=100'], dir);
  made = { dir, pr, rp };
  return made;
}

test('the pruning page reads the study folders `prune` and `repro` wrote (beside runs/) and rebuilds their tables', async () => {
  const m = studiesMade();
  const dir = m.dir;
  const pr = m.pr as { dir: string; rows: Array<{ round: number; condition: string; remaining: number; test: { mean: number; lo: number; hi: number; n: number } }>; claim: { claim: string; held: boolean } };
  const rp = m.rp as { name: string; dir: string; claim: string; held: boolean; evidence: string[] };
  const ctx = { store: new RunCatalog(join(dir, 'runs')) };

  const list = await page.api.list(ctx, new URLSearchParams()) as { lottery: Array<{ name: string; experiment: string; complete: boolean }>; repro: Array<{ name: string; repro: string; held: boolean | null }> };
  assert.deepEqual(list.lottery.map((s) => [s.experiment, s.complete]), [['mnist-lenet300', true]]);
  assert.equal(join(dir, 'studies', list.lottery[0].name), join(dir, pr.dir));
  assert.deepEqual(list.repro.map((s) => [s.repro, s.held]), [['adam-vs-sgd-linear', rp.held]]);

  // The lottery table: one row per round (0, 1, 2), the arms the command trained, the same numbers it printed.
  const v = await page.api.lottery(ctx, new URLSearchParams({ name: list.lottery[0].name })) as LotteryView;
  assert.equal(v.results, 2 * (1 + 2 + 1 * 2), 'dense + 2 rounds + both controls at round 2, for 2 seeds');
  assert.deepEqual(v.rows.map((r) => r.round), [0, 1, 2]);
  assert.equal(v.rows[0].remaining, 1);
  assert.ok(v.rows[1].remaining < 1 && v.rows[2].remaining < v.rows[1].remaining, `remaining falls: ${v.rows.map((r) => r.remaining)}`);
  assert.equal(v.rows[1].reinit, null, 'controls only every 2nd round');
  for (const p of pr.rows) {
    const row = v.rows.find((r) => r.round === p.round)!;
    const got = row[p.condition as 'rewind' | 'reinit' | 'random']!;
    assert.equal(row.remaining, p.remaining);
    assert.deepEqual([got.mean, got.lo, got.hi, got.n], [p.test.mean, p.test.lo, p.test.hi, 2], `round ${p.round} ${p.condition}`);
  }
  // Each mean is the mean of the seeds' test accuracies in results.jsonl.
  const results = readFileSync(join(dir, pr.dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ImpResult);
  const r2 = results.filter((r) => r.round === 2 && r.condition === 'random');
  assert.equal(v.rows[2].random!.mean, (r2[0].testAccuracy + r2[1].testAccuracy) / 2);
  assert.equal(v.claim!.claim, pr.claim.claim);
  assert.equal(v.claim!.held, pr.claim.held);

  // The reproduction: claim, verdict and table as the command wrote them.
  const r = await page.api.repro(ctx, new URLSearchParams({ name: list.repro[0].name })) as { repro: string; claim: string; held: boolean; evidence: string[]; table: string[]; lottery: unknown };
  assert.equal(r.repro, 'adam-vs-sgd-linear');
  assert.equal(r.claim, rp.claim);
  assert.equal(r.held, rp.held);
  assert.deepEqual(r.evidence, rp.evidence);
  const tableTxt = readFileSync(join(dir, rp.dir, 'table.txt'), 'utf8');
  assert.ok(r.table.length > 1 && tableTxt.startsWith(r.table.join('\n') + '\n\nclaim: '), 'the table is table.txt up to the claim');
  assert.equal(r.lottery, null);
  const plots = (r as unknown as { plots: Array<{ file: string; svg: string }> }).plots;
  assert.ok(plots.length > 0, 'the plots repro wrote come with the reproduction');
  for (const p of plots) assert.equal(p.svg, readFileSync(join(dir, rp.dir, p.file), 'utf8'));

  // A study still running: a half-written last line is skipped, and it is shown as unfinished.
  const running = join(dir, 'studies', 'lottery-mnist-lenet300-running');
  mkdirSync(running);
  writeFileSync(join(running, 'study.json'), readFileSync(join(dir, pr.dir, 'study.json')));
  writeFileSync(join(running, 'results.jsonl'), `${JSON.stringify(results[0])}\n${JSON.stringify(results[1]).slice(0, 20)}`);
  const part = await page.api.lottery(ctx, new URLSearchParams({ name: 'lottery-mnist-lenet300-running' })) as LotteryView;
  assert.deepEqual([part.complete, part.results, part.rows.length], [false, 1, 1]);
  assert.equal(part.rows[0].rewind!.mean, results[0].testAccuracy);

  // Only folders the store listed, only fixed file names: no way out of the studies folder.
  symlinkSync(tempDir('tc-outside-'), join(dir, 'studies', 'lottery-escape'));
  assert.ok(!ctx.store.studyFolders().some((f) => f.name === 'lottery-escape'), 'a symlink out of studies/ is not listed');
  assert.throws(() => page.api.lottery(ctx, new URLSearchParams({ name: '../runs' })), (e: ApiError) => e.status === 404);
  assert.throws(() => page.api.repro(ctx, new URLSearchParams({ name: list.lottery[0].name })), (e: ApiError) => e.status === 404);
  assert.throws(() => ctx.store.studyFolders()[0].readText('../x.json'), (e: ApiError) => e.status === 400);
  assert.ok(readdirSync(join(dir, 'studies')).length === 4, 'the page wrote nothing');
});

test('the pruning page in Chromium: the lottery table and its log-x chart, a reproduction\'s claim and verdict', async (t) => {
  if (!requireExternal(t, 'Chromium', hasChromium(), 'apt-get install chromium (and npm install playwright-core)')) return;
  const { dir, pr, rp } = studiesMade();
  await withDashboardPage(join(dir, 'runs'), { width: 1200, height: 900 }, async (page, url, errors) => {
    const lottery = String(pr.dir).split(/[\\/]/).pop()!;
    await page.goto(`${url}#/pruning?name=${lottery}`);
    await page.waitForSelector('main[data-ready="true"]');
    await page.waitForSelector('#chart-pruning .chart[data-points]');
    assert.equal(await page.locator('#chart-pruning .chart').getAttribute('data-points'), '3', 'one point per round');
    const rows = await page.locator('#pruning-table tbody tr').allTextContents();
    assert.equal(rows.length, 3);
    const dense = (pr.rows as Array<{ round: number; condition: string; test: { mean: number } }>).find((r) => r.round === 0)!;
    assert.ok(rows.some((r) => r.includes('100.00') && r.includes((100 * dense.test.mean).toFixed(2))), rows.join(' | '));
    const repro = String(rp.dir).split(/[\\/]/).pop()!;
    await page.goto(`${url}#/pruning?name=${repro}`);
    await page.waitForSelector('main[data-ready="true"]');
    assert.equal(await page.locator('#repro-verdict').textContent(), rp.held ? 'verdict: held' : 'verdict: did not hold');
    assert.ok((await page.locator('main').textContent())!.includes(String(rp.claim)));
    const imgs = page.locator('figure.repro-plot img');
    assert.ok(await imgs.count() > 0, 'the reproduction\'s plots are shown');
    assert.ok(await imgs.first().evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), 'the SVG renders as an image');
    assert.deepEqual(errors, []);
  });
});
