/** `optim`: optimizers, gradient clipping and learning-rate schedules. */
import type { Tensor } from '../tensor/tensor.js';
import { SGD, type SgdOptions } from './sgd.js';
import { Adam, AdamW, type AdamOptions } from './adam.js';
import { RMSprop, type RmspropOptions } from './rmsprop.js';
import { Adagrad, type AdagradOptions } from './adagrad.js';
import type { ParamsArg } from './optimizer.js';

export { Optimizer, type OptimizerStateDict, type ParamGroup, type Hyper } from './optimizer.js';
export { SGD, Adam, AdamW, RMSprop, Adagrad };
export { clipGradNorm, clipGradValue, gradNorm } from './clip.js';
export * from './schedules.js';

export const sgd = (params: ParamsArg<SgdOptions> | Iterable<Tensor>, o?: Partial<SgdOptions>): SGD => new SGD(params, o);
export const adam = (params: ParamsArg<AdamOptions> | Iterable<Tensor>, o?: Partial<AdamOptions>): Adam => new Adam(params, o);
export const adamw = (params: ParamsArg<AdamOptions> | Iterable<Tensor>, o?: Partial<AdamOptions>): AdamW => new AdamW(params, o);
export const rmsprop = (params: ParamsArg<RmspropOptions> | Iterable<Tensor>, o?: Partial<RmspropOptions>): RMSprop => new RMSprop(params, o);
export const adagrad = (params: ParamsArg<AdagradOptions> | Iterable<Tensor>, o?: Partial<AdagradOptions>): Adagrad => new Adagrad(params, o);
