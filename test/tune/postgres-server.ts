import { spawnSync } from 'node:child_process';
import { mkdtempSync, chownSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_BIN } from '../external.js';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface PostgresServer { url: string; stop(): void }

/**
 * Starts a throwaway PostgreSQL cluster in a temporary directory (initdb + pg_ctl, trust
 * authentication, TCP on 127.0.0.1 only). PostgreSQL refuses to run as root, so under root the
 * cluster belongs to the unprivileged `postgres` user (runuser).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tc-pg-'));
  const data = join(dir, 'data'), sock = join(dir, 'sock');
  mkdirSync(sock);
  const owner = root ? Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : -1;
  const group = root ? Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : -1;
  if (root) { chownSync(dir, owner, group); chownSync(sock, owner, group); }
  const as = (cmd: string, args: string[]) => {
    const r = root ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const user = root ? 'postgres' : userInfo().username;
  as(`${POSTGRES_BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', user, '--no-sync']);
  const port = await freePort();
  as(`${POSTGRES_BIN}/pg_ctl`, ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try { as(`${POSTGRES_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
  process.on('exit', stop);
  return { url: `postgres://${user}@127.0.0.1:${port}/postgres`, stop };
}
