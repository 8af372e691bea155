/** Port and address helpers shared by the save and listing parsers. */
import { formatCIDR, parseCIDR, parseIP } from '../net/ip';
import type { AddrMatch } from './types';

/** `80`, `1000:2000`, `80,443,8000:8080` (ranges [from,to]); undefined when malformed. */
export function parsePortList(text: string): [number, number][] | undefined {
  const out: [number, number][] = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,5})(?:[:-](\d{1,5}))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 65535 || to > 65535 || to < from) return undefined;
    out.push([from, to]);
  }
  return out.length ? out : undefined;
}

export function formatPortList(ranges: [number, number][]): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',');
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** IPv4 dotted quad to an unsigned 32-bit number (fast path; undefined when not plain IPv4). */
export function ipv4Number(text: string): number | undefined {
  const m = V4.exec(text);
  if (!m || m[5] !== undefined) return undefined;
  const a = +m[1]!, b = +m[2]!, c = +m[3]!, d = +m[4]!;
  if (a > 255 || b > 255 || c > 255 || d > 255) return undefined;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.0.0.1`, `10.0.0.0/8`, `fd00::1/128`, `10.0.0.0/255.0.0.0` -> an address match; undefined if malformed. */
export function parseAddr(kind: 'src' | 'dst', text: string, negate: boolean): AddrMatch | undefined {
  const m = V4.exec(text);
  if (m) {
    const a = +m[1]!, b = +m[2]!, c = +m[3]!, d = +m[4]!;
    const prefix = m[5] === undefined ? 32 : +m[5];
    if (a > 255 || b > 255 || c > 255 || d > 255 || prefix > 32) return undefined;
    const mask = v4Mask(prefix);
    const base = (((a << 24) | (b << 16) | (c << 8) | d) & mask) >>> 0;
    return { kind, negate, cidr: { family: 'IPv4', base: BigInt(base), prefix, bits: 32 }, text: `${formatIPv4(base)}/${prefix}`, v4: { base, mask } };
  }
  let t = text;
  const slash = t.indexOf('/');
  if (slash > 0 && t.slice(slash + 1).includes('.')) {
    const mask = parseIP(t.slice(slash + 1));
    if (!mask || mask.family !== 'IPv4') return undefined;
    const bits = mask.value.toString(2).padStart(32, '0');
    if (!/^1*0*$/.test(bits)) return undefined;
    t = `${t.slice(0, slash)}/${bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')}`;
  } else if (slash < 0) {
    const ip = parseIP(t);
    if (!ip) return undefined;
    t = `${t}/${ip.family === 'IPv4' ? 32 : 128}`;
  }
  const cidr = parseCIDR(t);
  if (!cidr) return undefined;
  return { kind, negate, cidr, text: formatCIDR(cidr) };
}
