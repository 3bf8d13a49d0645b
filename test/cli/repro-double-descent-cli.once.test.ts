import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

const run = (args: string[]) => spawnSync(process.execPath, ['bin/tradecraft.js', ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });

test('repro double-descent: listed by --help with its source and sizes, writes its study, rejects bad sizes in one line', () => {
  let r = run(['repro', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /double-descent\s+Belkin et al\. 2019/);
  assert.match(r.stdout, /n=1000 test=2000 noise=0\.2 seeds=3 maxRatio=10/);
  const out = tempDir('tc-repro-dd-');
  r = run(['repro', 'double-descent', '--size', 'n=100', '--size', 'test=300', '--size', 'seeds=1', '--size', 'pool=1', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { dir: string; held: boolean; evidence: string[] };
  const summary = JSON.parse(readFileSync(join(j.dir, 'summary.json'), 'utf8')) as { held: boolean; size: Record<string, number>; data: { widths: number[] } };
  assert.equal(summary.held, j.held);
  assert.equal(summary.size.n, 100);
  assert.deepEqual(summary.data.widths.slice(7, 10), [95, 100, 105], 'widths are multiples of n, dense around it');
  assert.match(readFileSync(join(j.dir, 'test-error.svg'), 'utf8'), /^<svg[\s\S]*log scale[\s\S]*N = n = 100[\s\S]*<\/svg>\n$/);
  assert.match(readFileSync(join(j.dir, 'table.txt'), 'utf8'), /claim: random ReLU features/);
  const before = readdirSync(out).length;
  r = run(['repro', 'double-descent', '--size', 'noise=1.5', '--out', out]);
  assert.equal(r.status, 2, 'a refused size is a usage error');
  assert.equal(readdirSync(out).length, before, 'a refused size leaves no empty study folder');
  assert.match(r.stderr, /noise must be in \[0, 1\), got 1\.5/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
