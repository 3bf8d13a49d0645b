import { openSync, readSync, fstatSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Callback, EpochContext } from '../../train/callbacks.js';
import type { MetricRecord, Run } from '../../track/run-store.js';
import { EventFileWriter } from './event-writer.js';
import { tagOf, hparamsMarkdown } from './run-events.js';

/**
 * `train --tensorboard DIR`: mirrors the run's metric log into a TensorBoard event file while
 * training. The trainer appends every record to metrics.jsonl as it logs it; `flush()` reads what
 * was appended since the last call (a byte offset, so each record is read once) and writes one
 * scalar event per record. The CLI flushes after every batch; as a Callback it also flushes at
 * every epoch end, so it works with any Trainer given a run.
 */
export class TensorBoardCallback implements Callback {
  readonly name = 'tensorboard';
  readonly writer: EventFileWriter;
  #offset = 0;
  readonly #log: string;

  constructor(readonly run: Run, dir: string) {
    this.writer = new EventFileWriter(dir);
    this.writer.text('hparams', hparamsMarkdown(run.info), 0);
    this.#log = join(run.dir, 'metrics.jsonl');
  }

  /** Writes the records appended to the run's log since the last flush; returns how many. */
  flush(): number {
    if (!existsSync(this.#log)) return 0;
    const fd = openSync(this.#log, 'r');
    let text: string;
    try {
      const size = fstatSync(fd).size;
      if (size <= this.#offset) return 0;
      const buf = Buffer.alloc(size - this.#offset);
      readSync(fd, buf, 0, buf.length, this.#offset);
      // Only whole lines: a record being written right now is read next time.
      const end = buf.lastIndexOf(0x0a) + 1;
      text = buf.subarray(0, end).toString('utf8');
      this.#offset += end;
    } finally {
      closeSync(fd);
    }
    let n = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as MetricRecord;
      this.writer.scalar(tagOf(r), r.value, r.step, r.time);
      n++;
    }
    return n;
  }

  onEpochEnd(_ctx: EpochContext): void {
    this.flush();
  }

  /** After the test set's single evaluation: its accuracy and loss, then the file is closed. */
  finish(test: { accuracy?: number; loss?: number }, step: number): void {
    this.flush();
    if (test.accuracy !== undefined) this.writer.scalar('test/accuracy', test.accuracy, step);
    if (test.loss !== undefined) this.writer.scalar('test/loss', test.loss, step);
    this.writer.close();
  }
}
