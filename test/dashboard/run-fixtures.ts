// Run directories written by hand for dashboard tests: the same files `tradecraft train`
// writes (run.json, metrics.jsonl, summary.json), with chosen contents and chosen damage.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export function writeRun(root: string, id: string, o: { steps?: number; status?: string; hparams?: Record<string, unknown>; summary?: Record<string, unknown>; heartbeatAt?: string } = {}): string {
  const dir = join(root, id);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  const now = new Date().toISOString();
  writeFileSync(join(dir, 'run.json'), JSON.stringify({
    id, experiment: 'mnist-mlp', hparams: o.hparams ?? { lr: 0.001, seed: 0 }, seed: 0, backend: 'js', versions: {},
    status: o.status ?? 'completed', createdAt: now, updatedAt: now, heartbeatAt: o.heartbeatAt,
  }));
  const lines: string[] = [];
  for (let step = 1; step <= (o.steps ?? 10); step++) lines.push(JSON.stringify({ step, epoch: 1, split: 'train', name: 'batch_loss', value: 2 / step, time: 1000 + step }));
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  if (o.summary) writeFileSync(join(dir, 'summary.json'), JSON.stringify(o.summary));
  return dir;
}

export function appendRecords(dir: string, from: number, count: number, name = 'batch_loss'): void {
  const lines: string[] = [];
  for (let step = from; step < from + count; step++) lines.push(JSON.stringify({ step, epoch: 1, split: 'train', name, value: 2 / step, time: 1000 + step }));
  appendFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
}

export interface Reply { status: number; headers: IncomingHttpHeaders; body: string }

/** GET with chosen headers (node:http sends the path as given, without normalizing it). */
export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes and returns the status line (for requests no HTTP client would send). */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => { data += c; });
    socket.on('end', () => resolve(data.split('\r\n')[0]));
    socket.on('error', reject);
    setTimeout(() => { socket.destroy(); resolve(data.split('\r\n')[0]); }, 2000);
  });
}
