import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/tradecraft.js', 'stats', ...args], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const last = (s: string): Record<string, unknown> => JSON.parse(s.trim().split('\n').pop()!) as Record<string, unknown>;

test('stats ci --json gives lo, hi, estimate and method (Wilson 9850/10000)', () => {
  const r = run(['ci', '--correct', '9850', '--total', '10000', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = last(r.stdout);
  assert.equal(j.method, 'wilson');
  assert.equal(j.estimate, 0.985);
  // Wilson (1927) score interval: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964.
  assert.equal((j.lo as number).toFixed(4), '0.9824');
  assert.equal((j.hi as number).toFixed(4), '0.9872');
});

test('stats ci accepts the other methods; Newcombe (1998) Table I, 81/263', () => {
  const cp = last(run(['ci', '--correct', '81', '--total', '263', '--method', 'clopper-pearson', '--json']).stdout);
  assert.deepEqual([(cp.lo as number).toFixed(4), (cp.hi as number).toFixed(4)], ['0.2527', '0.3676']);
  const wald = last(run(['ci', '--correct', '81', '--total', '263', '--method', 'normal', '--json']).stdout);
  assert.deepEqual([(wald.lo as number).toFixed(4), (wald.hi as number).toFixed(4)], ['0.2522', '0.3638']);
});

test('stats size, table, mcnemar and seeds answer with numbers', () => {
  assert.equal(last(run(['size', '--accuracy', '0.9', '--width', '0.02', '--json']).stdout).n, 3461);
  const t = last(run(['table', '--accuracies', '0.9', '--sizes', '1000', '--json']).stdout) as { rows: Array<{ widths: number[] }> };
  assert.ok(Math.abs(t.rows[0].widths[0] - 0.0372) < 5e-4);
  const m = last(run(['mcnemar', '--b', '1', '--c', '7', '--json']).stdout);
  assert.ok(Math.abs((m.pValue as number) - 0.0703125) < 1e-12); // 2 * P(X <= 1), X ~ Bin(8, 1/2) = 2 * 9/256
  const s = last(run(['seeds', '--a', '1,2,3', '--b', '1,2,3', '--paired', '--json']).stdout);
  assert.equal(s.difference, 0);
});

test('bad stats input exits non-zero with one line', () => {
  for (const args of [['ci', '--correct', '5', '--total', '3'], ['ci', '--total', '10'], ['nope'], ['ci', '--correct', '1', '--total', '10', '--level', '2']]) {
    const r = run(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
