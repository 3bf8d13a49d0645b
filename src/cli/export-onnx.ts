import { relative } from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { loadExperiment } from './load-experiment.js';
import { Run } from '../track/run-store.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { writeFileAtomic } from '../track/files.js';
import { exportOnnx, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET } from '../interop/onnx/export-model.js';
import { decodeModel } from '../interop/onnx/proto.js';
import type { HParams } from '../experiments/define.js';

const flags = {
  checkpoint: { type: 'string', default: 'best', choices: ['best', 'last'], help: 'which checkpoint: best (chosen on validation) or last' },
  out: { type: 'string', help: 'the .onnx file to write' },
  opset: { type: 'int', min: MIN_OPSET, max: MAX_OPSET, default: DEFAULT_OPSET, help: `ONNX operator set (default ${DEFAULT_OPSET})` },
  'input-shape': { type: 'string', help: 'one example\'s shape without the batch, e.g. 1,28,28 (default: from the experiment\'s data)' },
  'static-batch': { type: 'int', min: 1, help: 'fix the batch size instead of a dynamic batch dimension' },
  'data-dir': { type: 'string', help: 'folder with the dataset files (to read the input shape)' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

function parseShape(text: string): number[] {
  const dims = text.split(/[,x ]+/).filter(Boolean).map(Number);
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`--input-shape must be positive integers separated by commas, e.g. 1,28,28; got '${text}'`);
  return dims;
}

/** `tradecraft export-onnx RUN --out model.onnx`: a trained run's model as an ONNX file for ONNX Runtime. */
export async function exportOnnxCommand(argv: string[]): Promise<number> {
  const { flags: f, positionals } = parseArgs(argv, flags, [{ name: 'run', required: false }]);
  if (f.help) {
    console.log('usage: tradecraft export-onnx RUN_DIR --out model.onnx [--checkpoint best|last] [--opset 17] [--input-shape 1,28,28] [--static-batch N] [--json]');
    return 0;
  }
  if (!positionals.run) throw new UsageError('export-onnx needs a run directory: tradecraft export-onnx runs/<id> --out model.onnx');
  if (!f.out) throw new UsageError('export-onnx needs --out FILE, e.g. --out model.onnx');
  const run = Run.open(positionals.run);
  const exp = await loadExperiment(run.info.experiment);
  const hp = run.info.hparams as HParams;
  let example: number[];
  let intInput = false;
  if (f['input-shape']) example = parseShape(f['input-shape']);
  else {
    const test = exp.data(hp, { dataDir: f['data-dir'] }).test;
    example = test.x.shape.slice(1);
    intInput = test.x.dtype === 'int32';
  }
  const model = exp.model(hp);
  const ckpt = loadCheckpoint(run.checkpointsDir, f.checkpoint as 'best' | 'last');
  model.loadStateDict(ckpt.model);
  const bytes = exportOnnx(model, {
    inputShape: [f['static-batch'] ?? 1, ...example], opset: f.opset, dynamicBatch: f['static-batch'] === undefined,
    inputType: intInput ? 'int64' : undefined, docString: `${exp.name}, run ${run.info.id}, ${f.checkpoint} checkpoint (epoch ${ckpt.trainer.epoch})`,
  });
  writeFileAtomic(f.out, bytes);
  const graph = decodeModel(bytes).graph;
  const rel = relative(process.cwd(), f.out) || f.out;
  console.log(`wrote ${rel}: ${exp.name} ${f.checkpoint} checkpoint (epoch ${ckpt.trainer.epoch}), opset ${f.opset}, ${graph.node.length} nodes, ` +
    `${graph.initializer.length} initializers, input [${f['static-batch'] ?? 'batch'}, ${example.join(', ')}], ${bytes.length} bytes`);
  if (f.json) {
    console.log(JSON.stringify({
      out: f.out, bytes: bytes.length, opset: f.opset, nodes: graph.node.length, initializers: graph.initializer.map((t) => t.name),
      inputShape: [f['static-batch'] ?? 'batch', ...example], checkpoint: f.checkpoint, epoch: ckpt.trainer.epoch, runDir: run.dir,
    }));
  }
  return 0;
}
