/** The node perspective: which node's kube-proxy we are, and how it detects local (pod) traffic. */
import { canonicalCIDR, formatCIDR, ipFamily, parseCIDR, type CIDR } from '../net/ip';
import type { ClusterState, IPFamily } from '../model/types';
import type { LocalDetector, ProxyNode } from './types';

/** Name used when no Node object is given. */
export const PLACEHOLDER_NODE = 'node-1';

export class UnknownNodeError extends Error {}

/** The named node, the first Node given, or a placeholder without addresses. */
export function proxyNode(state: ClusterState, name?: string): ProxyNode {
  const node = name ? state.nodes.find((n) => n.name === name) : state.nodes[0];
  if (name && !node) {
    const known = state.nodes.map((n) => n.name);
    throw new UnknownNodeError(`no Node "${name}" in the given manifests${known.length ? ` (Nodes: ${known.slice(0, 10).join(', ')})` : ''}`);
  }
  if (!node) return { name: PLACEHOLDER_NODE, ips: [], primaryIP: {}, podCIDRs: [], placeholder: true };
  const primaryIP: Partial<Record<IPFamily, string>> = {};
  for (const ip of node.ips) {
    const fam = ipFamily(ip);
    if (fam && !primaryIP[fam]) primaryIP[fam] = ip;
  }
  return {
    name: node.name,
    ips: node.ips,
    primaryIP,
    zone: node.zone,
    podCIDRs: node.podCIDRs.map((c) => canonicalCIDR(c) ?? c),
    placeholder: false,
  };
}

const noop = (reason: string): LocalDetector => ({ mode: 'None', ifLocal: [], ifNotLocal: [], reason });

/** The local-traffic detector kube-proxy builds for one family (cmd/kube-proxy getLocalDetectors). */
export function localDetector(state: ClusterState, node: ProxyNode, family: IPFamily): LocalDetector {
  const p = state.proxy;
  const ofFamily = (cidrs: string[]) => cidrs.map((c) => parseCIDR(c)).filter((c): c is CIDR => !!c && c.family === family).map(formatCIDR);
  switch (p.detectLocalMode) {
    case 'ClusterCIDR': {
      const cidr = ofFamily(p.clusterCIDRs)[0];
      return cidr ? { mode: 'ClusterCIDR', ifLocal: ['-s', cidr], ifNotLocal: ['!', '-s', cidr], cidr } : noop(`no ${family} clusterCIDR is configured`);
    }
    case 'NodeCIDR': {
      const cidr = ofFamily(node.podCIDRs)[0];
      return cidr ? { mode: 'NodeCIDR', ifLocal: ['-s', cidr], ifNotLocal: ['!', '-s', cidr], cidr } : noop(`node ${node.name} has no ${family} podCIDR`);
    }
    case 'BridgeInterface':
      return p.bridgeInterface
        ? { mode: 'BridgeInterface', ifLocal: ['-i', p.bridgeInterface], ifNotLocal: ['!', '-i', p.bridgeInterface], iface: p.bridgeInterface }
        : noop('detectLocal.bridgeInterface is empty');
    case 'InterfaceNamePrefix':
      return p.interfaceNamePrefix
        ? { mode: 'InterfaceNamePrefix', ifLocal: ['-i', `${p.interfaceNamePrefix}+`], ifNotLocal: ['!', '-i', `${p.interfaceNamePrefix}+`], iface: `${p.interfaceNamePrefix}+` }
        : noop('detectLocal.interfaceNamePrefix is empty');
    default:
      return noop('no local traffic detector is configured');
  }
}
