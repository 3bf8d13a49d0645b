import { cpus } from 'node:os';
import { backend } from '../backend/registry.js';
import { parseArgs, formatFlagHelp } from './args.js';
import { loadNativeAddon } from '../backend/native.js';
import { TRAINING_HEAP_FLAG, trainingHeapOption } from '../train/node-heap.js';

const infoFlags = {
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;

/** What the native addon reports about the CPU and its GEMM blocking (native/addon.cc Machine). */
interface Machine {
  vendor: string; family: number; model: number; uarch: string;
  l1d: number; l2: number; l3: number; cacheSource: string; isa: string; threads: number;
  gemm: {
    kernel: string; mr: number; nr: number; mc: number; kc: number; nc: number; order: string; source: string;
    /** The measured choice (gemm-tuning.txt): 'used', 'absent', 'for another CPU' or 'invalid'. */
    tuning: string; measured: string; tuningFile: string;
  };
}

/** How the tile and blocking were chosen, and what to do when no measurement applies. */
function gemmSource(g: Machine['gemm']): string {
  if (g.source === 'measured') return `tile, MC, loop order and NC measured on this CPU ${g.measured}, kept in ${g.tuningFile}`;
  const why = g.tuning === 'absent' ? 'not measured on this machine'
    : g.tuning === 'for another CPU' ? `${g.tuningFile} was measured on another CPU`
      : g.tuning === 'invalid' ? `${g.tuningFile} is not a valid choice for this build` : '';
  const from = g.source === 'env' ? 'from TRADECRAFT_GEMM_* variables' : g.source === 'caches' ? 'MC/NC from the cache sizes' : 'built-in blocking';
  return why && g.source !== 'env' ? `${from}; ${why}: run \`tradecraft tune-gemm\`` : from;
}

const kib = (b: number): string => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`);

/**
 * `tradecraft info`: the backend in use, its thread count, the CPU's microarchitecture and
 * caches, and the GEMM blocking the native kernels use on it.
 */
export function infoCommand(argv: string[]): number {
  const { flags } = parseArgs(argv, infoFlags, []);
  if (flags.help) {
    console.log(`usage: tradecraft info [--json]\n\nThe backend in use (native, wasm or js; TRADECRAFT_BACKEND picks one), the CPU (microarchitecture, caches) and its cores, the GEMM blocking in use, the Node version.\n\n${formatFlagHelp(infoFlags)}`);
    return 0;
  }
  const b = backend();
  const facts: Record<string, unknown> = {
    backend: b.name,
    details: b.describe(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
  };
  const heap = trainingHeapOption();
  facts.heap = heap !== null ? `${heap} (keeps V8 from back-to-back major GCs while training)`
    : `V8's default (a training loop with a small live heap can run major GCs back to back under it; start node with ${TRAINING_HEAP_FLAG}: README, Performance)`;
  const addon = b.name === 'native' ? loadNativeAddon() : null;
  const m = addon ? (JSON.parse(addon.machine()) as Machine) : null;
  if (m) {
    facts.uarch = `${m.uarch} (${m.vendor} family ${m.family} model ${m.model})`;
    facts.caches = `L1d ${kib(m.l1d)}, L2 ${kib(m.l2)} per core, L3 ${m.l3 > 0 ? kib(m.l3) : 'none'} (from ${m.cacheSource})`;
    facts.gemm = `${m.gemm.kernel} kernel, register tile ${m.gemm.mr}x${m.gemm.nr}, MC ${m.gemm.mc}, KC ${m.gemm.kc}, NC ${m.gemm.nc}, loop order ${m.gemm.order} (${gemmSource(m.gemm)})`;
  }
  if (flags.json) console.log(JSON.stringify(m ? { ...facts, machine: m } : facts));
  else for (const [k, v] of Object.entries(facts)) console.log(`${k.padEnd(8)} ${String(v)}`);
  return 0;
}
