// Live following over server-sent events: one poller per followed run, shared by all of its
// clients. The poller reads only the appended bytes (through the run's MetricsReader) and tells
// each client how many records there are now; the page then re-queries what it shows. When the
// last client of a run disconnects its timer is cleared, so nothing leaks.
import type { ServerResponse } from 'node:http';
import type { RunDirectory } from './run-directory.js';

interface Follower {
  run: RunDirectory;
  clients: Set<ServerResponse>;
  timer: NodeJS.Timeout;
  records: number;
  status: string;
}

export class LiveFollow {
  private readonly followers = new Map<string, Follower>();

  constructor(private readonly pollMs = 250) {}

  /** Starts an event stream for `run` on `res`; it ends when the client goes away. */
  add(run: RunDirectory, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    let f = this.followers.get(run.id);
    if (!f) {
      const set = run.series();
      const created: Follower = { run, clients: new Set(), records: set.records, status: run.status, timer: setInterval(() => this.poll(created), this.pollMs) };
      f = created;
      this.followers.set(run.id, f);
    }
    f.clients.add(res);
    const follower = f;
    res.write(`retry: 1000\nevent: records\ndata: ${JSON.stringify({ records: f.records, status: f.status })}\n\n`);
    const drop = (): void => this.drop(follower, res);
    res.on('close', drop);
    res.on('error', drop);
  }

  private poll(f: Follower): void {
    const records = f.run.series().records;
    const status = f.run.status;
    if (records === f.records && status === f.status) return;
    f.records = records;
    f.status = status;
    const msg = `event: records\ndata: ${JSON.stringify({ records, status })}\n\n`;
    for (const res of f.clients) res.write(msg);
  }

  private drop(f: Follower, res: ServerResponse): void {
    f.clients.delete(res);
    if (f.clients.size === 0 && this.followers.get(f.run.id) === f) {
      clearInterval(f.timer);
      this.followers.delete(f.run.id);
    }
  }

  /** Runs followed and clients connected now (the leak test reads this). */
  stats(): { runs: number; clients: number } {
    let clients = 0;
    for (const f of this.followers.values()) clients += f.clients.size;
    return { runs: this.followers.size, clients };
  }

  close(): void {
    for (const f of this.followers.values()) {
      clearInterval(f.timer);
      for (const res of f.clients) res.end();
    }
    this.followers.clear();
  }
}
