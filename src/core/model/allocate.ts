/** Addresses the API server would assign when manifests leave them out: deterministic, marked as assigned. */
import { cidrAt, cidrContains, cidrSize, ipv4At, parseCIDR, parseIP, type CIDR } from '../net/ip';
import { externallyAccessible } from './defaults';
import { fnv1a } from './hash';
import type { ServiceModel } from './types';

export function assignAddresses(services: ServiceModel[], serviceCIDRs: string[], nodePortRange: { min: number; max: number }): void {
  const cidrs = parseCIDRs(serviceCIDRs);
  const used: Used = { ips: new Set(), ports: new Set() };
  for (const s of services) taken(s, true, used);
  // Sorted so the result does not depend on file order.
  const ordered = services.map((s) => ({ s, k: key(s) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (const { s } of ordered) assignService(s, cidrs, used, nodePortRange);
}

/** Cluster IPs and node ports in use while handing them out. */
interface Used {
  ips: Set<string>;
  ports: Set<number>;
}

function parseCIDRs(serviceCIDRs: string[]): CIDR[] {
  return serviceCIDRs.map(parseCIDR).filter((c): c is CIDR => !!c);
}

/** Adds to `into` the addresses a Service holds: those written in it (`written`), or those assigned to it. */
function taken(s: ServiceModel, written: boolean, into: Used): void {
  if (s.clusterIPAssigned !== written) for (const ip of s.clusterIPs) into.ips.add(ip);
  for (const p of s.ports) if (p.nodePort && p.nodePortAssigned !== written) into.ports.add(p.nodePort);
  if (s.healthCheckNodePort && s.healthCheckNodePortAssigned !== written) into.ports.add(s.healthCheckNodePort);
}

/** One Service's turn: the addresses it leaves out, picked from what is still free. */
function assignService(s: ServiceModel, cidrs: CIDR[], used: Used, nodePortRange: { min: number; max: number }): void {
  if (s.type === 'ExternalName' || s.headless) return;
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
      const ip = s.namespace === 'default' && s.name === 'kubernetes' ? cidrAt(cidr, 1n) : pickIP(cidr, key(s), used.ips);
      if (ip) {
        used.ips.add(ip);
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
      p.nodePort = twin ? twin.nodePort : pickPort(`${key(s)}:${p.index}`, used.ports, nodePortRange);
      p.nodePortAssigned = true;
    }
  }
  if (s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local' && externallyAccessible(s) && !s.healthCheckNodePort) {
    s.healthCheckNodePort = pickPort(`${key(s)}:hc`, used.ports, nodePortRange);
    s.healthCheckNodePortAssigned = true;
  }
}

/**
 * Assigns the addresses of `after`, a fresh model of the Service `before` had (same namespace and name) in
 * a list whose every other Service kept its addresses from the build `before` came from. True when that is
 * what `assignAddresses` over the whole list gives: the Service writes the same addresses as before and is
 * handed the same ones (the same set, whatever it now asks for), so every other Service's turn is unchanged.
 * False (and `after` is not to be used) otherwise.
 */
export function reassignService(services: readonly ServiceModel[], before: ServiceModel, after: ServiceModel, serviceCIDRs: string[], nodePortRange: { min: number; max: number }): boolean {
  const k = key(after);
  if (key(before) !== k) return false;
  const writtenBefore: Used = { ips: new Set(), ports: new Set() };
  const writtenAfter: Used = { ips: new Set(), ports: new Set() };
  taken(before, true, writtenBefore);
  taken(after, true, writtenAfter);
  if (!sameUsed(writtenBefore, writtenAfter)) return false;
  // What was in use at its turn: every written address, and those handed to the Services sorted before it.
  const used: Used = { ips: new Set(), ports: new Set() };
  for (const s of services) {
    if (s === after) continue;
    const sk = key(s);
    if (sk === k) return false;
    taken(s, true, used);
    if (sk < k) taken(s, false, used);
  }
  taken(after, true, used);
  assignService(after, parseCIDRs(serviceCIDRs), used, nodePortRange);
  const assignedBefore: Used = { ips: new Set(), ports: new Set() };
  const assignedAfter: Used = { ips: new Set(), ports: new Set() };
  taken(before, false, assignedBefore);
  taken(after, false, assignedAfter);
  return sameUsed(assignedBefore, assignedAfter);
}

function sameUsed(a: Used, b: Used): boolean {
  if (a.ips.size !== b.ips.size || a.ports.size !== b.ports.size) return false;
  for (const ip of a.ips) if (!b.ips.has(ip)) return false;
  for (const p of a.ports) if (!b.ports.has(p)) return false;
  return true;
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
