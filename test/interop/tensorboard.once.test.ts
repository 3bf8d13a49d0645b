// TensorBoard event files: CRC-32C against the specification's test vectors, TFRecord framing
// checked by an independent bitwise CRC, records decoded by protoc --decode_raw, a run exported,
// and `train --tensorboard` writing events as it trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c, maskedCrc32c } from '../../src/interop/tensorboard/crc32c.js';
import { readTfrecords } from '../../src/interop/tensorboard/tfrecord.js';
import { decodeEvent } from '../../src/interop/tensorboard/event.js';
import { EventFileWriter } from '../../src/interop/tensorboard/event-writer.js';
import { exportRunToTensorBoard } from '../../src/interop/tensorboard/export-run.js';
import { Run } from '../../src/track/run-store.js';
import { TensorBoardCallback } from '../../src/interop/tensorboard/callback.js';
import { requireExternal } from '../external.js';
import { tempDir } from '../helpers.js';

/** CRC-32C bit by bit from the polynomial (no table): an independent check on the table version. */
function bitwiseCrc32c(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return ~c >>> 0;
}
const mask = (c: number): number => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

test('CRC-32C matches the test vectors of RFC 3720 appendix B.4', () => {
  const asc = Uint8Array.from({ length: 32 }, (_, i) => i);
  const desc = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(asc), 0x46dd794e);
  assert.equal(crc32c(desc), 0x113fdb5c);
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283, 'the CRC catalogue check value');
  for (const v of [asc, desc, new Uint8Array(0)]) assert.equal(crc32c(v), bitwiseCrc32c(v));
});

function hasProtoc(): boolean {
  return spawnSync('protoc', ['--version'], { encoding: 'utf8' }).status === 0;
}

