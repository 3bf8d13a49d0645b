/** `data`: datasets, loaders, scalers, transforms and readers. */
export { TensorDataset, takeRows, concatDatasets, type Dataset } from './dataset.js';
export { DataLoader, type Batch, type BatchTransform, type DataLoaderOptions } from './loader.js';
export { Standardizer, MinMaxScaler, LeakageError } from './scalers.js';
export { randomCrop, randomHorizontalFlip, gaussianNoise, compose } from './transforms.js';
export { parseIdx } from './idx.js';
export { mnist, type MnistOptions, type MnistSplits } from './mnist.js';
export {
  randomSplit, stratifiedSplit, orderedSplit, groupedSplit, kFold, splitDataset, describeSplit, describeFolds, indexHash,
  SplitError, type Split, type Fold, type SplitKind, type SplitRecord,
} from './split.js';
import { randomSplit, stratifiedSplit, orderedSplit, groupedSplit, kFold } from './split.js';
/** The split variants under one name: `data.split.stratified(labels, { val: 0.1, test: 0.1, seed: 0 })`. */
export const split = { random: randomSplit, stratified: stratifiedSplit, ordered: orderedSplit, grouped: groupedSplit, kFold };
