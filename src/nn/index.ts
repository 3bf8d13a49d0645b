/**
 * `nn`: layers as classes (PyTorch names) and as lowercase factories for compact model
 * definitions: `nn.sequential(nn.flatten(), nn.linear(784, 256), nn.relu(), nn.linear(256, 10))`.
 */
import { Module } from './module.js';
import { Linear } from './linear.js';
import { Conv2d, type Conv2dLayerOptions } from './conv.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pool.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm2d, type BatchNormOptions } from './norm.js';
import { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax, Softplus, Identity } from './activation.js';
import { Sequential, Residual, Flatten, Dropout } from './containers.js';
import { Embedding } from './embedding.js';
import type { Pool2dOptions } from '../ops/pool.js';
import type { Pair } from '../ops/conv.js';
import * as init from './init.js';

export {
  Module, Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d, LayerNorm,
  GroupNorm, InstanceNorm2d, ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax, Softplus,
  Identity, Sequential, Residual, Flatten, Dropout, Embedding, init,
};
export { Parameter } from '../tensor/tensor.js';
export type { StateDict } from './module.js';

export const sequential = (...m: Module[]): Sequential => new Sequential(...m);
export const linear = (inF: number, outF: number, o?: { bias?: boolean }): Linear => new Linear(inF, outF, o);
export const conv2d = (inC: number, outC: number, k: Pair, o?: Conv2dLayerOptions): Conv2d => new Conv2d(inC, outC, k, o);
export const maxPool2d = (k: Pair, o?: Omit<Pool2dOptions, 'countIncludePad'>): MaxPool2d => new MaxPool2d(k, o);
export const avgPool2d = (k: Pair, o?: Pool2dOptions): AvgPool2d => new AvgPool2d(k, o);
export const adaptiveAvgPool2d = (out: Pair): AdaptiveAvgPool2d => new AdaptiveAvgPool2d(out);
export const batchNorm1d = (n: number, o?: BatchNormOptions): BatchNorm1d => new BatchNorm1d(n, o);
export const batchNorm2d = (n: number, o?: BatchNormOptions): BatchNorm2d => new BatchNorm2d(n, o);
export const layerNorm = (shape: number | number[], o?: { eps?: number; elementwiseAffine?: boolean }): LayerNorm => new LayerNorm(shape, o);
export const groupNorm = (g: number, c: number, o?: { eps?: number; affine?: boolean }): GroupNorm => new GroupNorm(g, c, o);
export const instanceNorm2d = (c: number, o?: { eps?: number; affine?: boolean }): InstanceNorm2d => new InstanceNorm2d(c, o);
export const relu = (): ReLU => new ReLU();
export const leakyRelu = (slope?: number): LeakyReLU => new LeakyReLU(slope);
export const elu = (alpha?: number): ELU => new ELU(alpha);
export const gelu = (approximate?: 'none' | 'tanh'): GELU => new GELU(approximate);
export const silu = (): SiLU => new SiLU();
export const sigmoid = (): Sigmoid => new Sigmoid();
export const tanh = (): Tanh => new Tanh();
export const softmax = (dim?: number): Softmax => new Softmax(dim);
export const logSoftmax = (dim?: number): LogSoftmax => new LogSoftmax(dim);
export const softplus = (): Softplus => new Softplus();
export const identity = (): Identity => new Identity();
export const residual = (inner: Module): Residual => new Residual(inner);
export const flatten = (startDim?: number, endDim?: number): Flatten => new Flatten(startDim, endDim);
export const dropout = (p?: number): Dropout => new Dropout(p);
export const embedding = (n: number, dim: number): Embedding => new Embedding(n, dim);
