/**
 * SHA-256 and RFC 4648 base32 in plain TypeScript (the core may not use node:crypto).
 * kube-proxy names its chains from base32(sha256(text)), so these must be bit-exact. Chain names
 * are hashed by the hundred thousand in large clusters, so the block loop reuses its buffers.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** UTF-8 bytes of a string (Go hashes the string's bytes). */
export function utf8(text: string): Uint8Array {
  let ascii = true;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

const W = new Int32Array(64);
const H = new Int32Array(8);

function compress(block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  rounds();
}

/** One block's rounds on the message words in W[0..15], added into H. */
function rounds(): void {
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!;
    const b = W[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export function sha256(data: Uint8Array): Uint8Array {
  H.set(IV);
  const whole = data.length - (data.length % 64);
  for (let off = 0; off < whole; off += 64) compress(data, off);
  // The tail, the 0x80 marker and the 64-bit bit length, in one or two blocks.
  const rest = data.length - whole;
  const tail = new Uint8Array(rest + 9 <= 64 ? 64 : 128);
  tail.set(data.subarray(whole));
  tail[rest] = 0x80;
  const bits = data.length * 8;
  const hi = Math.floor(bits / 0x100000000);
  const end = tail.length;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = (hi >>> 16) & 255;
  tail[end - 6] = (hi >>> 8) & 255;
  tail[end - 5] = hi & 255;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = (bits >>> 16) & 255;
  tail[end - 2] = (bits >>> 8) & 255;
  tail[end - 1] = bits & 255;
  for (let off = 0; off < end; off += 64) compress(tail, off);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 255;
    out[i * 4 + 2] = (v >>> 8) & 255;
    out[i * 4 + 3] = v & 255;
  }
  return out;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B32_CODES = Uint8Array.from(B32, (ch) => ch.charCodeAt(0));

/** Go's base32.StdEncoding.EncodeToString (with `=` padding). */
export function base32(data: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}

export function sha256Hex(text: string): string {
  return [...sha256(utf8(text))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** base32(sha256(text)), the encoding kube-proxy truncates for chain and set names. */
export function hashBase32(text: string): string {
  return base32(sha256(utf8(text)));
}

/**
 * The first 16 base32 characters of sha256(text): the 80 bits iptables chain names use. ASCII text
 * (every chain name input in practice) is read into the message words straight from its characters,
 * with no byte buffer; other text goes through the UTF-8 bytes.
 */
export function hashBase32Prefix16(text: string): string {
  const n = text.length;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 0x7f) return base32(sha256(utf8(text)).subarray(0, 10));
  // The message is the text, the 0x80 marker, zeros, then the 64-bit bit length, in whole blocks.
  const blocks = (n + 9 + 63) >>> 6;
  const bits = n * 8;
  H.set(IV);
  for (let b = 0; b < blocks; b++) {
    const base = b * 64;
    for (let w = 0; w < 16; w++) {
      const at = base + w * 4;
      let word = 0;
      if (at + 4 <= n) {
        word = (text.charCodeAt(at) << 24) | (text.charCodeAt(at + 1) << 16) | (text.charCodeAt(at + 2) << 8) | text.charCodeAt(at + 3);
      } else {
        for (let k = 0; k < 4; k++) {
          const j = at + k;
          const byte = j < n ? text.charCodeAt(j) : j === n ? 0x80 : 0;
          word = (word << 8) | byte;
        }
      }
      W[w] = word;
    }
    if (b === blocks - 1) {
      W[14] = Math.floor(bits / 0x100000000);
      W[15] = bits | 0;
    }
    rounds();
  }
  // The first 10 bytes of the digest, five bits per character: 80 bits from the first three words.
  const h0 = H[0]! >>> 0;
  const h1 = H[1]! >>> 0;
  const h2 = H[2]! >>> 16;
  const c = B32_CODES;
  return String.fromCharCode(
    c[h0 >>> 27]!, c[(h0 >>> 22) & 31]!, c[(h0 >>> 17) & 31]!, c[(h0 >>> 12) & 31]!, c[(h0 >>> 7) & 31]!, c[(h0 >>> 2) & 31]!,
    c[((h0 & 3) << 3) | (h1 >>> 29)]!, c[(h1 >>> 24) & 31]!, c[(h1 >>> 19) & 31]!, c[(h1 >>> 14) & 31]!, c[(h1 >>> 9) & 31]!, c[(h1 >>> 4) & 31]!,
    c[((h1 & 15) << 1) | (h2 >>> 15)]!, c[(h2 >>> 10) & 31]!, c[(h2 >>> 5) & 31]!, c[h2 & 31]!,
  );
}
