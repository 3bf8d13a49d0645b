import { backend } from '../backend/registry.js';
import { loadNativeAddon } from '../backend/native.js';
import { parseArgs, formatFlagHelp, UsageError } from './args.js';
import { gemmNcTable, gemmTuningTable, type GemmTuningReport } from './gemm-tuning.js';

const tuneGemmFlags = {
  seconds: { type: 'number', default: 4, min: 0.1, max: 60, help: 'measurement time in all (more is steadier)' },
  'dry-run': { type: 'boolean', help: 'measure and print, but keep the current choice' },
  json: { type: 'boolean', help: 'print the report as one JSON object' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/**
 * `tradecraft tune-gemm`: measures the native GEMM's register tiles, MC block sizes and loop orders on this
 * CPU, then NC for the fastest, and keeps the choice beside the addon (`npm install` runs it once after building).
 */
export function tuneGemmCommand(argv: string[]): number {
  const { flags } = parseArgs(argv, tuneGemmFlags, []);
  if (flags.help) {
    console.log('usage: tradecraft tune-gemm [--seconds S] [--dry-run] [--json]\n\n' +
      'Times every register tile, MC block size and loop order the native GEMM has for this CPU\'s\n' +
      'instruction set on three products (one thread, CPU time, alternating rounds), checks that all give\n' +
      'bit-identical results, then times NC (columns of B per packed block) for the fastest on a product\n' +
      'twice as wide as the cache-sized NC, and keeps the choice in gemm-tuning.txt beside the addon (in\n' +
      'each stage a candidate must beat the default by the margin in the report, and again in a\n' +
      'head-to-head re-measurement). Three quarters of the time go to the first stage.\n' +
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
    const headToHead = (what: string, gain: number | null): void => {
      if (gain === null) return;
      console.log(`\nhead to head, ${what} against the default: ${gain >= 0 ? '+' : ''}${(gain * 100).toFixed(1)}% ` +
        `(${gain >= r.minGain ? 'confirmed' : `under ${margin}: the default stays`})`);
    };
    headToHead("the screen's fastest", r.confirmedGain);
    const nc = r.nc.candidates[r.nc.best];
    if (nc) {
      console.log(`\nNC for that choice (one product, ${r.nc.problem}), GFLOP/s:\n`);
      console.log(gemmNcTable(r));
      headToHead('the fastest NC', r.nc.confirmedGain);
    }
    if (best) console.log(`\nchosen: tile ${best.tile}, MC ${best.mc}, loop order ${best.order}, NC ${nc ? nc.nc : best.nc} (KC ${best.kc}); another candidate must beat the default by ${margin} in the screen and again head to head to be chosen`);
  }
  if (r.writeError) {
    console.error(`tune-gemm: ${r.writeError}; the choice is not kept`);
    return 1;
  }
  if (!flags.json) console.log(r.written ? `kept in ${r.path} (used by processes started from now on)` : 'dry run: nothing written');
  return 0;
}
