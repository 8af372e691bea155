/** Port and address helpers shared by the save and listing parsers. */
import { formatCIDR, parseCIDR, parseIP } from '../net/ip';
import type { AddrMatch } from './types';

/** `80`, `1000:2000`, `80,443,8000:8080` (ranges [from,to]); undefined when malformed. */
export function parsePortList(text: string): [number, number][] | undefined {
  const single = plainPort(text);
  if (single !== undefined) return single <= 65535 ? [[single, single]] : undefined;
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

/** One to five decimal digits as a number (the common `--dport 80`), else undefined. */
function plainPort(text: string): number | undefined {
  const n = text.length;
  if (n < 1 || n > 5) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return v;
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

/**
 * A dotted quad with an optional `/prefix`, read by char codes (the hot path of a 100,000-rule dump):
 * [address, prefix], prefix -1 when absent; undefined when the text is anything else. Accepts exactly
 * what /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/ accepts, values unchecked.
 */
function scanV4(text: string): [number, number] | undefined {
  const n = text.length;
  let i = 0;
  let addr = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || text.charCodeAt(i) !== 46) return undefined;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < n && i - start < 4) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i++;
    }
    const len = i - start;
    if (len < 1 || len > 3) return undefined;
    if (v > 255) return [-1, -1];
    addr = addr * 256 + v;
  }
  if (i === n) return [addr, -1];
  if (text.charCodeAt(i) !== 47) return undefined;
  const start = ++i;
  let prefix = 0;
  while (i < n) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    prefix = prefix * 10 + c;
    i++;
  }
  const len = i - start;
  return len < 1 || len > 2 ? undefined : [addr, prefix];
}

/** `10.0.0.1`, `10.0.0.0/8`, `fd00::1/128`, `10.0.0.0/255.0.0.0` -> an address match; undefined if malformed. */
export function parseAddr(kind: 'src' | 'dst', text: string, negate: boolean): AddrMatch | undefined {
  const v4 = scanV4(text);
  if (v4) {
    const [addr, given] = v4;
    const prefix = given < 0 ? 32 : given;
    if (addr < 0 || prefix > 32) return undefined;
    const mask = v4Mask(prefix);
    const base = (addr & mask) >>> 0;
    // The canonical text is the input itself when it already is `a.b.c.d/p` with no host bits.
    const same = base === addr && noLeadingZeros(text);
    const canonical = given < 0 ? (same ? `${text}/32` : `${formatIPv4(base)}/32`) : same ? text : `${formatIPv4(base)}/${prefix}`;
    return { kind, negate, cidr: { family: 'IPv4', base: BigInt(base), prefix, bits: 32 }, text: canonical, v4: { base, mask } };
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

/** True when no number in a dotted quad (or its prefix) is written with a leading zero. */
function noLeadingZeros(text: string): boolean {
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c === 48 && (i === 0 || text.charCodeAt(i - 1) === 46 || text.charCodeAt(i - 1) === 47)) {
      const d = text.charCodeAt(i + 1);
      if (d >= 48 && d <= 57) return false;
    }
  }
  return true;
}
