import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RunCatalog } from '../../src/dashboard/server/run-catalog.js';
import { pages } from '../../src/dashboard/pages/index.js';
import { tempDir } from '../helpers.js';

const bin = join(process.cwd(), 'bin/tradecraft.js');
const small = ['--set', 'limitTrain=600', '--set', 'valSize=150', '--set', 'limitTest=100'];

function cli(args: string[], cwd: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { cwd, encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function page(id: string) {
  const p = pages.find((q) => q.id === id);
  assert.ok(p, `page ${id} is registered`);
  return p;
}

test('the LR finder, sweep and ablation pages rebuild what the commands printed from the run store', async () => {
  const dir = tempDir('tc-tune-pages-');
  const found = cli(['lr-find', 'mnist-mlp', ...small, '--steps', '30', '--min', '1e-5'], dir) as { runDir: string; suggestedLr: number };
  const sweep = cli(['lr-sweep', 'mnist-mlp', ...small, '--lrs', '1e-3,3e-2', '--steps', '10', '--seeds', '2'], dir) as { table: Array<{ lr: number; rank: number; valLoss: number }> };
  const abl = cli(['ablate', 'mnist-cnn-toggles', ...small, '--features', 'dropout', '--seeds', '2', '--epochs', '1', '--name', 'tiny'], dir) as { table: Array<{ variant: string; mean: number; difference?: number; verdict: string }> };
  const store = new RunCatalog(join(dir, 'runs'));
  const ctx = { store };

  const lf = page('lr-find');
  const list = await lf.api.list(ctx, new URLSearchParams()) as { runs: Array<{ id: string; suggestedLr: number }> };
  assert.equal(list.runs.length, 1);
  assert.equal(list.runs[0].suggestedLr, found.suggestedLr);
  const curve = await lf.api.curve(ctx, new URLSearchParams({ id: list.runs[0].id })) as { svg: string; result: { suggestedLr: number; curve: unknown[] } };
  assert.equal(curve.result.suggestedLr, found.suggestedLr);
  assert.match(curve.svg, /min\/10 \(recommended\)/);
  assert.throws(() => lf.api.curve(ctx, new URLSearchParams({ id: 'nope' })));

  const sw = page('lr-sweeps');
  const sweeps = await sw.api.list(ctx, new URLSearchParams()) as { sweeps: Array<{ name: string; runs: number }> };
  assert.deepEqual(sweeps.sweeps.map((s) => [s.name, s.runs]), [['mnist-mlp-lr-sweep', 4]]);
  const sd = await sw.api.sweep(ctx, new URLSearchParams({ name: 'mnist-mlp-lr-sweep' })) as { table: Array<{ lr: number; rank: number; valLoss: number }>; charts: Record<string, string> };
  assert.deepEqual(sd.table.map((r) => [r.lr, r.rank, r.valLoss]), sweep.table.map((r) => [r.lr, r.rank, r.valLoss]));
  for (const svg of Object.values(sd.charts)) assert.match(svg, /^<svg/);

  const ab = page('ablations');
  const st = await ab.api.study(ctx, new URLSearchParams({ name: 'tiny' })) as { rows: Array<{ variant: string; mean: number; difference?: number; verdict: string }>; svg: string };
  assert.deepEqual(st.rows.map((r) => [r.variant, r.mean, r.difference, r.verdict]), abl.table.map((r) => [r.variant, r.mean, r.difference, r.verdict]));
  assert.match(st.svg, /-dropout/);
});
