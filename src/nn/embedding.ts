import { Parameter, type Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { indexSelect, reshape } from '../ops/shape.js';
import { Module } from './module.js';
import { normal_ } from './init.js';
import { checkSize } from './linear.js';

/** A lookup table of vectors, initialized N(0, 1) as torch. Input: int32 indices of any shape. */
export class Embedding extends Module {
  weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim]));
    normal_(this.weight);
  }

  forward(indices: Tensor): Tensor {
    const flat = reshape(indices.int(), [indices.size]);
    return reshape(indexSelect(this.weight, 0, flat), [...indices.shape, this.embeddingDim]);
  }

  protected override describe(): string { return `${this.numEmbeddings}, ${this.embeddingDim}`; }
}
