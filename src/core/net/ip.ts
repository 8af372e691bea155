/** IPv4/IPv6 parsing and CIDR arithmetic (pure, BigInt for v6). */
import type { IPFamily } from '../model/types';

export interface ParsedIP {
  family: IPFamily;
  value: bigint;
}

/**
 * Parses like Go's netutils.ParseIPSloppy: IPv4 octets may carry leading zeros (read as decimal, as Go
 * before 1.17 did), and an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address, as Go's
 * net.IP (To4() != nil) and utilnet.IsIPv6 treat it.
 */
export function parseIP(text: string): ParsedIP | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    const v6 = parseIPv6(s);
    if (v6 && v6.value >> 32n === 0xffffn) return { family: 'IPv4', value: v6.value & 0xffffffffn };
    return v6;
  }
  return parseIPv4(s);
}

function parseIPv4(s: string): ParsedIP | undefined {
  const v = ipv4Number(s);
  return v === undefined ? undefined : { family: 'IPv4', value: BigInt(v) };
}

/** Four decimal parts (digits only, at most 8 each, value <= 255): the address as a number. */
function ipv4Number(s: string): number | undefined {
  let v = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || digits > 8 || part > 255 || ++parts > 4) return undefined;
      v = v * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
    } else return undefined;
  }
  return parts === 4 ? v : undefined;
}

function parseIPv6(s: string): ParsedIP | undefined {
  let text = s;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text.includes('%')) return undefined;
  // An embedded IPv4 suffix becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const p = parseIPv4(v4[1]!);
    if (!p) return undefined;
    text = text.slice(0, -v4[1]!.length) + `${(p.value >> 16n).toString(16)}:${(p.value & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const groups: bigint[] = [];
  for (const g of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 && total !== 8) return undefined;
  if (halves.length === 2 && total > 7) return undefined;
  for (const g of head) groups.push(BigInt(parseInt(g, 16)));
  for (let i = 0; i < 8 - total; i++) groups.push(0n);
  for (const g of rest) groups.push(BigInt(parseInt(g, 16)));
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return { family: 'IPv6', value: v };
}

export function formatIP(ip: ParsedIP): string {
  if (ip.family === 'IPv4') {
    const v = Number(ip.value & 0xffffffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** Canonical text of an address (Go's net.IP.String()); undefined when not an IP. */
export function canonicalIP(text: string): string | undefined {
  const p = parseIP(text);
  return p ? formatIP(p) : undefined;
}

export function ipFamily(text: string): IPFamily | undefined {
  // The family of an IPv4 text needs no big integer (endpoints ask it of every pod address).
  const s = text.trim();
  if (s.includes(':')) return parseIP(s)?.family;
  return ipv4Number(s) === undefined ? undefined : 'IPv4';
}

export interface CIDR {
  family: IPFamily;
  base: bigint;
  prefix: number;
  bits: number;
}

/** Go's ParseCIDRSloppy: a prefix may carry leading zeros; an IPv4-mapped network keeps its last 32 bits. */
export function parseCIDR(text: string): CIDR | undefined {
  const m = /^\s*([^/\s]+)\/(\d{1,8})\s*$/.exec(text);
  if (!m) return undefined;
  const ip = parseIP(m[1]!);
  if (!ip) return undefined;
  const bits = ip.family === 'IPv4' ? 32 : 128;
  let prefix = Number(m[2]);
  if (ip.family === 'IPv4' && m[1]!.includes(':')) {
    if (prefix < 96 || prefix > 128) return undefined;
    prefix -= 96;
  }
  if (prefix > bits) return undefined;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family: ip.family, base: ip.value & mask, prefix, bits };
}

/** Go's IPNet.String(): the masked network address and prefix. */
export function formatCIDR(c: CIDR): string {
  return `${formatIP({ family: c.family, value: c.base })}/${c.prefix}`;
}

export function canonicalCIDR(text: string): string | undefined {
  const c = parseCIDR(text);
  return c ? formatCIDR(c) : undefined;
}

export function cidrContains(c: CIDR, ip: ParsedIP | string): boolean {
  const p = typeof ip === 'string' ? parseIP(ip) : ip;
  if (!p || p.family !== c.family) return false;
  const shift = BigInt(c.bits - c.prefix);
  return p.value >> shift === c.base >> shift;
}

export function cidrSize(c: CIDR): bigint {
  return 1n << BigInt(c.bits - c.prefix);
}

/** The address at `offset` from the network address. */
export function cidrAt(c: CIDR, offset: bigint): string {
  return formatIP({ family: c.family, value: c.base + offset });
}

/**
 * cidrAt for an IPv4 network on plain numbers (`base` is Number(c.base); 0 <= offset < its size): no
 * big-integer arithmetic for the many addresses simulated pods and Services are handed.
 */
export function ipv4At(base: number, offset: number): string {
  const v = base + offset;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function isLoopback(ip: string): boolean {
  const p = parseIP(ip);
  if (!p) return false;
  return p.family === 'IPv4' ? p.value >> 24n === 127n : p.value === 1n;
}

/** `ip:port`, bracketing IPv6, as Go's net.JoinHostPort. */
export function joinHostPort(ip: string, port: number | string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Parses `ip:port` / `[v6]:port`. */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 0 || port > 65535) return undefined;
  return { host: m[1]!, port };
}
