import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Run, type RunInfo } from '../../src/track/run-store.js';
import { Heartbeat, stillRunning } from '../../src/track/heartbeat.js';
import { tempDir } from '../helpers.js';

const info = (o: Partial<RunInfo>): RunInfo => ({
  id: 'r', experiment: 'e', hparams: {}, seed: 0, backend: 'js', versions: {}, status: 'running',
  createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), heartbeatAt: new Date().toISOString(), ...o,
});

test('stillRunning: a live process on this host or a fresh heartbeat elsewhere blocks a resume; a dead pid or a stale beat does not', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  await new Promise((r) => child.on('spawn', r));
  assert.match(stillRunning(info({ pid: child.pid, host: hostname() }))!, new RegExp(`process ${child.pid} is still alive`));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.equal(stillRunning(info({ pid: child.pid, host: hostname() })), null, 'killed: resumable at once, fresh heartbeat or not');
  assert.match(stillRunning(info({ pid: 1, host: 'other-host' }))!, /running on other-host/);
  const old = new Date(Date.now() - 3_600_000).toISOString();
  assert.equal(stillRunning(info({ pid: 1, host: 'other-host', heartbeatAt: old })), null, 'stale beat: crashed');
  assert.equal(stillRunning(info({ pid: 1, host: 'other-host', status: 'interrupted' })), null);
});

test('Heartbeat records pid and host and rewrites heartbeatAt when due', async () => {
  const run = Run.create(tempDir('hb-'), { experiment: 'e', hparams: {}, seed: 0, backend: 'js', versions: {} });
  const hb = new Heartbeat(run, 30).start();
  const first = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as RunInfo;
  assert.equal(first.pid, process.pid);
  assert.equal(first.host, hostname());
  await new Promise((r) => setTimeout(r, 80));
  hb.stop();
  const later = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as RunInfo;
  assert.ok(Date.parse(later.heartbeatAt!) > Date.parse(first.heartbeatAt!), `${later.heartbeatAt} after ${first.heartbeatAt}`);
});
