import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsReader } from '../../src/dashboard/server/metrics-reader.js';
import { tempDir } from '../helpers.js';

const rec = (step: number, value = step): string => JSON.stringify({ step, epoch: 1, split: 'train', name: 'batch_loss', value, time: step });

test('the reader reads only appended bytes, waits for a line still being written, and skips a bad line with its number', () => {
  const path = join(tempDir('tc-reader-'), 'metrics.jsonl');
  writeFileSync(path, `${rec(1)}\n${rec(2)}\n`);
  const r = new MetricsReader(path);
  assert.equal(r.refresh(), 2);
  const half = rec(3);
  appendFileSync(path, half.slice(0, 20)); // a writer mid-line
  assert.equal(r.refresh(), 0);
  assert.equal(r.set.get('train', 'batch_loss')!.length, 2);
  appendFileSync(path, half.slice(20) + '\nnot json\n' + JSON.stringify({ step: 'x' }) + '\n' + rec(4, NaN).replace('null', 'null') + '\n');
  assert.equal(r.refresh(), 2); // step 3, and step 4 whose value NaN was written as null
  const s = r.set.get('train', 'batch_loss')!;
  assert.deepEqual(Array.from(s.column('steps')), [1, 2, 3, 4]);
  assert.ok(Number.isNaN(s.values[3]));
  assert.equal(r.badLines, 2);
  assert.equal(r.problem(), "metrics.jsonl: 2 unreadable lines skipped (first: line 4 is not valid JSON)");
  assert.equal(r.refresh(), 0, 'nothing new, nothing read');
});

test('a file replaced by a shorter one is read again from the start; a deleted one throws ENOENT', () => {
  const path = join(tempDir('tc-reader-'), 'metrics.jsonl');
  writeFileSync(path, `${rec(1)}\n${rec(2)}\n${rec(3)}\n`);
  const r = new MetricsReader(path);
  r.refresh();
  writeFileSync(path, `${rec(1, 10)}\n`);
  r.refresh();
  assert.deepEqual(Array.from(r.set.get('train', 'batch_loss')!.column('values')), [10]);
  rmSync(path);
  assert.throws(() => r.refresh(), (e: Error & { code?: string }) => e.code === 'ENOENT');
});

test('records across 1 MiB chunk boundaries are all read', () => {
  const path = join(tempDir('tc-reader-'), 'metrics.jsonl');
  const lines: string[] = [];
  for (let i = 1; i <= 30_000; i++) lines.push(rec(i, i / 7));
  writeFileSync(path, lines.join('\n') + '\n');
  const r = new MetricsReader(path);
  assert.equal(r.refresh(), 30_000);
  const s = r.set.get('train', 'batch_loss')!;
  assert.equal(s.length, 30_000);
  assert.equal(s.values[29_999], 30_000 / 7);
  assert.equal(r.badLines, 0);
});

test('a filtered scan parses only the names it keeps, and reads a metric name without parsing the line', async () => {
  const { nameOf } = await import('../../src/dashboard/server/metrics-reader.js');
  assert.equal(nameOf('{"step":1,"epoch":1,"split":"val","name":"val_loss","value":1,"time":1}'), 'val_loss');
  assert.equal(nameOf('{"name" : "lr"}'), 'lr');
  assert.equal(nameOf('{"step":1}'), null);
  const path = join(tempDir('tc-reader-'), 'metrics.jsonl');
  writeFileSync(path, [rec(1), JSON.stringify({ step: 1, epoch: 1, split: 'val', name: 'val_loss', value: 0.5, time: 1 }), rec(2), 'broken {'].join('\n') + '\n');
  const r = new MetricsReader(path, (name) => name.startsWith('val'));
  r.refresh();
  assert.deepEqual(r.set.keys(), ['val/val_loss']);
  assert.equal(r.badLines, 1, 'a line whose name cannot be read is parsed, and a bad one counted');
});
