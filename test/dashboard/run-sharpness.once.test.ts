import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonl } from '../../src/track/files.js';
import { tempDir } from '../helpers.js';
import { hasChromium, requireExternal } from '../external.js';
import { withDashboardPage } from './dashboard-page.js';

test('the run page of a run trained with --track-sharpness charts sharpness against 2/lr', async (t) => {
  if (!requireExternal(t, 'Chromium', hasChromium(), 'apt-get install chromium (and npm install playwright-core)')) return;
  const dir = tempDir('tc-sharp-page-');
  mkdirSync(join(dir, 'runs'));
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/tradecraft.js'), 'train', 'mnist-mlp', '--set', 'limitTrain=700', '--set', 'valSize=100', '--set', 'limitTest=100',
    '--epochs', '1', '--track-sharpness', '3', '--out', join(dir, 'runs'), '--json'], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const runDir = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { runDir: string }).runDir;
  const logged = readJsonl<{ name: string }>(join(runDir, 'metrics.jsonl')).records.filter((m) => m.name === 'sharpness').length;
  assert.equal(logged, 4, 'steps 1, 4, 7, 10');
  await withDashboardPage(join(dir, 'runs'), { width: 1200, height: 900 }, async (page, url, errors) => {
    await page.goto(`${url}#/run?id=${basename(runDir)}`);
    await page.waitForSelector('main[data-ready="true"]');
    await page.waitForSelector('#chart-sharpness .chart[data-points]');
    assert.equal(await page.locator('#chart-sharpness .chart').getAttribute('data-points'), String(logged));
    const text = (await page.locator('#chart-sharpness').textContent())!;
    assert.ok(text.includes('2/lr') && text.includes('sharpness'), text);
    assert.deepEqual(errors, []);
  });
});
