import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server/http-server.js';
import { tempDir } from '../helpers.js';
import { get, rawRequest, writeRun } from './run-fixtures.js';

const root = tempDir('tc-dash-sec-');
const runs = join(root, 'runs');
mkdirSync(runs);
writeRun(runs, 'good-run');
// Outside the runs directory: a secret, and a run-looking directory reached by a symlink.
writeFileSync(join(root, 'secret.txt'), 'SECRET');
writeRun(root, 'outside-run');
symlinkSync(join(root, 'outside-run'), join(runs, 'escape'));

const servers: DashboardServer[] = [];
after(async () => { for (const s of servers) await s.close(); });
async function serve(o: Partial<Parameters<typeof startDashboard>[0]> = {}): Promise<DashboardServer> {
  const s = await startDashboard({ runsDir: runs, port: 0, ...o });
  servers.push(s);
  return s;
}

test('paths outside the runs directory get 4xx and serve nothing (.., encoded, absolute, symlinks out)', async () => {
  const { port } = await serve();
  const attempts = [
    '/../secret.txt', '/static/../../secret.txt', '/static/..%2f..%2fsecret.txt', '/static/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/%2e%2e/secret.txt', '/static/%2E%2E%5C..%5Csecret.txt', '/static//etc/passwd', '//etc/passwd',
    '/api/run/info?id=../secret.txt', '/api/run/info?id=..%2f..%2fsecret.txt', '/api/run/info?id=%2e%2e%2foutside-run',
    '/api/run/info?id=/etc', '/api/run/info?id=' + encodeURIComponent(join(root, 'outside-run')),
    '/api/run/info?id=escape', '/api/run/series?id=escape', '/events?run=../outside-run', '/static/app.js%00.png',
  ];
  for (const path of attempts) {
    const r = await get(port, path);
    assert.ok(r.status >= 400 && r.status < 500, `${path} -> ${r.status}`);
    assert.ok(!r.body.includes('SECRET') && !r.body.includes('outside-run"'), `${path} leaked: ${r.body.slice(0, 200)}`);
  }
  const list = JSON.parse((await get(port, '/api/runs/list')).body) as { runs: Array<{ id: string }> };
  assert.deepEqual(list.runs.map((r) => r.id), ['good-run'], 'the symlink that leads out is not a run');
});

test('malformed requests get 4xx and the server keeps serving', async () => {
  const { port } = await serve();
  assert.equal((await get(port, '/static/%zz')).status, 400);
  assert.equal((await get(port, '/api/run/series?id=good-run&smooth=2')).status, 400);
  assert.equal((await get(port, '/api/run/series?id=good-run&x=sideways')).status, 400);
  assert.equal((await get(port, '/api/run/series?id=good-run&points=abc')).status, 400);
  assert.equal((await get(port, '/api/run/info')).status, 400);
  assert.equal((await get(port, '/api/nope/route')).status, 404);
  assert.equal((await get(port, '/api/run/info?id=good-run', {}, 'POST')).status, 405);
  assert.match(await rawRequest(port, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await rawRequest(port, 'GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await rawRequest(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: x\r\n\r\n`), /^HTTP\/1\.1 400/);
  const ok = await get(port, '/api/run/info?id=good-run');
  assert.equal(ok.status, 200, 'still serving');
  assert.equal((JSON.parse(ok.body) as { records: number }).records, 10);
});

test('a Host or Origin naming another site is refused (DNS rebinding)', async () => {
  const { port } = await serve();
  assert.equal((await get(port, '/', { host: 'evil.example' })).status, 403);
  assert.equal((await get(port, '/', { host: `evil.example:${port}` })).status, 403);
  assert.equal((await get(port, '/api/runs/list', { origin: 'http://evil.example' })).status, 403);
  assert.equal((await get(port, '/api/runs/list', { origin: `http://127.0.0.1:${port}` })).status, 200);
  assert.equal((await get(port, '/', { host: `localhost:${port}` })).status, 200);
});

test('a non-loopback bind requires the token: 401 without it, 200 with it (URL once, then the cookie)', async () => {
  const s = await serve({ host: '0.0.0.0' });
  assert.ok(s.token && s.token.length >= 32);
  assert.match(s.url, new RegExp(`\\?token=${s.token}$`));
  assert.equal((await get(s.port, '/api/runs/list')).status, 401);
  assert.equal((await get(s.port, '/')).status, 401);
  assert.equal((await get(s.port, '/api/runs/list?token=wrong')).status, 401);
  const first = await get(s.port, `/?token=${s.token}`);
  assert.equal(first.status, 200);
  const cookie = String(first.headers['set-cookie']).split(';')[0];
  assert.match(cookie, /^tradecraft_token=/);
  assert.equal((await get(s.port, '/api/runs/list', { cookie })).status, 200);
  assert.equal((await get(s.port, '/events?run=good-run', { authorization: 'Bearer nope' })).status, 401);
  const open = await serve({ host: '0.0.0.0', token: false });
  assert.equal(open.token, null);
  assert.equal((await get(open.port, '/api/runs/list')).status, 200, '--no-token serves without one');
});

test('the page and its assets come from the package; nothing names another host', async () => {
  const { port } = await serve();
  const page = await get(port, '/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  const js = await get(port, '/static/app.js');
  assert.equal(js.status, 200);
  assert.ok(js.body.length > 30_000, 'the bundle includes uPlot');
  assert.doesNotMatch(page.body, /(src|href)="https?:/);
  assert.doesNotMatch(js.body, /fetch\("https?:|import\("https?:/);
});
