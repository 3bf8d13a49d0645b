import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { JsonlAppender, readJsonFile, readJsonl, writeFileAtomic } from '../../src/track/files.js';

const filesModule = new URL('../../src/track/files.js', import.meta.url).href;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tradecraft-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Replaces fs.<name> for ESM importers too, restoring it afterwards. */
function mockFs<K extends 'writeSync' | 'fdatasyncSync' | 'renameSync'>(
  t: { after(fn: () => void): void }, name: K, impl: (typeof fs)[K],
): void {
  const m = mock.method(fs, name, impl as never);
  syncBuiltinESMExports();
  t.after(() => { m.mock.restore(); syncBuiltinESMExports(); });
}

function expectMessage(fn: () => unknown, ...parts: string[]): Error {
  let caught: Error | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    caught = e;
    return true;
  });
  return caught!;
}

/** Runs `body` (ESM source, with `files` = the compiled files module) in a child and SIGKILLs it after `ms`. */
function runAndKill(body: string, ms: number, onStdout?: (s: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e',
      `const files = await import(${JSON.stringify(filesModule)});\n${body}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => onStdout?.(String(d)));
    let started = false;
    child.stdout.once('data', () => {
      started = true;
      setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && started) resolve();
      else reject(new Error(`child exited early (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

test('writeFileAtomic writes strings and bytes, replaces files, leaves no temp files', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'run.json');
  writeFileAtomic(p, '{"a":1}');
  assert.equal(readFileSync(p, 'utf8'), '{"a":1}');
  writeFileAtomic(p, new Uint8Array([1, 2, 3, 250]));
  assert.deepEqual(Array.from(readFileSync(p)), [1, 2, 3, 250]);
  writeFileAtomic(p, 'ünï');
  assert.equal(readFileSync(p, 'utf8'), 'ünï');
  writeFileAtomic(join(dir, 'empty'), '');
  assert.equal(readFileSync(join(dir, 'empty'), 'utf8'), '');
  assert.deepEqual(readdirSync(dir).sort(), ['empty', 'run.json']);
});

test('writeFileAtomic: a failure mid-write keeps the old file and removes the temp file', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'weights.safetensors');
  writeFileSync(p, 'OLD CONTENTS');
  const realWrite = fs.writeSync;
  let calls = 0;
  mockFs(t, 'writeSync', ((fd: number, buf: Uint8Array) => {
    calls++;
    realWrite(fd, buf.subarray(0, 3)); // half a write lands on disk, then the disk is full
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }) as unknown as typeof fs.writeSync);
  const err = expectMessage(() => writeFileAtomic(p, 'NEW CONTENTS THAT DO NOT FIT'),
    `could not write ${p}`, 'ENOSPC', 'disk is full', 'previous contents, if any, are unchanged') as Error & { code?: string };
  assert.equal(err.code, 'ENOSPC');
  assert.equal(calls, 1);
  assert.equal(readFileSync(p, 'utf8'), 'OLD CONTENTS');
  assert.deepEqual(readdirSync(dir), ['weights.safetensors']);
});

test('writeFileAtomic: a failing rename keeps the old file and removes the temp file', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'summary.json');
  writeFileSync(p, 'v1');
  mockFs(t, 'renameSync', (() => {
    throw Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' });
  }) as typeof fs.renameSync);
  expectMessage(() => writeFileAtomic(p, 'v2'), 'could not write', 'EXDEV');
  assert.equal(readFileSync(p, 'utf8'), 'v1');
  assert.deepEqual(readdirSync(dir), ['summary.json']);
});

test('writeFileAtomic: target is a directory, or the directory is missing', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'keep'), 'x');
  expectMessage(() => writeFileAtomic(join(dir, 'sub'), 'data'), `could not write ${join(dir, 'sub')}`);
  assert.deepEqual(readdirSync(dir), ['sub']);
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['keep']);
  const err = expectMessage(() => writeFileAtomic(join(dir, 'nope', 'f.json'), 'x'), 'does not exist, create it first') as Error & { code?: string };
  assert.equal(err.code, 'ENOENT');
});

