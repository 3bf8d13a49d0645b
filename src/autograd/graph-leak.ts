/**
 * Graph-leak detection. Every recorded op is stamped with the optimizer-step generation it was
 * built in; optimizer.step() starts a new generation. An op that takes an input whose graph
 * was built in an earlier generation is carrying a graph across steps — the classic
 * `running = running + loss` bug, which keeps every step's graph (and memory) alive. It costs
 * one integer comparison per op input.
 */
export type GraphLeakMode = 'off' | 'warn' | 'error';

let generation = 0;
let mode: GraphLeakMode = 'warn';
const reported = new Set<string>();
let sink: (message: string) => void = (m) => console.warn(m);

export function currentGeneration(): number {
  return generation;
}

/** Called by optimizers after each update. */
export function advanceGeneration(): void {
  generation++;
}

export function setGraphLeakMode(m: GraphLeakMode): void {
  if (m !== 'off' && m !== 'warn' && m !== 'error') throw new Error(`setGraphLeakMode: expected 'off', 'warn' or 'error', got '${String(m)}'`);
  mode = m;
  reported.clear();
}

export function getGraphLeakMode(): GraphLeakMode {
  return mode;
}

export function setGraphLeakSink(fn: (message: string) => void): () => void {
  const prev = sink;
  sink = fn;
  return () => { sink = prev; };
}

export class GraphLeakError extends Error {
  override name = 'GraphLeakError';
}

export function reportGraphLeak(op: string, inputOp: string, age: number): void {
  if (mode === 'off') return;
  const message =
    `graph leak: '${op}' uses the result of '${inputOp}', whose graph was built ${age} optimizer step${age === 1 ? '' : 's'} ago. ` +
    'Keeping a tensor with its graph across steps (e.g. `running = running.add(loss)`) keeps every step\'s graph in memory. ' +
    'Use loss.item() to accumulate a number, or loss.detach() to keep a tensor without its graph.';
  if (mode === 'error') throw new GraphLeakError(message);
  const key = `${op}<-${inputOp}`;
  if (reported.has(key)) return;
  reported.add(key);
  sink(message);
}
