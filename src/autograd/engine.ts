import type { Storage, Tensor } from '../tensor/tensor.js';
import { ones } from '../tensor/create.js';
import { noGrad, enableGrad } from './grad-mode.js';
import { isAnomalyEnabled, checkBackward, runGradientRule } from './anomaly.js';
import type { GradNode } from './node.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { sweepWithDestinations, takeGradDestination } from './grad-destination.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. Defaults to createGraph. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order derivatives. */
  createGraph?: boolean;
}

/** Tensors reachable from the roots that need gradients, ordered so every tensor comes before its inputs. */
function reverseTopologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const visited = new Set<Tensor>();
  const post: Tensor[] = [];
  const stack: Array<[Tensor, number]> = [];
  for (const r of roots) {
    if (visited.has(r)) continue;
    visited.add(r);
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const inputs = top[0].gradFn?.inputs ?? [];
      if (top[1] < inputs.length) {
        const child = inputs[top[1]++];
        if (child.requiresGrad && !visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        post.push(top[0]);
        stack.pop();
      }
    }
  }
  return post.reverse();
}

function add(a: Tensor | undefined | null, b: Tensor): Tensor {
  return a ? a.add(b) : b;
}

function rootGradient(root: Tensor, given: Tensor | undefined, where: string): Tensor {
  if (!root.requiresGrad) {
    throw new Error(
      `${where}: this tensor does not require grad and has no graph. Set requiresGrad on the ` +
      'parameters or inputs before computing it, and do not compute it inside noGrad().',
    );
  }
  if (given) {
    if (!sameShape(given.shape, root.shape)) {
      throw new Error(`${where}: the gradient has shape ${formatShape(given.shape)} but the output has shape ${formatShape(root.shape)}; they must match`);
    }
    return given;
  }
  if (root.size !== 1) {
    throw new Error(
      `${where}: a gradient can be created implicitly only for a scalar output, but this output has shape ` +
      `${formatShape(root.shape)}. Reduce it first (e.g. .sum() or .mean()) or pass a gradient of the same shape.`,
    );
  }
  return ones(root.shape);
}

/**
 * Reverse-mode sweep. Without `capture` it accumulates into the `.grad` of leaves (and of
 * tensors that called retainGrad()); with `capture` it only returns the gradients of those
 * tensors, leaving every `.grad` untouched (autograd.grad semantics).
 */
function sweep(roots: Tensor[], rootGrads: Tensor[], opts: BackwardOptions, capture?: Set<Tensor>): Map<Tensor, Tensor> {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const grads = new Map<Tensor, Tensor>();
  roots.forEach((r, i) => grads.set(r, add(grads.get(r), rootGrads[i])));
  const order = reverseTopologicalOrder(roots);
  const captured = new Map<Tensor, Tensor>();
  const visitedNodes: GradNode[] = [];
  const anomaly = isAnomalyEnabled();
  // `handed`: leaves whose zeroed .grad a gradient rule wrote into (grad-destination.ts). Their
  // .grad is the running sum: other contributions are added into it, in arrival order as `add`
  // would have summed them (a + b and b + a round alike), and the leaf is then already done.
  // `owned`: the buffers of tensors that are some tensor's .grad (or the caller's): a .grad
  // never shares its buffer with a second one (a view of a gradient shares its buffer).
  const owned = new Set<Storage>(rootGrads.map((g) => g.data));
  const run = (handed: ReadonlySet<Tensor>) => {
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (capture?.has(t)) captured.set(t, g);
      const node = t.gradFn;
      if (!node) {
        if (!capture && t.requiresGrad && !handed.has(t)) t.grad = createGraph ? add(t.grad, g) : accumulateLeaf(t, g, owned);
        continue;
      }
      if (!capture && t.retainsGrad) t.grad = own(add(t.grad, g), owned);
      const inputGrads = anomaly ? runGradientRule(() => node.backward(g)) : node.backward(g);
      visitedNodes.push(node);
      if (anomaly) checkBackward(node, inputGrads, g);
      const inputs = node.inputs;
      for (let k = 0; k < inputs.length; k++) {
        const gi = inputGrads[k];
        const inp = inputs[k];
        if (!gi || !inp.requiresGrad) continue;
        const fitted = sameShape(gi.shape, inp.shape) ? gi : gi.sumTo(inp.shape);
        const prev = grads.get(inp);
        if (handed.has(inp)) {
          const sum = inp.grad!;
          if (fitted !== sum) sum.add_(fitted);
          if (prev !== undefined && prev !== sum) sum.add_(prev);
          grads.set(inp, sum);
        } else {
          grads.set(inp, add(prev, fitted));
        }
      }
    }
  };
  sweepWithDestinations(!capture && !createGraph, (handed) => (createGraph ? enableGrad(() => run(handed)) : noGrad(() => run(handed))));
  if (!retainGraph) for (const n of visitedNodes) n.free();
  return captured;
}

/**
 * A leaf's .grad after a first-order sweep (grad mode is off): added into the zeroed .grad that
 * zeroGrad({ setToNone: false }) left, else summed as before. A gradient that is already some
 * tensor's .grad (an add's rule hands the same tensor to both its inputs; a reshape's, a view
 * of it) or the caller's is copied, as PyTorch does, so that zeroing or filling one .grad in
 * place never changes another.
 */
function accumulateLeaf(t: Tensor, g: Tensor, owned: Set<Storage>): Tensor {
  const into = takeGradDestination(t);
  if (into !== null) {
    return into.add_(g);
  }
  return t.grad ? t.grad.add(g) : own(g, owned);
}

function own(g: Tensor, owned: Set<Storage>): Tensor {
  if (owned.has(g.data)) g = g.clone();
  owned.add(g.data);
  return g;
}

/** Backpropagates from `root`, accumulating into `.grad` of the leaves that require it. */
export function backward(root: Tensor, gradient?: Tensor, opts: BackwardOptions = {}): void {
  sweep([root], [rootGradient(root, gradient, 'backward')], opts);
}

export interface GradOptions extends BackwardOptions {
  /** Gradients to start from, one per output (needed for non-scalar outputs). */
  gradOutputs?: Tensor[];
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/**
 * d(sum of outputs)/d(inputs) without touching any `.grad` (torch.autograd.grad).
 * With createGraph the result is itself differentiable, so Hessian-vector products work:
 * `const [g] = grad([loss], [w], { createGraph: true }); const [hv] = grad([g.mul(v).sum()], [w]);`
 */
export function grad(outputs: Tensor[], inputs: Tensor[], opts: GradOptions = {}): Array<Tensor | null> {
  const rootGrads = outputs.map((o, i) => rootGradient(o, opts.gradOutputs?.[i], 'autograd.grad'));
  const captured = sweep(outputs, rootGrads, opts, new Set(inputs));
  return inputs.map((t, i) => {
    const g = captured.get(t);
    if (g) return g;
    if (!t.requiresGrad) {
      throw new Error(`autograd.grad: input ${i} does not require grad; set requiresGrad on it before the forward pass`);
    }
    if (opts.allowUnused) return null;
    throw new Error(
      `autograd.grad: input ${i} (shape ${formatShape(t.shape)}) was not used to compute the outputs. ` +
      'Pass { allowUnused: true } to get null for it instead.',
    );
  });
}
