/** `prune`: masks in PyTorch's layout, magnitude/random/structured pruning, lottery tickets. */
export { applyMask, removeMask, removeAllMasks, isPruned, getMask, getOrig, prunedTensors, applyMasksFromStateDict } from './mask.js';
export { l1Unstructured, globalMagnitude, randomUnstructured, lnStructured, type PruneTarget } from './magnitude.js';
export { sparsityReport, formatSparsity, type SparsityReport, type LayerSparsity } from './sparsity.js';
