import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs, UsageError } from './args.js';
import { isLoopback } from '../dashboard/server/security.js';

const flags = {
  port: { type: 'int', min: 0, max: 65535, help: 'port (default 6006, or the next free one)' },
  host: { type: 'string', help: 'address to bind (default 127.0.0.1); a non-loopback address gets a token' },
  'no-token': { type: 'boolean', help: 'serve a non-loopback address without a token (anyone who can reach it sees your runs)' },
  json: { type: 'boolean', help: 'print {"url": ...} as the first stdout line once listening' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** `tradecraft dashboard [RUNS_DIR]`: serves the live dashboard until Ctrl-C. */
export async function dashboardCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'runs', required: false }]);
  if (f.help) {
    console.log('usage: tradecraft dashboard [RUNS_DIR] [--port N] [--host ADDR] [--no-token] [--json]\n\n' +
      'Serves a read-only dashboard over RUNS_DIR (default runs) at http://127.0.0.1:6006 while runs are written. Ctrl-C stops it.\n' +
      'Study folders of prune and repro are read from studies/ beside RUNS_DIR (the Pruning & repros page).');
    return 0;
  }
  const runsDir = resolve(positionals.runs ?? 'runs');
  if (!existsSync(runsDir)) throw new UsageError(`no runs directory ${runsDir}; train something first (tradecraft train mnist-mlp) or pass the folder that holds your runs`);
  const host = f.host ?? '127.0.0.1';
  if (f['no-token'] && isLoopback(host)) console.error('tradecraft dashboard: --no-token has no effect on a loopback address (there is no token there)');
  const { startDashboard } = await import('../dashboard/server/http-server.js');
  const server = await startDashboard({ runsDir, host, port: f.port ?? 6006, token: f['no-token'] ? false : undefined });
  if (f.json) console.log(JSON.stringify({ url: server.url, port: server.port, runsDir }));
  else {
    console.log(`tradecraft dashboard: serving ${runsDir}`);
    console.log(`open ${server.url}`);
    if (server.token) console.log('(the token in that URL protects this non-loopback address; share it only with people who may see these runs)');
    console.log('Ctrl-C to stop');
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (!f.json) console.log('tradecraft dashboard: stopped');
  return 0;
}
