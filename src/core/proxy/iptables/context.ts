/** Proxier-wide settings for one iptables sync, derived from the KubeProxyConfiguration and the node. */
import { cidrContains, formatCIDR, isLoopback, parseCIDR, type CIDR } from '../coreDeps';
import type { ClusterState, IPFamily } from '../coreDeps';
import type { LocalDetector, ProxyNode } from '../types';
import { masqueradeMark } from '../mark';
import { CURRENT_PROFILE, type IPTablesProfile } from './profiles';

export interface IPTablesOptions {
  /** Version profile (default: the current layout). */
  profile?: IPTablesProfile;
  /** iptables supports --random-fully (true on any iptables >= 1.6.2). */
  randomFully?: boolean;
  /** The nfacct counters could be created (true on kernels with nfnetlink_acct). */
  nfacct?: boolean;
}

export interface SyncContext {
  family: IPFamily;
  profile: IPTablesProfile;
  node: ProxyNode;
  detector: LocalDetector;
  masqueradeAll: boolean;
  mark: string;
  randomFully: boolean;
  localhostNodePorts: boolean;
  tcpBeLiberal: boolean;
  nfacctInvalid: boolean;
  nfacctLocalhost: boolean;
  nodePorts: NodePortAddresses;
  largeClusterMode: boolean;
}

/** pkg/proxy/util NodePortAddresses for one family. */
export interface NodePortAddresses {
  matchAll: boolean;
  cidrs: CIDR[];
  containsIPv4Loopback: boolean;
}

export function nodePortAddresses(family: IPFamily, raw: readonly string[], node: ProxyNode): NodePortAddresses {
  const cidrs: CIDR[] = [];
  for (const text of raw) {
    // "primary" (v1.29+) means the node's primary IP of the family.
    const t = text.trim() === 'primary' ? (node.primaryIP[family] ? `${node.primaryIP[family]}/${family === 'IPv4' ? 32 : 128}` : '') : text;
    const c = parseCIDR(t);
    if (c && c.family === family) cidrs.push(c);
  }
  if (!cidrs.length) cidrs.push(parseCIDR(family === 'IPv4' ? '0.0.0.0/0' : '::/0')!);
  const npa: NodePortAddresses = { matchAll: false, cidrs: [], containsIPv4Loopback: false };
  for (const c of cidrs) {
    if (c.family === 'IPv4' && (isLoopback(formatCIDR(c).split('/')[0]!) || cidrContains(c, '127.0.0.1'))) npa.containsIPv4Loopback = true;
    if (c.prefix === 0) {
      npa.cidrs = [c];
      npa.matchAll = true;
      break;
    }
    npa.cidrs.push(c);
  }
  return npa;
}

/** The node's addresses that NodePorts answer on when nodePortAddresses is set: loopback first, as `lo` comes first. */
export function nodePortIPs(npa: NodePortAddresses, node: ProxyNode, family: IPFamily): string[] {
  const candidates = [family === 'IPv4' ? '127.0.0.1' : '::1', ...node.ips];
  return candidates.filter((ip) => npa.cidrs.some((c) => cidrContains(c, ip)));
}

export function syncContext(state: ClusterState, node: ProxyNode, detector: LocalDetector, family: IPFamily, totalEndpoints: number, options: IPTablesOptions): SyncContext {
  const profile = options.profile ?? CURRENT_PROFILE;
  const p = state.proxy;
  const nodePorts = nodePortAddresses(family, p.nodePortAddresses, node);
  const nfacct = options.nfacct ?? true;
  return {
    family,
    profile,
    node,
    detector,
    masqueradeAll: p.masqueradeAll,
    mark: masqueradeMark(Number.isInteger(p.masqueradeBit) && p.masqueradeBit >= 0 && p.masqueradeBit <= 31 ? p.masqueradeBit : 14),
    randomFully: options.randomFully ?? true,
    // NewDualStackProxier passes localhostNodePorts=false to the IPv6 proxier; NewProxier turns it off
    // when nodePortAddresses leaves out 127.0.0.1.
    localhostNodePorts: family === 'IPv4' && p.localhostNodePorts && nodePorts.containsIPv4Loopback,
    tcpBeLiberal: p.tcpBeLiberal,
    nfacctInvalid: nfacct && profile.nfacctInvalid,
    nfacctLocalhost: nfacct && profile.nfacctLocalhost,
    nodePorts,
    largeClusterMode: totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD,
  };
}

/** largeClusterEndpointsThreshold in proxier.go. */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;
