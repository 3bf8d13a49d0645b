import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server/http-server.js';
import { tempDir } from '../helpers.js';
import { appendRecords, get, writeRun } from './run-fixtures.js';

const servers: DashboardServer[] = [];
after(async () => { for (const s of servers) await s.close(); });

test('a corrupt or half-written run shows an error for itself only', async () => {
  const runs = tempDir('tc-dash-bad-');
  writeRun(runs, 'a-good', { summary: { testAccuracy: 0.9, testAccuracyCI: [0.88, 0.92], history: [{ epoch: 1, val_accuracy: 0.85, val_accuracy_n: 1000, val_loss: 0.4 }] } });
  const truncated = writeRun(runs, 'b-truncated-line');
  appendFileSync(join(truncated, 'metrics.jsonl'), '{"step": 11, "epoch": 1, "spl');
  const noInfo = writeRun(runs, 'c-no-run-json');
  rmSync(join(noInfo, 'run.json'));
  const garbage = writeRun(runs, 'd-non-json-line');
  appendFileSync(join(garbage, 'metrics.jsonl'), 'this is not json\n');
  appendRecords(garbage, 11, 2);
  const badInfo = writeRun(runs, 'e-corrupt-run-json');
  writeFileSync(join(badInfo, 'run.json'), '{"id": "e", "hpar');
  const doomed = writeRun(runs, 'f-deleted-while-open');
  const s = await startDashboard({ runsDir: runs, port: 0, listTtlMs: 0 });
  servers.push(s);
  assert.equal((await get(s.port, '/api/run/info?id=f-deleted-while-open')).status, 200);
  rmSync(doomed, { recursive: true });

  const list = JSON.parse((await get(s.port, '/api/runs/list')).body) as { runs: Array<{ id: string; status: string; error: string | null; best: { value: number; interval: { lo: number; hi: number } } | null; test: { accuracy: number; lo: number } | null }> };
  const byId = Object.fromEntries(list.runs.map((r) => [r.id, r]));
  assert.deepEqual(Object.keys(byId).sort(), ['a-good', 'b-truncated-line', 'c-no-run-json', 'd-non-json-line', 'e-corrupt-run-json']);
  assert.equal(byId['a-good'].error, null);
  assert.equal(byId['a-good'].best!.value, 0.85);
  assert.ok(Math.abs(byId['a-good'].best!.interval.lo - 0.8271) < 1e-3, `Wilson lower bound for 850/1000: ${byId['a-good'].best!.interval.lo}`);
  assert.equal(byId['a-good'].test!.lo, 0.88);
  assert.equal(byId['b-truncated-line'].error, null, 'a line still being written is not an error');
  assert.equal(byId['c-no-run-json'].status, 'unreadable');
  assert.match(byId['c-no-run-json'].error!, /run\.json is missing/);
  assert.equal(byId['e-corrupt-run-json'].status, 'unreadable');
  assert.match(byId['e-corrupt-run-json'].error!, /run\.json is not valid JSON/);

  const d = JSON.parse((await get(s.port, '/api/run/info?id=d-non-json-line')).body) as { records: number; error: string };
  assert.equal(d.records, 12, 'the records after the bad line still load');
  assert.match(d.error, /1 unreadable line skipped \(first: line 11 is not valid JSON\)/);
  const b = JSON.parse((await get(s.port, '/api/run/series?id=b-truncated-line&metric=batch_loss')).body) as { x: number[] };
  assert.equal(b.x.length, 10);
  assert.equal((await get(s.port, '/api/run/info?id=f-deleted-while-open')).status, 404);
  assert.equal((await get(s.port, '/api/run/info?id=a-good')).status, 200);
});

function openEvents(port: number, run: string): Promise<{ events: string[]; close: () => void; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/events?run=${run}`, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      const events: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => { for (const m of c.matchAll(/data: (.*)\n/g)) events.push(m[1]); });
      const closed = new Promise<void>((done) => res.on('close', () => done()));
      resolve({ events, close: () => req.destroy(), closed });
    });
    req.on('error', reject);
    req.end();
  });
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('50 clients follow live runs at once; when they disconnect their timers and handles are gone', async () => {
  const runs = tempDir('tc-dash-live-');
  const dirs = [writeRun(runs, 'live-a', { status: 'running', heartbeatAt: new Date().toISOString() }), writeRun(runs, 'live-b', { status: 'running', heartbeatAt: new Date().toISOString() })];
  const s = await startDashboard({ runsDir: runs, port: 0, pollMs: 50 });
  servers.push(s);
  await get(s.port, '/api/runs/list'); // warm up lazily created state before counting
  await new Promise((r) => setTimeout(r, 100));
  const fdsBefore = openFds(), timersBefore = timers();
  const clients = await Promise.all(Array.from({ length: 50 }, (_, k) => openEvents(s.port, k % 2 ? 'live-b' : 'live-a')));
  assert.deepEqual({ runs: s.stats().runs, clients: s.stats().clients }, { runs: 2, clients: 50 });
  assert.equal(timers(), timersBefore + 2, 'one poller per followed run, not per client');
  appendRecords(dirs[0], 11, 5);
  appendRecords(dirs[1], 11, 7);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && clients.some((c, k) => !c.events.some((e) => e.includes(`"records":${k % 2 ? 17 : 15}`)))) await new Promise((r) => setTimeout(r, 20));
  clients.forEach((c, k) => assert.ok(c.events.some((e) => e.includes(`"records":${k % 2 ? 17 : 15}`)), `client ${k} saw the new records: ${c.events.join(' | ')}`));
  for (const c of clients) c.close();
  await Promise.all(clients.map((c) => c.closed));
  const until = Date.now() + 3000;
  while (Date.now() < until && (s.stats().clients > 0 || s.stats().connections > 0)) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(s.stats(), { runs: 0, clients: 0, connections: 0 });
  assert.equal(timers(), timersBefore, 'the pollers were cleared');
  assert.ok(openFds() <= fdsBefore, `file descriptors: ${openFds()} now, ${fdsBefore} before`);
});