function decodeRaw(payload: Uint8Array): string {
  const r = spawnSync('protoc', ['--decode_raw'], { input: payload, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Walks the file's framing by hand, checking both CRCs with the bitwise implementation. */
function framedPayloads(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = Number(view.getBigUint64(at, true));
    assert.equal(view.getUint32(at + 8, true), mask(bitwiseCrc32c(bytes.subarray(at, at + 8))), `length CRC at ${at}`);
    const payload = bytes.subarray(at + 12, at + 12 + len);
    assert.equal(view.getUint32(at + 12 + len, true), mask(bitwiseCrc32c(payload)), `payload CRC at ${at}`);
    out.push(payload);
    at += 16 + len;
  }
  return out;
}

test('event file: file_version first, one Event per scalar, CRCs check, protoc --decode_raw reads every record', (t) => {
  const dir = tempDir('tc-tb-');
  const w = new EventFileWriter(dir, 1700000000.5);
  w.scalar('val/loss', 0.25, 7, 1700000001.25);
  w.scalar('train/batch_loss', 1.5, 8, 1700000002);
  w.close();
  assert.match(w.path, /events\.out\.tfevents\.1700000000\.[^/]+$/);
  const bytes = new Uint8Array(readFileSync(w.path));
  const payloads = framedPayloads(bytes);
  assert.equal(payloads.length, 3);
  assert.deepEqual(readTfrecords(bytes).length, 3);
  assert.deepEqual(decodeEvent(payloads[0]), { wall_time: 1700000000.5, file_version: 'brain.Event:2' });
  assert.deepEqual(decodeEvent(payloads[1]), { wall_time: 1700000001.25, step: 7, summary: { value: [{ tag: 'val/loss', simple_value: 0.25 }] } });
  const broken = bytes.slice();
  broken[bytes.length - 6] ^= 1;
  assert.throws(() => readTfrecords(broken), /payload CRC mismatch/);
  assert.notEqual(maskedCrc32c(payloads[1]), crc32c(payloads[1]), 'stored CRCs are masked');

  if (!requireExternal(t, 'protoc', hasProtoc(), 'apt-get install protobuf-compiler')) return;
  assert.match(decodeRaw(payloads[0]), /^1: 0x41d954fc40200000\n3: "brain\.Event:2"\n$/);
  // simple_value 0.25 is the float32 0x3e800000; the step is field 2, the summary field 5.
  assert.match(decodeRaw(payloads[1]), /^1: 0x[0-9a-f]{16}\n2: 7\n5 \{\n {2}1 \{\n {4}1: "val\/loss"\n {4}2: 0x3e800000\n {2}\}\n\}\n$/);
});

test('exportRunToTensorBoard: every metric record as a scalar at its step, test metrics and the hparams table', () => {
  const root = tempDir('tc-tb-run-');
  const run = Run.create(root, { experiment: 'demo', hparams: { lr: 0.01, hidden: 32 }, seed: 3, backend: 'js', versions: {} });
  for (let step = 1; step <= 4; step++) run.log({ step, epoch: step <= 2 ? 1 : 2, split: 'train', name: 'batch_loss', value: 1 / step });
  run.log({ step: 2, epoch: 1, split: 'val', name: 'val_loss', value: 0.7 });
  run.log({ step: 4, epoch: 2, split: 'val', name: 'val_loss', value: 0.5 });
  run.log({ step: 4, epoch: 2, split: 'val', name: 'val_accuracy', value: 0.9 });
  run.writeSummary({ testAccuracy: 0.875, testLoss: 0.4 });
  run.close();
  const out = join(root, 'tb');
  const r = exportRunToTensorBoard(run.dir, out);
  assert.deepEqual(r.tags, ['test/accuracy', 'test/loss', 'train/batch_loss', 'val/accuracy', 'val/loss']);
  assert.equal(r.scalars, 9);
  assert.deepEqual(readdirSync(out), [r.path.slice(out.length + 1)]);
  const events = readTfrecords(new Uint8Array(readFileSync(r.path))).map(decodeEvent) as Array<{ step: number; summary?: { value: Array<{ tag: string; simple_value?: number; tensor?: { string_val: Uint8Array[] } }> } }>;
  assert.equal(events.length, 1 + 1 + 9);
  const scalars = events.slice(2).map((e) => [e.summary!.value[0].tag, e.step, Number(e.summary!.value[0].simple_value!.toFixed(6))]);
  assert.deepEqual(scalars, [
    ['train/batch_loss', 1, 1], ['train/batch_loss', 2, 0.5], ['val/loss', 2, 0.7], ['train/batch_loss', 3, 0.333333],
    ['train/batch_loss', 4, 0.25], ['val/loss', 4, 0.5], ['val/accuracy', 4, 0.9], ['test/accuracy', 4, 0.875], ['test/loss', 4, 0.4],
  ]);
  const text = new TextDecoder().decode(events[1].summary!.value[0].tensor!.string_val[0]);
  assert.equal(events[1].summary!.value[0].tag, 'hparams');
  assert.match(text, /\| hparams\.lr \| 0\.01 \|\n\| hparams\.hidden \| 32 \|/);
});

test('TensorBoardCallback writes each record once, as it is appended to the run log', () => {
  const root = tempDir('tc-tb-live-');
  const run = Run.create(root, { experiment: 'live', hparams: { lr: 0.1 }, seed: 0, backend: 'js', versions: {} });
  const cb = new TensorBoardCallback(run, join(root, 'tb'));
  assert.equal(cb.flush(), 0);
  run.log({ step: 1, epoch: 1, split: 'train', name: 'batch_loss', value: 2 });
  run.log({ step: 1, epoch: 1, split: 'train', name: 'lr', value: 0.1 });
  assert.equal(cb.flush(), 2);
  assert.equal(cb.flush(), 0, 'nothing new');
  run.log({ step: 2, epoch: 1, split: 'train', name: 'batch_loss', value: 1 });
  run.log({ step: 2, epoch: 1, split: 'val', name: 'val_loss', value: 1.5 });
  cb.onEpochEnd({ epoch: 1, metrics: {}, stop: false });
  cb.finish({ accuracy: 0.5, loss: 1.25 }, 2);
  run.close();
  const events = readTfrecords(new Uint8Array(readFileSync(cb.writer.path))).map(decodeEvent) as Array<{ step?: number; summary?: { value: Array<{ tag: string; simple_value?: number }> } }>;
  assert.deepEqual(events.slice(2).map((e) => [e.summary!.value[0].tag, e.step, e.summary!.value[0].simple_value]), [
    ['train/batch_loss', 1, 2], ['train/lr', 1, Math.fround(0.1)], ['train/batch_loss', 2, 1], ['val/loss', 2, 1.5],
    ['test/accuracy', 2, 0.5], ['test/loss', 2, 1.25],
  ]);
});

test('train --tensorboard writes per-step and per-epoch scalars, the test result and the hyperparameters', (t) => {
  const out = tempDir('tc-tb-train-');
  const tb = join(out, 'tb');
  const r = spawnSync(process.execPath, ['bin/tradecraft.js', 'train', 'mnist-mlp', '--epochs', '2', '--set', 'limitTrain=1500', '--set', 'valSize=300',
    '--set', 'limitTest=500', '--set', 'hidden=32', '--out', out, '--tensorboard', tb], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /tensorboard: .*events\.out\.tfevents\./);
  const [file] = readdirSync(tb);
  const bytes = new Uint8Array(readFileSync(join(tb, file)));
  const events = framedPayloads(bytes).map(decodeEvent) as Array<{ step: number; file_version?: string; summary?: { value: Array<{ tag: string; simple_value?: number }> } }>;
  assert.equal(events[0].file_version, 'brain.Event:2');
  const byTag = new Map<string, Array<[number, number]>>();
  for (const e of events.slice(1)) for (const v of e.summary!.value) byTag.set(v.tag, [...(byTag.get(v.tag) ?? []), [e.step, v.simple_value ?? NaN]]);
  const steps = Math.ceil(1200 / 64);
  assert.equal(byTag.get('train/batch_loss')?.length, 2 * steps, 'one batch loss per step');
  assert.deepEqual(byTag.get('val/loss')?.map(([s]) => s), [steps, 2 * steps], 'validation loss once per epoch, at the epoch\'s last step');
  const runDir = join(out, readdirSync(out).find((d) => d.startsWith('mnist-mlp-'))!);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { testAccuracy: number };
  const [[, acc]] = byTag.get('test/accuracy')!;
  assert.equal(acc, Math.fround(summary.testAccuracy), 'the test accuracy of summary.json, as float32');
  assert.ok(byTag.has('hparams'));
  if (!requireExternal(t, 'protoc', hasProtoc(), 'apt-get install protobuf-compiler')) return;
  const raw = decodeRaw(framedPayloads(bytes)[5]);
  assert.match(raw, /5 \{\n {2}1 \{\n {4}1: "train\/[a-z_]+"\n {4}2: 0x[0-9a-f]{8}\n/);
});

test('tradecraft export RUN --format tensorboard writes the event file into --out (default RUN/tensorboard)', () => {
  const root = tempDir('tc-tb-cli-');
  const run = Run.create(root, { experiment: 'demo', hparams: { lr: 0.01 }, seed: 0, backend: 'js', versions: {} });
  run.log({ step: 1, epoch: 1, split: 'train', name: 'batch_loss', value: 0.5 });
  run.log({ step: 1, epoch: 1, split: 'val', name: 'val_accuracy', value: 0.75 });
  run.close();
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/tradecraft.js', 'export', run.dir, '--format', 'tensorboard', ...args], { encoding: 'utf8' });
  const out = join(root, 'tb');
  const r = cli(['--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { out, format: 'tensorboard', records: 2 });
  const [file] = readdirSync(out);
  assert.match(file, /^events\.out\.tfevents\.\d+\./);
  const events = readTfrecords(new Uint8Array(readFileSync(join(out, file)))).map(decodeEvent) as Array<{ summary?: { value: Array<{ tag: string; simple_value?: number }> } }>;
  assert.deepEqual(events.slice(2).map((e) => [e.summary!.value[0].tag, e.summary!.value[0].simple_value]), [['train/batch_loss', 0.5], ['val/accuracy', 0.75]]);
  const byDefault = cli([]);
  assert.equal(byDefault.status, 0, byDefault.stderr);
  assert.equal(readdirSync(join(run.dir, 'tensorboard')).length, 1);
});
