import { selectBackend } from '../backend/select.js';
import { UsageError } from './args.js';

/** The CLI: one file per command; this one dispatches and turns errors into one-line causes. */
const commands: Record<string, { help: string; run: (argv: string[]) => Promise<number> | number }> = {
  train: { help: 'train an experiment (built-in name or path) and evaluate its test set once', run: async (a) => (await import('./train.js')).trainCommand(a) },
  test: { help: 'evaluate the sealed test set for a trained run (recorded in the test ledger)', run: async (a) => (await import('./test.js')).testCommand(a) },
  stats: { help: 'confidence intervals, test-set sizes, McNemar and over-seed comparisons', run: async (a) => (await import('./stats.js')).statsCommand(a) },
  compare: { help: 'two trained runs on the same test set, paired (exact McNemar test)', run: async (a) => (await import('./compare.js')).compareCommand(a) },
  info: { help: 'print the backend, CPU features and thread count', run: async (a) => (await import('./info.js')).infoCommand(a) },
  'tune-gemm': { help: 'measure the native GEMM\'s register tiles and block sizes on this CPU and keep the fastest', run: async (a) => (await import('./tune-gemm.js')).tuneGemmCommand(a) },
  audit: { help: 'check splits for exact and near duplicates, label conflicts and class balance', run: async (a) => (await import('./audit.js')).auditCommand(a) },
  runs: { help: 'list runs with their status (running, interrupted, crashed, ...), best validation metric and test result', run: async (a) => (await import('./runs.js')).runsCommand(a) },
  tune: { help: 'hyperparameter search: trials are real runs, chosen on validation data, pruned early, on SQLite or PostgreSQL', run: async (a) => (await import('./tune.js')).tuneCommand(a) },
  study: { help: 'list, show, best, export (CSV/JSON) or delete a hyperparameter study', run: async (a) => (await import('./study.js')).studyCommand(a) },
  'export-onnx': { help: 'write a trained run\'s model as an ONNX file (ONNX Runtime in Node, web, mobile)', run: async (a) => (await import('./export-onnx.js')).exportOnnxCommand(a) },
  doctor: { help: 'check an experiment for common bugs (data, NaN, gradient flow, dead ReLUs, overfit one batch, LR, leaks)', run: async (a) => (await import('./doctor.js')).doctorCommand(a) },
  'lr-find': { help: 'learning-rate range test: suggests a learning rate (steepest descent and min/10)', run: async (a) => (await import('./lr-find.js')).lrFindCommand(a) },
  'lr-sweep': { help: 'short runs at several learning rates, ranked by validation loss', run: async (a) => (await import('./lr-sweep.js')).lrSweepCommand(a) },
  'batch-size': { help: 'gradient noise scale (McCandlish et al. 2018): the critical batch size with an interval', run: async (a) => (await import('./batch-size.js')).batchSizeCommand(a) },
  ablate: { help: 'ablation study: leave-one-out (or add-one) over boolean toggles across seeds', run: async (a) => (await import('./ablate.js')).ablateCommand(a) },
  dashboard: { help: 'serve the live dashboard over a runs directory (runs, compare, test ledger)', run: async (a) => (await import('./dashboard.js')).dashboardCommand(a) },
  plot: { help: 'draw a metric of one or more runs to an SVG (or PNG via Chromium) file', run: async (a) => (await import('./plot.js')).plotCommand(a) },
  report: { help: 'write a run as one self-contained HTML report (charts and tables, opens offline)', run: async (a) => (await import('./html-report.js')).htmlReportCommand(a) },
  export: { help: 'write a run\'s metrics as CSV or JSON lines', run: async (a) => (await import('./export.js')).exportCommand(a) },
  prune: { help: 'lottery tickets: iterative magnitude pruning with rewinding vs reinit/random controls, over seeds', run: async (a) => (await import('./prune.js')).pruneCommand(a) },
  repro: { help: 'reproduce a known result (random-labels, adam-vs-sgd-linear, initialization, lottery) and say whether its claim held', run: async (a) => (await import('./repro.js')).reproCommand(a) },
  'compare-optimizers': { help: 'optimizers side by side at their best grid lr, ranked by validation loss with intervals over seeds', run: async (a) => (await import('./compare-optimizers.js')).compareOptimizersCommand(a) },
};

function usage(): string {
  const rows = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(8)} ${c.help}`).join('\n');
  return `usage: tradecraft <command> [options]\n\ncommands:\n${rows}\n\nRun \`tradecraft <command> --help\` for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(usage());
    return cmd ? 0 : 2;
  }
  const command = commands[cmd];
  if (!command) {
    console.error(`tradecraft: unknown command '${cmd}'. Commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    await selectBackend();
    return await command.run(rest);
  } catch (e) {
    const err = e as Error;
    if (process.env.TRADECRAFT_DEBUG) console.error(err.stack);
    if (e instanceof UsageError) {
      console.error(`tradecraft ${cmd}: ${err.message}`);
      return 2;
    }
    console.error(`tradecraft ${cmd}: ${err.message}` + (process.env.TRADECRAFT_DEBUG ? '' : ' (set TRADECRAFT_DEBUG=1 for the stack trace)'));
    return 1;
  }
}
