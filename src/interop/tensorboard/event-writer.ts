import { openSync, writeSync, fsyncSync, closeSync, mkdirSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tfrecord } from './tfrecord.js';
import { fileVersionEvent, scalarEvent, textEvent } from './event.js';

/**
 * Appends TensorBoard events to `DIR/events.out.tfevents.<unix seconds>.<host>`: the file-version
 * record first, then one record per scalar or text summary, each written through as it comes (an
 * event file is a log: append-only, readable while it grows).
 *
 * @example
 * const w = new EventFileWriter('tb/run1');
 * w.scalar('val/loss', 0.31, 420);
 * w.close();
 */
export class EventFileWriter {
  readonly path: string;
  #fd: number | null;

  constructor(dir: string, now = Date.now() / 1000) {
    mkdirSync(dir, { recursive: true });
    const base = `events.out.tfevents.${Math.floor(now)}.${hostname()}`;
    let path = join(dir, base), k = 1;
    while (existsSync(path)) path = join(dir, `${base}.${k++}`);
    this.path = path;
    this.#fd = openSync(path, 'a');
    this.#append(fileVersionEvent(now));
  }

  #append(event: Uint8Array): void {
    if (this.#fd === null) throw new Error(`EventFileWriter: ${this.path} is closed`);
    writeSync(this.#fd, tfrecord(event));
  }

  scalar(tag: string, value: number, step: number, wallTime = Date.now() / 1000): void {
    this.#append(scalarEvent(tag, value, step, wallTime));
  }

  text(tag: string, markdown: string, step: number, wallTime = Date.now() / 1000): void {
    this.#append(textEvent(tag, markdown, step, wallTime));
  }

  close(): void {
    if (this.#fd === null) return;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = null;
  }
}