test('writeFileAtomic: a process killed at random moments never leaves a half-written target', async (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'model.bin');
  const size = 4 << 20;
  for (let round = 0; round < 4; round++) {
    await runAndKill(`
      const size = ${size};
      const a = new Uint8Array(size).fill(0x41), b = new Uint8Array(size).fill(0x42);
      for (let i = 0; ; i++) { files.writeFileAtomic(${JSON.stringify(p)}, i % 2 ? b : a); if (i === 0) process.stdout.write('go\\n'); }
    `, 20 + 37 * round);
    const data = readFileSync(p);
    assert.equal(data.length, size, `round ${round}: the target has ${data.length} bytes`);
    assert.ok(data.every((x) => x === data[0]) && (data[0] === 0x41 || data[0] === 0x42), `round ${round}: mixed contents`);
    // A SIGKILL between write and rename may strand a temp file; it is recognizably named.
    for (const name of readdirSync(dir)) assert.ok(name === 'model.bin' || /^\.model\.bin\.[0-9a-f]{12}\.tmp$/.test(name), name);
  }
});

test('readJsonFile parses, and names what is missing or broken', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'run.json');
  writeFileSync(p, '{"status":"done","n":[1,2]}');
  assert.deepEqual(readJsonFile(p, 'run metadata'), { status: 'done', n: [1, 2] });
  const missing = expectMessage(() => readJsonFile(join(dir, 'x.json'), 'run metadata'),
    'run metadata not found', join(dir, 'x.json'), 'does not exist') as Error & { code?: string };
  assert.equal(missing.code, 'ENOENT');
  writeFileSync(p, '{"status":');
  expectMessage(() => readJsonFile(p, 'run metadata'), `run metadata at ${p} is not valid JSON`, 'corrupt');
  writeFileSync(p, '  \n');
  expectMessage(() => readJsonFile(p, 'run metadata'), `run metadata at ${p} is empty`);
  expectMessage(() => readJsonFile(dir, 'run metadata'), 'is a directory');
});

test('JsonlAppender + readJsonl round trip', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'metrics.jsonl');
  const log = new JsonlAppender(p);
  const records = [
    { step: 1, epoch: 0, split: 'train', name: 'loss', value: 2.3, time: 1 },
    { step: 2, epoch: 0, split: 'train', name: 'loss', value: 1.9, time: 2, note: 'line\nbreak "q"' },
    { nested: { a: [1, null, true] } },
  ];
  for (const r of records) log.append(r);
  // Each append is visible immediately to readers (the dashboard follows the file live).
  assert.equal(readJsonl(p).records.length, 3);
  log.close();
  log.close();
  assert.equal(readFileSync(p, 'utf8').split('\n').length, 4);
  assert.deepEqual(readJsonl(p), { records, dropped: 0 });
  // Reopening appends after the existing records.
  const again = new JsonlAppender(p);
  again.append({ step: 3 });
  again.close();
  assert.deepEqual(readJsonl(p).records.at(-1), { step: 3 });
  assert.equal(readJsonl(p).records.length, 4);
});

test('readJsonl drops a truncated last line and reports it; corrupt middle lines are errors', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'metrics.jsonl');
  writeFileSync(p, '{"step":1}\n{"step":2}\n{"step":3,"val');
  assert.deepEqual(readJsonl(p), { records: [{ step: 1 }, { step: 2 }], dropped: 1 });
  writeFileSync(p, '{"step":1}\n\n{"step":2}\r\n{"step":3}'); // blank lines skipped, CRLF and unterminated-but-complete ok
  assert.deepEqual(readJsonl(p), { records: [{ step: 1 }, { step: 2 }, { step: 3 }], dropped: 0 });
  writeFileSync(p, '{"step":1}\n{"st\n{"step":3}\n');
  expectMessage(() => readJsonl(p, 'metrics log'), `metrics log ${p}, line 2, is not valid JSON`, 'fix or delete that line');
  writeFileSync(p, '{"step":1}\n{"step":2,\n'); // a terminated bad line is corruption, not a cut-off write
  expectMessage(() => readJsonl(p), 'line 2');
  writeFileSync(p, '');
  assert.deepEqual(readJsonl(p), { records: [], dropped: 0 });
  const err = expectMessage(() => readJsonl(join(dir, 'none.jsonl')), 'does not exist') as Error & { code?: string };
  assert.equal(err.code, 'ENOENT');
});

