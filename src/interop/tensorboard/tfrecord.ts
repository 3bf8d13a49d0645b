import { maskedCrc32c } from './crc32c.js';

/**
 * One TFRecord: uint64 length, uint32 masked CRC-32C of those 8 length bytes, the payload, and
 * uint32 masked CRC-32C of the payload; all little-endian. TensorBoard event files are a
 * sequence of these, each payload one serialized Event.
 */
export function tfrecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + payload.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(payload.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}

/** Splits a TFRecord stream into payloads, checking both CRCs of every record. */
export function readTfrecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`TFRecord: truncated header at byte ${at}`);
    const length = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) throw new Error(`TFRecord: length CRC mismatch at byte ${at}`);
    const end = at + 12 + length;
    if (end + 4 > bytes.length) throw new Error(`TFRecord: truncated record at byte ${at}`);
    const payload = bytes.subarray(at + 12, end);
    if (view.getUint32(end, true) !== maskedCrc32c(payload)) throw new Error(`TFRecord: payload CRC mismatch at byte ${at}`);
    records.push(payload);
    at = end + 4;
  }
  return records;
}
