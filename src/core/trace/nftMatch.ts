/** How one nft selector (`ip daddr`, `meta l4proto`, `th dport`, `fib daddr type`...) reads a packet, and how values compare. */
import { cidrContains, isLoopback, parseCIDR, parseIP } from '../net/ip';

export interface NftPacket {
  family: 'IPv4' | 'IPv6';
  src: string;
  dst: string;
  dport: number;
  /** tcp, udp or sctp. */
  proto: string;
  mark: number;
  /** `dnat` once the connection was destination-NATed (what `ct status dnat` matches). */
  ctStatus?: string;
}

export interface NftEnv {
  localIPs: Set<string>;
  inInterface?: string;
  outInterface?: string;
  warn(message: string): void;
}

const PROTO_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '132': 'sctp' };
const SERVICE_NAMES: Record<string, number> = { http: 80, https: 443, domain: 53, ssh: 22, 'http-alt': 8080 };

export type KeyValue = { kind: 'ip'; value: string } | { kind: 'port'; value: number } | { kind: 'word'; value: string } | { kind: 'mark'; value: number } | { kind: 'iface'; value: string | undefined };

function isLocal(ip: string, env: NftEnv): boolean {
  return env.localIPs.has(ip) || isLoopback(ip);
}

/** The packet's value for a selector, or undefined when the selector does not apply (e.g. `tcp dport` on UDP). */
export function keyValue(key: string, p: NftPacket, env: NftEnv): KeyValue | undefined {
  switch (key) {
    case 'ip saddr':
      return p.family === 'IPv4' ? { kind: 'ip', value: p.src } : undefined;
    case 'ip daddr':
      return p.family === 'IPv4' ? { kind: 'ip', value: p.dst } : undefined;
    case 'ip6 saddr':
      return p.family === 'IPv6' ? { kind: 'ip', value: p.src } : undefined;
    case 'ip6 daddr':
      return p.family === 'IPv6' ? { kind: 'ip', value: p.dst } : undefined;
    case 'meta l4proto':
    case 'ip protocol':
    case 'ip6 nexthdr':
      return { kind: 'word', value: p.proto };
    case 'th dport':
      return { kind: 'port', value: p.dport };
    case 'tcp dport':
    case 'udp dport':
    case 'sctp dport':
      return key.startsWith(p.proto) ? { kind: 'port', value: p.dport } : undefined;
    case 'fib daddr type':
      return { kind: 'word', value: isLocal(p.dst, env) ? 'local' : 'unicast' };
    case 'fib saddr type':
      return { kind: 'word', value: isLocal(p.src, env) ? 'local' : 'unicast' };
    case 'ct state':
      // The first packet of a new connection: no conntrack entry exists yet.
      return { kind: 'word', value: 'new' };
    case 'ct status':
      return { kind: 'word', value: p.ctStatus ?? '' };
    case 'mark':
      return { kind: 'mark', value: p.mark };
    case 'meta nfproto':
      return { kind: 'word', value: p.family === 'IPv4' ? 'ipv4' : 'ipv6' };
    case 'iifname':
      return { kind: 'iface', value: env.inInterface };
    case 'oifname':
      return { kind: 'iface', value: env.outInterface };
    default:
      return undefined;
  }
}

function num(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text, 16);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}

function ipCompare(a: string, b: string): number {
  const x = parseIP(a);
  const y = parseIP(b);
  if (!x || !y) return NaN;
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
}

/** Does the packet value equal (or fall inside) one written value? */
export function valueMatches(v: KeyValue, text: string, env: NftEnv, mask?: string): boolean {
  const t = text.replace(/^"|"$/g, '');
  switch (v.kind) {
    case 'ip': {
      if (t.includes('/')) {
        const c = parseCIDR(t);
        return !!c && cidrContains(c, v.value);
      }
      const range = /^(.+?)-(.+)$/.exec(t);
      if (range && parseIP(range[1]!) && parseIP(range[2]!)) return ipCompare(v.value, range[1]!) >= 0 && ipCompare(v.value, range[2]!) <= 0;
      return ipCompare(v.value, t) === 0;
    }
    case 'port': {
      const range = /^(\d+)-(\d+)$/.exec(t);
      if (range) return v.value >= Number(range[1]) && v.value <= Number(range[2]);
      const n = num(t) ?? SERVICE_NAMES[t];
      return n === v.value;
    }
    case 'word':
      return t.split(',').some((w) => w === v.value || PROTO_NUMBERS[w] === v.value);
    case 'mark': {
      const m = mask ? num(mask) : undefined;
      const want = num(t);
      if (want === undefined) return false;
      return ((m === undefined ? v.value : v.value & m) >>> 0) === want >>> 0;
    }
    case 'iface': {
      if (v.value === undefined) {
        env.warn(`an interface match (${t}) cannot be evaluated without knowing the interface; assumed not to match`);
        return false;
      }
      return t.endsWith('*') ? v.value.startsWith(t.slice(0, -1)) : v.value === t;
    }
  }
}
