import type { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import type { TensorDataset } from './dataset.js';

export interface Batch {
  x: Tensor;
  y: Tensor;
  /** Dataset positions of the examples in this batch. */
  indices: Int32Array;
}

/** Applied to each training batch (augmentation); gets its own seeded generator. */
/** An iterator that never finishes: `next().value` is always a batch. */
export type EndlessBatches = globalThis.Generator<Batch & { epoch: number }, never>;

export type BatchTransform = (x: Tensor, g: Generator) => Tensor;

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  seed?: number;
  transform?: BatchTransform;
}

/**
 * Batches over a TensorDataset. With shuffle, the order of epoch e is a permutation drawn
 * from (seed, e) alone, so a resumed run sees exactly the batches the uninterrupted run saw.
 */
export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  private epoch = 0;

  constructor(readonly dataset: TensorDataset, private readonly o: DataLoaderOptions = {}) {
    this.batchSize = o.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${o.batchSize}`);
    this.shuffle = o.shuffle ?? false;
    this.dropLast = o.dropLast ?? false;
    this.seed = o.seed ?? 0;
  }

  /** Selects the epoch whose shuffle order the next iteration uses. */
  setEpoch(epoch: number): this {
    this.epoch = epoch;
    return this;
  }

  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  order(): Int32Array {
    const n = this.dataset.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (this.shuffle) new Generator(mixSeed(this.seed, this.epoch)).shuffle(idx);
    return idx;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    yield* this.batchesFrom(0);
  }

  /**
   * Batches without end, epoch after epoch from `firstEpoch` (each with its epoch), for loops
   * that run a fixed number of steps whatever the epoch length: range tests, sweeps, probes.
   */
  *endless(firstEpoch = 0): EndlessBatches {
    if (this.length === 0) throw new RangeError('DataLoader: the dataset is empty (or smaller than one batch with dropLast), so there is no batch to repeat');
    for (let epoch = firstEpoch; ; epoch++) {
      this.setEpoch(epoch);
      for (const b of this.batchesFrom(0)) yield { ...b, epoch };
    }
  }

  /**
   * The epoch's batches from batch `start` on (a run resumed mid-epoch). The batches before it
   * are skipped, except that an augmentation still draws their random numbers, so batch `start`
   * is transformed exactly as in the uninterrupted epoch.
   */
  *batchesFrom(start: number): IterableIterator<Batch> {
    const idx = this.order();
    const augment = this.o.transform ? new Generator(mixSeed(this.seed + 7919, this.epoch)) : null;
    for (let b = 0; b < this.length; b++) {
      const indices = idx.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, idx.length));
      if (b < start && !augment) continue;
      const { x, y } = this.dataset.rows(indices);
      const xt = augment ? this.o.transform!(x, augment) : x;
      if (b >= start) yield { x: xt, y, indices };
    }
  }
}

function mixSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(epoch + 1, 0x165667b1)) >>> 0;
}
