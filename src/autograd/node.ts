import type { Tensor } from '../tensor/tensor.js';
import { currentGeneration } from './graph-leak.js';

/**
 * The gradient rule for one input: returns the gradient of the loss with respect to each
 * input (null where an input needs none). Rules are written with differentiable tensor ops,
 * so running them with grad recording on yields higher-order derivatives.
 */
export type BackwardFn = (grad: Tensor) => ReadonlyArray<Tensor | null>;

/** A recorded op on the tape: what made a tensor, from which inputs, and how gradients flow back. */
export class GradNode {
  freed = false;
  /** Where the op was called, recorded only in anomaly mode. */
  stack: string | undefined;
  /** The optimizer-step generation this op was recorded in (graph-leak detection). */
  readonly generation = currentGeneration();

  constructor(
    readonly op: string,
    public inputs: Tensor[],
    public backward: BackwardFn,
  ) {}

  /** Drops saved tensors so the graph's memory is released after backward. */
  free(): void {
    this.freed = true;
    this.backward = freedBackward(this.op);
  }
}

function freedBackward(op: string): BackwardFn {
  return () => {
    throw new Error(
      `backward: the graph through '${op}' was already freed by an earlier backward(). ` +
      'Call backward({ retainGraph: true }) the first time if you need to backpropagate twice, ' +
      'or recompute the forward pass.',
    );
  };
}
