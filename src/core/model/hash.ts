/** Small deterministic hashes for simulated names and addresses. */
export function fnv1a(text: string, from = 0x811c9dc5): number {
  // `from` continues a hash: fnv1a(a + b) === fnv1a(b, fnv1a(a)).
  let h = from;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The alphabet Kubernetes uses for generated name suffixes (k8s.io/apimachinery/pkg/util/rand). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function nameSuffix(seed: string, length: number): string {
  let out = '';
  let h = fnv1a(seed);
  for (let i = 0; i < length; i++) {
    if (i % 5 === 0 && i > 0) h = fnv1a(seed + ':' + i);
    out += ALPHABET[h % ALPHABET.length];
    h = Math.floor(h / ALPHABET.length);
  }
  return out;
}

/** nameSuffix(seed, length) for length <= 5, from fnv1a(seed) computed by the caller. */
export function shortSuffix(seedHash: number, length: number): string {
  let out = '';
  let h = seedHash;
  for (let i = 0; i < Math.min(length, 5); i++) {
    out += ALPHABET[h % ALPHABET.length];
    h = Math.floor(h / ALPHABET.length);
  }
  return out;
}
