import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { writeRun } from './run-fixtures.js';

const bin = 'bin/tradecraft.js';
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });

test('tradecraft dashboard --json prints {"url"} first once listening, serves, and stops cleanly on Ctrl-C', async () => {
  const runs = tempDir('tc-cli-dash-');
  writeRun(runs, 'r1');
  const child = spawn(process.execPath, [bin, 'dashboard', runs, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => { out += c; });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no URL line: ${out}`)), 15_000);
    child.stdout.on('data', () => { if (out.includes('\n')) { clearTimeout(t); resolve(out.split('\n')[0]); } });
  });
  const { url } = JSON.parse(firstLine) as { url: string };
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const list = await (await fetch(`${url}api/runs/list`)).json() as { runs: Array<{ id: string; status: string }> };
  assert.deepEqual(list.runs.map((r) => [r.id, r.status]), [['r1', 'completed']]);
  const code = await new Promise<number | null>((resolve) => { child.on('exit', (c) => resolve(c)); child.kill('SIGINT'); });
  assert.equal(code, 0);
  const missing = cli(['dashboard', join(runs, 'nope')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no runs directory .*nope; train something first/);
});

test('tradecraft plot writes an SVG of the smoothed loss with the raw series behind; bad input is one line', () => {
  const runs = tempDir('tc-cli-plot-');
  const a = writeRun(runs, 'a', { steps: 50 }), b = writeRun(runs, 'b', { steps: 30 });
  const out = join(runs, 'loss.svg');
  const r = cli(['plot', a, b, '--metric', 'loss', '--smooth', '0.6', '--log', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { out, metric: 'train/batch_loss', runs: 2, points: 160 });
  const svg = readFileSync(out, 'utf8');
  assert.equal((svg.match(/<path /g) ?? []).length, 4, 'raw and smoothed line per run');
  assert.equal((svg.match(/stroke-opacity="0.3"/g) ?? []).length, 2, 'the raw lines are faint');
  assert.match(svg, /batch_loss \(log\)/);
  assert.match(cli(['plot', a, '--metric', 'nope', '--out', out]).stderr, /has no metric 'nope'; it has train\/batch_loss/);
  assert.match(cli(['plot', a, '--out', join(runs, 'x.jpg')]).stderr, /--out must end in \.svg or \.png/);
  assert.equal(cli(['plot', a, '--smooth', '1', '--out', out]).status, 2);
});

test('tradecraft export writes every record as CSV or JSON lines', () => {
  const runs = tempDir('tc-cli-export-');
  const a = writeRun(runs, 'a', { steps: 12 });
  const csv = cli(['export', a, '--format', 'csv']);
  assert.equal(csv.status, 0, csv.stderr);
  const rows = csv.stdout.trim().split('\n');
  assert.equal(rows[0], 'step,epoch,split,name,value,time');
  assert.equal(rows.length, 13);
  assert.equal(rows[4], '4,1,train,batch_loss,0.5,1004');
  const out = join(runs, 'm.jsonl');
  const j = cli(['export', a, '--format', 'jsonl', '--out', out, '--json']);
  assert.deepEqual(JSON.parse(j.stdout.trim()), { out, format: 'jsonl', records: 12 });
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 12);
  assert.equal(cli(['export', a, '--format', 'xml']).status, 2);
});

test('tradecraft report writes one self-contained HTML file with the run embedded and nothing fetched', () => {
  const runs = tempDir('tc-cli-report-');
  const a = writeRun(runs, 'a', { steps: 25, summary: { testAccuracy: 0.91, testAccuracyCI: [0.9, 0.92], history: [] } });
  writeFileSync(join(runs, 'test-ledger.jsonl'), JSON.stringify({ testSet: 't1', runId: 'a', modelHash: 'm', metric: 'accuracy', value: 0.91, n: 1000, time: 'x' }) + '\n');
  const out = join(runs, 'report.html');
  const r = cli(['report', a, '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)[a-z]/i);
  const boot = JSON.parse(/<script id="tradecraft-boot" type="application\/json">(.*?)<\/script>/s.exec(html)![1]) as { mode: string; store: { runs: Array<{ id: string; series: Array<{ steps: number[] }> }>; ledger: unknown[] } };
  assert.equal(boot.mode, 'static');
  assert.equal(boot.store.runs[0].id, 'a');
  assert.equal(boot.store.runs[0].series[0].steps.length, 25);
  assert.equal(boot.store.ledger.length, 1);
});
