import type { Callback, EpochContext } from '../../train/callbacks.js';
import type { Run } from '../../track/run-store.js';
import { EventFileWriter } from './event-writer.js';
import { tagOf, hparamsMarkdown } from './run-events.js';

/**
 * `train --tensorboard DIR`: mirrors the run's metric log into a TensorBoard event file while
 * training. The trainer logs to the run store as it goes; at every epoch end this writes the
 * records logged since the last one (per-step batch loss, lr, gradient norm and the epoch's
 * train/val metrics), so TensorBoard shows a run up to its last finished epoch.
 */
export class TensorBoardCallback implements Callback {
  readonly name = 'tensorboard';
  readonly writer: EventFileWriter;
  #written = new Set<string>();

  constructor(readonly run: Run, dir: string) {
    this.writer = new EventFileWriter(dir);
    this.writer.text('hparams', hparamsMarkdown(run.info), 0);
  }

  /** Writes every record not yet written; returns how many. */
  flush(): number {
    let n = 0;
    for (const r of this.run.metrics()) {
      const key = `${r.step}|${r.split}|${r.name}`;
      if (this.#written.has(key)) continue;
      this.#written.add(key);
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
