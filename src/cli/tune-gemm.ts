import { backend } from '../backend/registry.js';
import { loadNativeAddon } from '../backend/native.js';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { gemmTuningTable, type GemmTuningReport } from './gemm-tuning.js';

const tuneGemmFlags = {
  seconds: { type: 'number', default: 3, min: 0.1, max: 60, help: 'measurement time in all (more is steadier)' },
  'dry-run': { type: 'boolean', help: 'measure and print, but keep the current choice' },
  json: { type: 'boolean', help: 'print the report as one JSON object' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/**
 * `tradecraft tune-gemm`: measures the native GEMM's register tiles, MC block sizes and loop orders on this
 * CPU and keeps the fastest beside the addon (`npm install` runs it once after building).
 */
export function tuneGemmCommand(argv: string[]): number {
  const { flags } = parseArgs(argv, tuneGemmFlags, []);
  if (flags.help) {
    console.log('usage: tradecraft tune-gemm [--seconds S] [--dry-run] [--json]\n\n' +
      'Times every register tile, MC block size and loop order the native GEMM has for this CPU\'s\n' +
      'instruction set on three products (one thread, CPU time, alternating rounds), checks that all give\n' +
      'bit-identical results, and keeps the fastest in gemm-tuning.txt beside the addon (a candidate must\n' +
      'beat the default by the margin in the report, and again in a head-to-head re-measurement).\n' +
      'Processes started afterwards use it; `tradecraft info` shows the choice. Results never depend on\n' +
      `it, only speed.\n\n${formatFlagHelp(tuneGemmFlags)}`);
    return 0;
  }
  const addon = backend().name === 'native' ? loadNativeAddon() : null;
  if (addon === null) {
    throw new UsageError('tune-gemm needs the native backend, which is not loaded here (build it with `npm rebuild tradecraft`; TRADECRAFT_BACKEND must not pick another)');
  }
  const r = JSON.parse(addon.tuneGemm(flags.seconds, !flags['dry-run'])) as GemmTuningReport;
  if (flags.json) {
    console.log(JSON.stringify(r));
  } else {
    console.log(`GEMM tuning on ${r.cpu} (${r.isa}), one thread, median of ${r.rounds} rounds, GFLOP/s:\n`);
    console.log(gemmTuningTable(r));
    const best = r.candidates[r.best];
    const margin = `${(r.minGain * 100).toFixed(0)}%`;
    if (r.confirmedGain !== null) {
      console.log(`\nhead to head, the screen's fastest against the default: ${r.confirmedGain >= 0 ? '+' : ''}${(r.confirmedGain * 100).toFixed(1)}% ` +
        `(${r.confirmedGain >= r.minGain ? 'confirmed' : `under ${margin}: the default stays`})`);
    }
    if (best) console.log(`\nchosen: tile ${best.tile}, MC ${best.mc}, loop order ${best.order} (KC ${best.kc}, NC ${best.nc}); another candidate must beat the default by ${margin} in the screen and again head to head to be chosen`);
  }
  if (r.writeError) {
    console.error(`tune-gemm: ${r.writeError}; the choice is not kept`);
    return 1;
  }
  if (!flags.json) console.log(r.written ? `kept in ${r.path} (used by processes started from now on)` : 'dry run: nothing written');
  return 0;
}
