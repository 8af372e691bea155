/** Evaluates one match against the first packet of a new connection. */
import { cidrContains, isLoopback, type ParsedIP } from '../net/ip';
import type { Match } from '../rules/types';

export interface PacketState {
  /** IPv4 addresses as unsigned 32-bit numbers (undefined for IPv6). */
  src4?: number;
  dst4?: number;
  src: ParsedIP;
  srcText: string;
  dst: ParsedIP;
  dstText: string;
  /** The index key for the destination (`10.0.0.1/32`), computed once per address rather than per chain. */
  dstKey: string;
  dport: number;
  proto: string;
  mark: number;
  dnat: boolean;
}

export interface MatchEnv {
  localIPs: Set<string>;
  inInterface?: string;
  outInterface?: string;
  warn(message: string): void;
}

/** true / false, or the probability that it matches (statistic). */
export function evalMatch(m: Match, p: PacketState, env: MatchEnv): boolean | number {
  switch (m.kind) {
    case 'src':
      if (m.v4 && p.src4 !== undefined) return ((p.src4 & m.v4.mask) >>> 0 === m.v4.base) !== m.negate;
      return cidrContains(m.cidr, p.src) !== m.negate;
    case 'dst':
      if (m.v4 && p.dst4 !== undefined) return ((p.dst4 & m.v4.mask) >>> 0 === m.v4.base) !== m.negate;
      return cidrContains(m.cidr, p.dst) !== m.negate;
    case 'proto':
      return (m.proto === 'all' || m.proto === p.proto) !== m.negate;
    case 'in':
    case 'out': {
      const iface = m.kind === 'in' ? env.inInterface : env.outInterface;
      if (iface === undefined) {
        env.warn(`${m.kind === 'in' ? 'input' : 'output'} interface unknown: "${m.negate ? '! ' : ''}-${m.kind === 'in' ? 'i' : 'o'} ${m.iface}" assumed ${m.negate ? 'to match' : 'not to match'}`);
        return m.negate;
      }
      const hit = m.iface.endsWith('+') ? iface.startsWith(m.iface.slice(0, -1)) : iface === m.iface;
      return hit !== m.negate;
    }
    case 'comment':
    case 'nfacct':
      return true;
    case 'port': {
      if (m.which === 'sport') {
        // The client's source port is ephemeral and unknown: only "any port" style matches hold.
        env.warn(`source port unknown: "${m.negate ? '! ' : ''}--sport" assumed not to match`);
        return m.negate;
      }
      let hit = false;
      for (const [a, b] of m.ranges) if (p.dport >= a && p.dport <= b) hit = true;
      return hit !== m.negate;
    }
    case 'addrtype': {
      const ip = m.which === 'src' ? p.srcText : p.dstText;
      const n = m.which === 'src' ? p.src4 : p.dst4;
      let hit: boolean;
      if (m.type === 'LOCAL') hit = env.localIPs.has(ip) || (n !== undefined ? n >>> 24 === 127 : isLoopback(ip));
      else if (m.type === 'UNICAST') hit = !isMulticastOrBroadcast(ip);
      else if (m.type === 'MULTICAST' || m.type === 'BROADCAST') hit = isMulticastOrBroadcast(ip);
      else {
        env.warn(`addrtype ${m.type} is not modelled: assumed not to match`);
        return false;
      }
      return hit !== m.negate;
    }
    case 'mark':
      return ((p.mark & m.mask) >>> 0 === (m.value & m.mask) >>> 0) !== m.negate;
    case 'ctstate': {
      const hit = m.states.some((s) => s === 'NEW' || (s === 'DNAT' && p.dnat));
      return hit !== m.negate;
    }
    case 'statistic': {
      const prob = m.mode === 'random' ? m.probability : 1 / m.every;
      return m.negate ? 1 - prob : prob;
    }
    case 'recent':
      // No affinity entry exists for a new client: --rcheck/--update do not match; --set records and matches.
      return (m.op === 'set') !== m.negate;
    case 'set':
      env.warn(`ipset ${m.name} contents are unknown: "-m set --match-set ${m.name}" assumed ${m.negate ? 'to match' : 'not to match'}`);
      return m.negate;
    case 'opaque':
      env.warn(`"${m.text}" is not modelled: assumed not to match`);
      return false;
  }
}

function isMulticastOrBroadcast(ip: string): boolean {
  if (ip === '255.255.255.255') return true;
  const first = Number(ip.split('.')[0]);
  if (!ip.includes(':')) return first >= 224 && first <= 239;
  return ip.toLowerCase().startsWith('ff');
}
