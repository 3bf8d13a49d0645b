import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration, formatFieldValue } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write(s: string) { chunks.push(s); return true; } } };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

test('non-TTY: silent per update, one summary line on finish', () => {
  const { chunks, stream } = fakeStream(false);
  const c = clock();
  const p = createProgress({ total: 100, label: 'epoch 1/3', stream, now: c.now, unit: 'batches' });
  for (let i = 1; i <= 100; i++) {
    c.advance(50);
    p.update(i, { loss: 1 / i, 'samples/s': 1234 });
  }
  assert.deepEqual(chunks, []);
  p.finish();
  p.finish();
  assert.deepEqual(chunks, ['epoch 1/3: 100/100 in 0:05, 20.0 batches/s, loss=0.01000 1234 samples/s\n']);
});

test('TTY: redraws one line with bar, percent, counts, elapsed<ETA and fields', () => {
  const { chunks, stream } = fakeStream(true, 120);
  const c = clock();
  const p = createProgress({ total: 200, label: 'train', stream, now: c.now });
  c.advance(10_000);
  p.update(50, { loss: 0.23456, 'samples/s': 1234 });
  assert.equal(chunks.length, 1);
  const line = chunks[0];
  assert.ok(line.startsWith('\r'), 'redraws from the start of the line');
  assert.ok(line.endsWith('\x1b[K'), 'clears the rest of the line');
  assert.ok(!line.includes('\n'));
  const text = line.slice(1, -3);
  // 120 columns: a 24-wide bar, 25% filled = 6 '=' then '>'.
  assert.equal(text, `train [${'='.repeat(6)}>${' '.repeat(17)}]  25% 50/200 0:10<0:30 loss=0.2346 1234 samples/s`);
  p.finish();
  assert.equal(chunks.at(-1), '\n');
});

test('TTY: throttled to ~10 Hz, but the final update and finish always draw', () => {
  const { chunks, stream } = fakeStream(true, 80);
  const c = clock();
  const p = createProgress({ total: 1000, label: 'x', stream, now: c.now });
  for (let i = 1; i <= 1000; i++) {
    c.advance(1); // 1000 updates over one second
    p.update(i);
  }
  // The first update draws, then at most one per 100 ms, plus the final (done === total) update.
  assert.ok(chunks.length >= 10 && chunks.length <= 12, `${chunks.length} redraws`);
  assert.ok(chunks.at(-1)!.includes('1000/1000'));
  assert.ok(chunks.at(-1)!.includes('100%'));
  assert.ok(chunks.at(-1)!.includes('[================]'));
  p.finish();
  assert.equal(chunks.at(-1), '\n');
  const before = chunks.length;
  p.update(5);
  p.finish();
  assert.equal(chunks.length, before, 'nothing after finish');
});

test('TTY: the line never exceeds the terminal width', () => {
  const { chunks, stream } = fakeStream(true, 40);
  const p = createProgress({ total: 10, label: 'a-rather-long-label', stream, now: () => 0 });
  p.update(3, { loss: 0.5, accuracy: 0.75, lr: 0.001 });
  for (const ch of chunks) assert.ok(ch.replace('\r', '').replace('\x1b[K', '').length <= 39);
});

test('TTY: unknown ETA before any progress, zero total', () => {
  const { chunks, stream } = fakeStream(true, 100);
  const p = createProgress({ total: 10, label: 'warmup', stream, now: () => 0 });
  p.update(0);
  assert.ok(chunks[0].includes('0/10 0:00<?'), chunks[0]);
  const z = fakeStream(true, 100);
  const q = createProgress({ total: 0, label: 'empty', stream: z.stream, now: () => 0 });
  q.update(0);
  q.finish();
  assert.ok(z.chunks[0].includes('  0% 0/0'), z.chunks[0]);
});

test('formatting helpers', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(59_400), '0:59');
  assert.equal(formatDuration(61_000), '1:01');
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatDuration(NaN), '?');
  assert.equal(formatFieldValue(0.23456), '0.2346');
  assert.equal(formatFieldValue(1234), '1234');
  assert.equal(formatFieldValue(1234.567), '1235');
  assert.equal(formatFieldValue('adam'), 'adam');
  assert.equal(formatFieldValue(NaN), 'NaN');
});

test('defaults to process.stderr, which is not a TTY under the test runner', () => {
  const p = createProgress({ total: 1, label: 'quiet' });
  p.update(1, { loss: 1 });
  // No finish(): nothing is written for updates on a non-TTY stream.
  assert.ok(true);
});
