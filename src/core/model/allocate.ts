/** Addresses the API server would assign when manifests leave them out: deterministic, marked as assigned. */
import { cidrAt, cidrContains, cidrSize, ipv4At, parseCIDR, parseIP, type CIDR } from '../net/ip';
import { externallyAccessible } from './defaults';
import { fnv1a } from './hash';
import type { ServiceModel } from './types';

export function assignAddresses(services: ServiceModel[], serviceCIDRs: string[], nodePortRange: { min: number; max: number }): void {
  const cidrs = serviceCIDRs.map(parseCIDR).filter((c): c is CIDR => !!c);
  const usedIPs = new Set<string>();
  const usedPorts = new Set<number>();
  for (const s of services) {
    for (const ip of s.clusterIPs) usedIPs.add(ip);
    for (const p of s.ports) if (p.nodePort) usedPorts.add(p.nodePort);
    if (s.healthCheckNodePort) usedPorts.add(s.healthCheckNodePort);
  }
  // Sorted so the result does not depend on file order.
  const ordered = services.map((s) => ({ s, k: key(s) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (const { s } of ordered) {
    if (s.type === 'ExternalName' || s.headless) continue;
    if (!s.clusterIPs.length) {
      const ips: string[] = [];
      // PreferDualStack on a dual-stack cluster gets both families, the written one first.
      if (s.ipFamilyPolicy === 'PreferDualStack' && s.ipFamilies.length === 1) {
        const other = s.ipFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4';
        if (cidrs.some((c) => c.family === other)) s.ipFamilies = [s.ipFamilies[0]!, other];
      }
      for (const fam of s.ipFamilies) {
        const cidr = cidrs.find((c) => c.family === fam);
        if (!cidr) continue;
        const ip = s.namespace === 'default' && s.name === 'kubernetes' ? cidrAt(cidr, 1n) : pickIP(cidr, key(s), usedIPs);
        if (ip) {
          usedIPs.add(ip);
          ips.push(ip);
        }
        if (s.ipFamilyPolicy === 'SingleStack') break;
      }
      if (ips.length) {
        s.clusterIPs = ips;
        s.clusterIP = ips[0]!;
        s.clusterIPAssigned = true;
      }
    }
    const wantsNodePorts = s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts);
    if (wantsNodePorts) {
      for (const p of s.ports) {
        if (p.nodePort) continue;
        // Ports sharing a number across protocols share the node port, as the API server does.
        const twin = s.ports.find((q) => q !== p && q.port === p.port && q.nodePort);
        p.nodePort = twin ? twin.nodePort : pickPort(`${key(s)}:${p.index}`, usedPorts, nodePortRange);
        p.nodePortAssigned = true;
      }
    }
    if (s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local' && externallyAccessible(s) && !s.healthCheckNodePort) {
      s.healthCheckNodePort = pickPort(`${key(s)}:hc`, usedPorts, nodePortRange);
      s.healthCheckNodePortAssigned = true;
    }
  }
}

function key(s: ServiceModel): string {
  return `${s.namespace}/${s.name}`;
}

/**
 * Each Service's first-choice address, remembered across builds (every build re-assigns the addresses of
 * its own model copies; the hash and big-integer arithmetic were most of that). Only the first choice is
 * remembered, so the result is the same as probing from scratch.
 */
const firstChoice = new Map<string, string>();

/** A CIDR's part of the first-choice key, written once per parsed CIDR (its base is a big integer). */
const cidrKeys = new WeakMap<CIDR, string>();

function pickIP(cidr: CIDR, seed: string, used: Set<string>): string | undefined {
  let cidrKey = cidrKeys.get(cidr);
  if (cidrKey === undefined) cidrKeys.set(cidr, (cidrKey = `${cidr.family}/${cidr.base}/${cidr.prefix}`));
  const memo = `${cidrKey}\0${seed}`;
  const first = firstChoice.get(memo);
  if (first !== undefined && !used.has(first)) return first;
  const size = cidrSize(cidr);
  // Leave out the network address, .1 (the kubernetes Service) and, for IPv4, the broadcast address.
  const usable = size - (cidr.family === 'IPv4' ? 3n : 2n);
  if (usable <= 0n) return undefined;
  const limit = usable < 100000n ? Number(usable) : 100000;
  if (first === undefined && firstChoice.size >= 200_000) firstChoice.clear();
  if (cidr.family === 'IPv4') {
    // The same probe on plain numbers (an IPv4 network has at most 2^32 addresses).
    const n = Number(usable);
    const base = Number(cidr.base);
    const from = fnv1a(seed) % n;
    if (first === undefined) firstChoice.set(memo, ipv4At(base, 2 + from));
    for (let i = 0; i < limit; i++) {
      const ip = ipv4At(base, 2 + ((from + i) % n));
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }
  const start = BigInt(fnv1a(seed)) % usable;
  if (first === undefined) firstChoice.set(memo, cidrAt(cidr, 2n + start));
  for (let i = 0; i < limit; i++) {
    const ip = cidrAt(cidr, 2n + ((start + BigInt(i)) % usable));
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

function pickPort(seed: string, used: Set<number>, range: { min: number; max: number }): number {
  const span = range.max - range.min + 1;
  const start = fnv1a(seed) % span;
  for (let i = 0; i < span; i++) {
    const p = range.min + ((start + i) % span);
    if (!used.has(p)) {
      used.add(p);
      return p;
    }
  }
  return 0;
}

export function inServiceCIDRs(ip: string, cidrs: string[]): boolean {
  const p = parseIP(ip);
  return !!p && cidrs.some((c) => {
    const parsed = parseCIDR(c);
    return !!parsed && cidrContains(parsed, p);
  });
}
