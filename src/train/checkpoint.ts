import { mkdirSync, existsSync, rmSync, renameSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper, OptimizerStateDict } from '../optim/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import { saveStateDict, loadStateDict, encodeStateDict, decodeStateDict } from '../track/weights.js';
import { writeFileAtomic, readJsonFile } from '../track/files.js';

/**
 * A checkpoint is a folder `checkpoints/epoch-NNNN/` (end of an epoch) or
 * `checkpoints/step-NNNNNNNNN/` (mid-epoch, every N steps or M minutes, or on an interrupt) holding model.safetensors (PyTorch names),
 * optimizer.safetensors (moment buffers as tensors, the rest as JSON metadata) and
 * trainer.json (epoch, step, RNG and scheduler state, history). It is written to a temporary
 * folder and renamed into place, then `last.json` / `best.json` are pointed at it atomically,
 * so a crash at any moment leaves the previous checkpoint intact.
 */
export interface TrainerState {
  /** The last completed epoch (a mid-epoch checkpoint is inside epoch + 1, see inEpoch). */
  epoch: number;
  step: number;
  rng: number[];
  scheduler?: unknown;
  callbacks?: Record<string, unknown>;
  history: Array<Record<string, number>>;
  /**
   * Set by a mid-epoch checkpoint: the epoch in progress, how many of its batches were consumed
   * (always at an optimizer-step boundary, so no partly accumulated gradient needs saving), and
   * the examples and training seconds so far for its throughput.
   */
  inEpoch?: { epoch: number; batch: number; seen: number; seconds: number };
  [key: string]: unknown;
}

/**
 * How many mid-epoch (step-*) checkpoints are kept by default. Retention: the newest K step
 * checkpoints, the newest epoch checkpoint, and whatever last.json and best.json point at.
 */
export const KEEP_STEP_CHECKPOINTS = 2;

export interface LoadedCheckpoint {
  dir: string;
  model: Record<string, Tensor>;
  optimizer: OptimizerStateDict;
  trainer: TrainerState;
}

function encodeOptimizer(sd: OptimizerStateDict): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const scalars: Record<string, Record<string, number>> = {};
  for (const [id, entry] of Object.entries(sd.state)) {
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') (scalars[id] ??= {})[k] = v;
      else tensors[`state.${id}.${k}`] = new Tensor(Float32Array.from(v), [v.length]);
    }
  }
  return encodeStateDict(tensors, { paramGroups: JSON.stringify(sd.paramGroups), scalars: JSON.stringify(scalars) });
}

function decodeOptimizer(bytes: Uint8Array, what: string): OptimizerStateDict {
  const { tensors, metadata } = decodeStateDict(bytes, what);
  if (!metadata.paramGroups) throw new Error(`${what}: not an optimizer checkpoint (no paramGroups metadata)`);
  const state: OptimizerStateDict['state'] = {};
  for (const [id, entry] of Object.entries(JSON.parse(metadata.scalars ?? '{}') as Record<string, Record<string, number>>)) {
    state[Number(id)] = { ...entry };
  }
  for (const [name, t] of Object.entries(tensors)) {
    const [, id, key] = name.split('.');
    (state[Number(id)] ??= {})[key] = Array.from(t.data);
  }
  return { state, paramGroups: JSON.parse(metadata.paramGroups) };
}

export function saveCheckpoint(
  checkpointsDir: string, name: string, model: Module, optimizer: Optimizer<Hyper>, trainer: TrainerState,
  pointers: Array<'last' | 'best'>, keepSteps = KEEP_STEP_CHECKPOINTS,
): string {
  mkdirSync(checkpointsDir, { recursive: true });
  const final = join(checkpointsDir, name);
  const tmp = join(checkpointsDir, `.${name}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  saveStateDict(join(tmp, 'model.safetensors'), model.stateDict(), { format: 'pt' });
  writeFileAtomic(join(tmp, 'optimizer.safetensors'), encodeOptimizer(optimizer.stateDict()));
  writeFileAtomic(join(tmp, 'trainer.json'), JSON.stringify(trainer) + '\n');
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  for (const p of pointers) writeFileAtomic(join(checkpointsDir, `${p}.json`), JSON.stringify({ dir: name, epoch: trainer.epoch, step: trainer.step }) + '\n');
  pruneCheckpoints(checkpointsDir, keepSteps);
  return final;
}

/** The folder name of a mid-epoch checkpoint after `step` optimizer steps (sorts by step). */
export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

/** Retention: the folders last.json and best.json point at, the newest epoch-* and the newest `keepSteps` step-* folders. */
function pruneCheckpoints(checkpointsDir: string, keepSteps: number): void {
  const keep = new Set<string>();
  for (const p of ['last', 'best']) {
    const f = join(checkpointsDir, `${p}.json`);
    if (existsSync(f)) keep.add(readJsonFile<{ dir: string }>(f, `${p}.json`).dir);
  }
  const all = readdirSync(checkpointsDir).sort();
  const epochs = all.filter((d) => d.startsWith('epoch-'));
  const steps = all.filter((d) => d.startsWith('step-'));
  for (const d of epochs.slice(-1)) keep.add(d);
  for (const d of steps.slice(Math.max(0, steps.length - keepSteps))) keep.add(d);
  for (const d of [...epochs, ...steps]) if (!keep.has(d)) rmSync(join(checkpointsDir, d), { recursive: true, force: true });
}

/** Loads the checkpoint that `last.json` (or `best.json`) points at. */
export function loadCheckpoint(checkpointsDir: string, which: 'last' | 'best' = 'last'): LoadedCheckpoint {
  const pointer = join(checkpointsDir, `${which}.json`);
  if (!existsSync(pointer)) {
    throw new Error(`no ${which} checkpoint in ${checkpointsDir}: the run stopped before finishing its first epoch. Start it again without --resume.`);
  }
  const { dir } = readJsonFile<{ dir: string }>(pointer, `${which}.json`);
  const full = join(checkpointsDir, dir);
  return {
    dir: full,
    model: loadStateDict(join(full, 'model.safetensors')),
    optimizer: decodeOptimizer(readFileSync(join(full, 'optimizer.safetensors')), join(full, 'optimizer.safetensors')),
    trainer: readJsonFile<TrainerState>(join(full, 'trainer.json'), 'trainer.json'),
  };
}
