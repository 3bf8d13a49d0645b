import { getBroadcastMode, setBroadcastMode, setBroadcastWarningSink } from '../tensor/broadcast-mode.js';

/**
 * Suspicious broadcasting: runs fn with the broadcast mode at 'warn' and collects the
 * warnings instead of printing them. The classic case is predictions (N, 1) minus targets (N),
 * which silently broadcasts to (N, N) and averages the wrong thing. The previous mode and
 * sink are restored afterwards, even if fn throws.
 */
export function collectBroadcastWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  const prevMode = getBroadcastMode();
  const restoreSink = setBroadcastWarningSink((m) => { warnings.push(m); });
  setBroadcastMode('warn');
  try {
    const result = fn();
    return { result, warnings };
  } finally {
    setBroadcastMode(prevMode);
    restoreSink();
  }
}
