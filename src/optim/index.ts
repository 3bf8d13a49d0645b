/** `optim`: optimizers, gradient clipping and learning-rate schedules. */
import type { Tensor } from '../tensor/tensor.js';
import { SGD, type SgdOptions } from './sgd.js';
import { Adam, AdamW, type AdamOptions } from './adam.js';
import { RMSprop, type RmspropOptions } from './rmsprop.js';
import { Adagrad, type AdagradOptions } from './adagrad.js';
import { RAdam, type RAdamOptions } from './radam.js';
import { NAdam, type NAdamOptions } from './nadam.js';
import { Lion, type LionOptions } from './lion.js';
import type { ParamsArg } from './optimizer.js';

export { Optimizer, type OptimizerStateDict, type ParamGroup, type Hyper } from './optimizer.js';
export { SGD, Adam, AdamW, RMSprop, Adagrad };
export { RAdam, NAdam, Lion, type RAdamOptions, type NAdamOptions, type LionOptions };
export { clipGradNorm, clipGradValue, gradNorm } from './clip.js';
export * from './schedules.js';

export const sgd = (params: ParamsArg<SgdOptions> | Iterable<Tensor>, o?: Partial<SgdOptions>): SGD => new SGD(params, o);
export const adam = (params: ParamsArg<AdamOptions> | Iterable<Tensor>, o?: Partial<AdamOptions>): Adam => new Adam(params, o);
export const adamw = (params: ParamsArg<AdamOptions> | Iterable<Tensor>, o?: Partial<AdamOptions>): AdamW => new AdamW(params, o);
export const rmsprop = (params: ParamsArg<RmspropOptions> | Iterable<Tensor>, o?: Partial<RmspropOptions>): RMSprop => new RMSprop(params, o);
export const adagrad = (params: ParamsArg<AdagradOptions> | Iterable<Tensor>, o?: Partial<AdagradOptions>): Adagrad => new Adagrad(params, o);
export const radam = (params: ParamsArg<RAdamOptions> | Iterable<Tensor>, o?: Partial<RAdamOptions>): RAdam => new RAdam(params, o);
export const nadam = (params: ParamsArg<NAdamOptions> | Iterable<Tensor>, o?: Partial<NAdamOptions>): NAdam => new NAdam(params, o);
export const lion = (params: ParamsArg<LionOptions> | Iterable<Tensor>, o?: Partial<LionOptions>): Lion => new Lion(params, o);
