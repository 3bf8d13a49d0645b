/**
 * How node should be started for training: one V8 heap setting, found by measurement.
 *
 * A training step keeps its tensors' data outside V8's heap (ArrayBuffers) and only small
 * objects inside it, so a plain training loop's live heap stays small (~8 MB for the MNIST
 * MLP). After a major GC V8 sets the old generation's limit to about the live size + 8 MB + the
 * young generation's size at that moment, and starts incremental marking again whenever less
 * than the young generation's target size is left below that limit. With a small heap and a
 * young generation that has not reached its target that holds right after every major GC, so
 * major GCs ran back to back (62 in 2,811 MLP steps, one every ~40 ms), each with a concurrent
 * marker on the core the native backend's second thread needs. A larger initial heap puts a
 * floor under the limit: 6 major GCs in 9,370 steps, and the MLP trained about 30% faster
 * (README, Performance). The Trainer's loop keeps more alive (12-13 MB) and did not fall into
 * it: for it the setting is insurance, not a speed-up.
 */

/** The node option that avoids it (V8 refuses it in NODE_OPTIONS: pass it to node itself). */
export const TRAINING_HEAP_FLAG = '--initial-heap-size=64';

/** Initial heap sizes (MB) from which the floor held in the measurement (32 did not, 48 did). */
const MIN_INITIAL_HEAP_MB = 48;
/** Young generations this small never reach the margin (1-2 MB semi-spaces: 19-20 major GCs in 2,811 steps). */
const MAX_SEMI_SPACE_MB = 2;

/** `--name=value` or `--name value` in a list of node options (V8 also accepts `_` for `-`). */
function optionValue(args: readonly string[], name: string): number | null {
  const norm = (s: string): string => s.replace(/_/g, '-');
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const key = norm(eq < 0 ? a : a.slice(0, eq));
    if (key !== name) continue;
    const raw = eq < 0 ? args[i + 1] : a.slice(eq + 1);
    const v = Number(raw);
    if (raw !== undefined && raw !== '' && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * The option among node's arguments (`execArgv`) and NODE_OPTIONS that keeps V8 from the
 * back-to-back major GCs, or null when there is none. Both default to this process's (Node only).
 */
export function trainingHeapOption(
  execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string | null {
  const fromEnv = nodeOptions.split(/\s+/).filter((s) => s !== '');
  for (const name of ['--initial-heap-size', '--initial-old-space-size']) {
    const v = optionValue(execArgv, name);
    if (v !== null && v >= MIN_INITIAL_HEAP_MB) return `${name}=${v}`;
  }
  for (const args of [execArgv, fromEnv]) {
    const v = optionValue(args, '--max-semi-space-size');
    if (v !== null && v > 0 && v <= MAX_SEMI_SPACE_MB) return `--max-semi-space-size=${v}`;
  }
  return null;
}
