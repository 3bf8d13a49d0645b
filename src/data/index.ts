/** `data`: datasets, loaders, scalers, transforms and readers. */
export { TensorDataset, takeRows, concatDatasets, type Dataset } from './dataset.js';
export { DataLoader, type Batch, type BatchTransform, type DataLoaderOptions } from './loader.js';
export { Standardizer, MinMaxScaler, LeakageError } from './scalers.js';
export { randomCrop, randomHorizontalFlip, gaussianNoise, compose } from './transforms.js';
export { parseIdx } from './idx.js';
export { mnist, type MnistOptions, type MnistSplits } from './mnist.js';
