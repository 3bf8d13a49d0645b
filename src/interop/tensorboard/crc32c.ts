/**
 * CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum TFRecord framing uses,
 * and TensorFlow's "masked" form of it. Test vectors: RFC 3720 appendix B.4.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of the bytes, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * TensorFlow masks stored CRCs (rotate right by 15, add a constant) because computing the CRC of
 * a string that itself contains CRCs is problematic (tensorflow/core/lib/hash/crc32c.h).
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
