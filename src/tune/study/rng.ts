/** A small seeded uniform [0,1) generator (xorshift32 over an FNV-1a hash of the seed parts) for sampler contexts. */
export function seededRandom(...parts: Array<string | number>): () => number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let s = h || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}
