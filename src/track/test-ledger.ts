import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { JsonlAppender, readJsonl } from './files.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * The test ledger: every evaluation of a test set is appended here (run id, model hash,
 * metric, time). A test set evaluated for many different models stops being an unbiased
 * estimate: picking the best of k models on it overfits it, and the ledger makes that count
 * visible.
 */
import type { LedgerEntry } from './run-types.js';
export type { LedgerEntry };

export interface LedgerCheck {
  /** Earlier evaluations of this test set. */
  earlierUses: number;
  /** Distinct other models evaluated on it before. */
  otherModels: number;
  warning: string | null;
}

export function hashBytes(...parts: ArrayBufferView[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** Content hash of a dataset's tensors: the same images and labels give the same id anywhere. */
export function datasetHash(x: Tensor, y: Tensor): string {
  return hashBytes(x.data, y.data);
}

export class TestLedger {
  constructor(readonly path: string) {}

  entries(testSet?: string): LedgerEntry[] {
    if (!existsSync(this.path)) return [];
    const all = readJsonl<LedgerEntry>(this.path, 'test ledger').records;
    return testSet ? all.filter((e) => e.testSet === testSet) : all;
  }

  /** Checks earlier uses, then appends this evaluation. */
  record(entry: Omit<LedgerEntry, 'time'>): LedgerCheck {
    const earlier = this.entries(entry.testSet);
    const others = new Set(earlier.map((e) => e.modelHash).filter((h) => h !== entry.modelHash));
    const appender = new JsonlAppender(this.path);
    try {
      appender.append({ ...entry, time: new Date().toISOString() });
    } finally {
      appender.close();
    }
    const warning = others.size > 0
      ? `warning: this test set (${entry.testSet}) has now been evaluated for ${others.size + 1} different models (${earlier.length + 1} evaluations in ${this.path}). ` +
        'If you compare them on it and keep the best, its score is optimistically biased: select models on validation data and report the test score of the one you chose.'
      : null;
    return { earlierUses: earlier.length, otherModels: others.size, warning };
  }
}
