// The body of HeartbeatThread (heartbeat.ts): beats for this process's running trials and reaps
// other workers' stale ones, on its own connection and its own event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from './open-store.js';

const { storage, studyId, intervalMs, graceMs, maxRetries } = workerData as { storage: string; studyId: number; intervalMs: number; graceMs: number; maxRetries: number };
const store = openStore(storage);
let ids: number[] = [];
let busy = false;
let stopped = false;

async function beat(): Promise<void> {
  if (busy || stopped) return;
  busy = true;
  try {
    await store.heartbeat(ids);
    const reaped = await store.reapStale(studyId, graceMs, maxRetries);
    if (reaped.length) parentPort!.postMessage({ reaped });
  } catch {
    // A transient database error (server restart, lock timeout): the next beat retries.
  } finally {
    busy = false;
  }
}

const timer = setInterval(() => { void beat(); }, intervalMs);
parentPort!.on('message', (m: { ids?: number[]; stop?: boolean }) => {
  if (m.ids) {
    const fresh = m.ids.some((i) => !ids.includes(i));
    ids = m.ids;
    if (fresh) void beat();
  }
  if (m.stop) {
    stopped = true;
    clearInterval(timer);
    void store.close().finally(() => process.exit(0));
  }
});
