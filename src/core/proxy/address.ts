/** Canonical addresses for the proxy model, with a fast path for the common dotted-quad case. */
import { canonicalIP, ipFamily } from '../net/ip';
import type { IPFamily } from '../model/types';

export interface Address {
  ip: string;
  family: IPFamily;
}

/** Go's ParseIPSloppy(text).String() with its family; undefined when not an IP. */
export function canonicalAddress(text: unknown): Address | undefined {
  if (typeof text !== 'string') return undefined;
  if (isPlainIPv4(text)) return { ip: text, family: 'IPv4' };
  const ip = canonicalIP(text);
  if (!ip) return undefined;
  return { ip, family: ipFamily(ip)! };
}

/** The canonical address when `text` is an IP of `family` (no object allocated for a plain dotted quad). */
export function addressOfFamily(text: unknown, family: IPFamily): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (isPlainIPv4(text)) return family === 'IPv4' ? text : undefined;
  const a = canonicalAddress(text);
  return a && a.family === family ? a.ip : undefined;
}

/** Four decimal octets 0-255 without leading zeros: already canonical. */
function isPlainIPv4(s: string): boolean {
  let octets = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      octets++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else return false;
  }
  return octets === 4;
}