test('JsonlAppender trims a partial line left by a crash before appending', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'metrics.jsonl');
  writeFileSync(p, '{"step":1}\n{"step":2,"va');
  const log = new JsonlAppender(p);
  log.append({ step: 3 });
  log.close();
  assert.equal(readFileSync(p, 'utf8'), '{"step":1}\n{"step":3}\n');
  // A complete record missing only its newline is kept and terminated.
  writeFileSync(p, '{"step":1}');
  new JsonlAppender(p).close();
  assert.equal(readFileSync(p, 'utf8'), '{"step":1}\n');
  // A long fragment without any newline in the file (more than one 64 KiB scan chunk).
  writeFileSync(p, '{"x":"' + 'a'.repeat(200_000));
  const l2 = new JsonlAppender(p);
  l2.append({ ok: true });
  l2.close();
  assert.deepEqual(readJsonl(p), { records: [{ ok: true }], dropped: 0 });
});

test('JsonlAppender errors: closed, unserializable records, missing directory', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'm.jsonl');
  const log = new JsonlAppender(p);
  expectMessage(() => log.append({ big: 1n }), `cannot append to ${p}`, 'not JSON-serializable', 'BigInt');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  expectMessage(() => log.append(circular), 'not JSON-serializable');
  log.close();
  expectMessage(() => log.append({}), 'closed');
  assert.equal(readFileSync(p, 'utf8'), '');
  expectMessage(() => new JsonlAppender(join(dir, 'missing', 'm.jsonl')), 'does not exist, create it first');
});

test('JsonlAppender: one write() per record; fdatasync bounded by syncIntervalMs and on close', (t) => {
  const dir = tempDir(t);
  let writes = 0, syncs = 0;
  const realWrite = fs.writeSync, realSync = fs.fdatasyncSync;
  mockFs(t, 'writeSync', ((...args: Parameters<typeof fs.writeSync>) => { writes++; return (realWrite as (...a: unknown[]) => number)(...args); }) as typeof fs.writeSync);
  mockFs(t, 'fdatasyncSync', ((fd: number) => { syncs++; realSync(fd); }) as typeof fs.fdatasyncSync);

  const lazy = new JsonlAppender(join(dir, 'a.jsonl'), { syncIntervalMs: 60_000 });
  for (let i = 0; i < 50; i++) lazy.append({ i, pad: 'x'.repeat(i * 10) });
  assert.equal(writes, 50);
  assert.equal(syncs, 0);
  lazy.close();
  assert.equal(syncs, 1);

  writes = 0; syncs = 0;
  const eager = new JsonlAppender(join(dir, 'b.jsonl'), { syncIntervalMs: 0 });
  for (let i = 0; i < 5; i++) eager.append({ i });
  eager.close();
  assert.equal(writes, 5);
  assert.equal(syncs, 5);
});

test('JsonlAppender: SIGKILL loses no record whose append() returned', async (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'metrics.jsonl');
  let reported = -1;
  await runAndKill(`
    const log = new files.JsonlAppender(${JSON.stringify(p)});
    for (let i = 0; ; i++) { log.append({ step: i, pad: 'y'.repeat(i % 5000) }); process.stdout.write(i + '\\n'); }
  `, 150, (s) => {
    const nums = s.trim().split('\n').map(Number).filter(Number.isFinite);
    if (nums.length) reported = Math.max(reported, nums[nums.length - 1]);
  });
  const { records, dropped } = readJsonl<{ step: number }>(p);
  assert.ok(dropped <= 1);
  assert.ok(reported > 0, 'the child appended nothing');
  assert.ok(records.length >= reported + 1, `${records.length} records on disk, but append() returned for ${reported + 1}`);
  records.forEach((r, i) => assert.equal(r.step, i));
});

test('JsonlAppender per-record cost (measured)', (t) => {
  const dir = tempDir(t);
  const n = 3000;
  const rec = (i: number) => ({ step: i, epoch: 1, split: 'train', name: 'loss', value: 0.2345678, time: 1712345678.123 });
  const measure = (opts: { syncIntervalMs?: number }, count: number) => {
    const p = join(dir, `m${Math.random()}.jsonl`);
    const log = new JsonlAppender(p, opts);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) log.append(rec(i));
    const us = Number(process.hrtime.bigint() - t0) / 1000 / count;
    log.close();
    assert.equal(readJsonl(p).records.length, count);
    return us;
  };
  const normal = measure({}, n);
  const everyRecord = measure({ syncIntervalMs: 0 }, 200);
  t.diagnostic(`append: ${normal.toFixed(1)} us/record (default); ${everyRecord.toFixed(1)} us/record with an fdatasync per record`);
  assert.ok(normal < 200, `append took ${normal} us/record`);
  assert.ok(existsSync(dir));
});
