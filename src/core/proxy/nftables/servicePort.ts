/** The nftables objects for one Service port (the body of syncProxyRules' per-service loop). */
import { cidrContains, parseCIDR } from '../coreDeps';
import type { LocalDetector, ProxiedServicePort, ProxyEndpoint } from '../types';
import { endpointNames, serviceChainNames } from './names';
import { numgenVmap, writeEndpointDNATs, writeEndpointJumps } from './endpointRules';
import { ensureChain } from './setup';
import type { NftTransaction } from './transaction';

export interface NftServiceContext {
  ipX: 'ip' | 'ip6';
  masqueradeAll: boolean;
  detector: LocalDetector;
  /** kube-proxy's node IP for this family (for LoadBalancerSourceRanges that include the node). */
  nodeIP: string | undefined;
  created: Set<string>;
  /** The ClusterIP masquerade rule matches the port too (before v1.34). */
  masqMatchesPort?: boolean;
  /** The masquerade mark: set inline (v1.36 layout) instead of jumping to mark-for-masquerade. */
  inlineMark?: string;
}

/** nft words matching traffic from (or not from) a local pod; [] when no detector is configured. */
export function detectorNFT(d: LocalDetector, ipX: 'ip' | 'ip6', local: boolean): string {
  switch (d.mode) {
    case 'ClusterCIDR':
    case 'NodeCIDR':
      return `${ipX} saddr ${local ? '' : '!= '}${d.cidr}`;
    case 'BridgeInterface':
      return `iifname ${local ? '' : '!= '}${d.iface}`;
    case 'InterfaceNamePrefix':
      return `iifname ${local ? '' : '!= '}${(d.iface ?? '').replace(/\+$/, '')}*`;
    default:
      return '';
  }
}

export function writeServicePort(tx: NftTransaction, sp: ProxiedServicePort, ctx: NftServiceContext): void {
  const { info, categorized } = sp;
  const { ipX, created } = ctx;
  const protocol = info.protocol.toLowerCase();
  const port = String(info.port);
  const names = serviceChainNames(info);
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorized;
  const affinity = info.sessionAffinity === 'ClientIP';
  // Each name is a SHA-256: compute once per endpoint.
  const epNamesCache = new Map<string, { chain: string; affinitySet: string }>();
  const epNames = (ep: ProxyEndpoint) => {
    let n = epNamesCache.get(ep.hostPort);
    if (!n) epNamesCache.set(ep.hostPort, (n = endpointNames(info, ep)));
    return n;
  };

  const inline = ctx.inlineMark !== undefined;
  if (!inline) for (const ep of allReachableEndpoints) ensureChain(tx, created, epNames(ep).chain);
  else
    for (const ep of allReachableEndpoints) {
      // v1.36: endpoint chains only carry affinity; every local endpoint joins the hairpin set.
      if (affinity) ensureChain(tx, created, epNames(ep).chain);
      if (ep.isLocal) tx.ensureElement('hairpin-connections', [ep.ip, ep.ip, protocol, String(ep.port)]);
    }
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && info.usesClusterEndpoints;
  if (usesClusterPolicyChain) ensureChain(tx, created, names.cluster);
  const usesLocalPolicyChain = localEndpoints.length > 0 && info.usesLocalEndpoints;
  if (usesLocalPolicyChain) ensureChain(tx, created, names.local);

  let internalChain = names.cluster;
  let hasInternalEndpoints = hasEndpoints;
  if (info.internalPolicyLocal) {
    internalChain = names.local;
    if (!localEndpoints.length) hasInternalEndpoints = false;
  }
  let externalPolicyChain = names.cluster;
  let hasExternalEndpoints = hasEndpoints;
  if (info.externalPolicyLocal) {
    externalPolicyChain = names.local;
    if (!localEndpoints.length) hasExternalEndpoints = false;
  }
  const usesExternalChain = hasEndpoints && info.externallyAccessible;
  if (usesExternalChain) ensureChain(tx, created, names.external);

  let internalVerdict = '';
  let externalVerdict = '';
  if (!hasEndpoints) internalVerdict = externalVerdict = 'goto reject-chain';
  else {
    if (!hasInternalEndpoints) internalVerdict = 'drop';
    if (!hasExternalEndpoints) externalVerdict = 'drop';
  }

  tx.ensureElement('cluster-ips', [info.clusterIP]);
  if (hasInternalEndpoints) tx.ensureElement('service-ips', [info.clusterIP, protocol, port], `goto ${internalChain}`);
  else tx.ensureElement('no-endpoint-services', [info.clusterIP, protocol, port], internalVerdict, info.nameString);

  for (const ip of info.externalIPs) {
    if (hasEndpoints) tx.ensureElement('service-ips', [ip, protocol, port], `goto ${names.external}`);
    if (!hasExternalEndpoints) tx.ensureElement('no-endpoint-services', [ip, protocol, port], externalVerdict, info.nameString);
  }

  const usesFW = info.loadBalancerVIPs.length > 0 && info.loadBalancerSourceRanges.length > 0;
  if (usesFW) ensureChain(tx, created, names.firewall);
  for (const ip of info.loadBalancerVIPs) {
    if (hasEndpoints) tx.ensureElement('service-ips', [ip, protocol, port], `goto ${names.external}`);
    if (usesFW) tx.ensureElement('firewall-ips', [ip, protocol, port], `goto ${names.firewall}`);
  }
  if (!hasExternalEndpoints) for (const ip of info.loadBalancerVIPs) tx.ensureElement('no-endpoint-services', [ip, protocol, port], externalVerdict, info.nameString);

  if (info.nodePort !== 0) {
    if (hasEndpoints) tx.ensureElement('service-nodeports', [protocol, String(info.nodePort)], `goto ${names.external}`);
    if (!hasExternalEndpoints) tx.ensureElement('no-endpoint-nodeports', [protocol, String(info.nodePort)], externalVerdict, info.nameString);
  }

  if (hasInternalEndpoints && !inline) {
    const dst = `${ipX} daddr ${info.clusterIP}${ctx.masqMatchesPort ? ` ${protocol} dport ${port}` : ''}`;
    if (ctx.masqueradeAll) tx.addRule(internalChain, `${dst} jump mark-for-masquerade`);
    else if (ctx.detector.mode !== 'None') tx.addRule(internalChain, `${dst} ${detectorNFT(ctx.detector, ipX, false)} jump mark-for-masquerade`);
  }

  if (usesExternalChain) {
    const markIt = inline ? `mark set mark or ${ctx.inlineMark}` : 'jump mark-for-masquerade';
    if (!info.externalPolicyLocal) tx.addRule(names.external, markIt, inline ? 'masquerade' : undefined);
    else {
      if (ctx.detector.mode !== 'None') tx.addRule(names.external, `${detectorNFT(ctx.detector, ipX, true)} goto ${names.cluster}`, 'short-circuit pod traffic');
      tx.addRule(names.external, `fib saddr type local ${markIt}`, 'masquerade local traffic');
      tx.addRule(names.external, `fib saddr type local goto ${names.cluster}`, 'short-circuit local traffic');
    }
    if (hasExternalEndpoints) tx.addRule(names.external, `goto ${externalPolicyChain}`);
  }

  if (usesFW) {
    const sources = [...info.loadBalancerSourceRanges];
    const allowFromNode = !!ctx.nodeIP && info.loadBalancerSourceRanges.some((r) => {
      const c = parseCIDR(r);
      return !!c && cidrContains(c, ctx.nodeIP!);
    });
    if (allowFromNode) sources.push(...info.loadBalancerVIPs);
    tx.addRule(names.firewall, `${ipX} saddr != { ${sources.join(' , ')} } drop`);
  }

  if (affinity) {
    for (const ep of allReachableEndpoints) {
      tx.addContainer('set', epNames(ep).affinitySet, { type: ipX === 'ip' ? 'ipv4_addr' : 'ipv6_addr', flags: ['dynamic', 'timeout'], timeout: info.stickyMaxAgeSeconds });
    }
  }
  if (inline) {
    const write = (chain: string, eps: ProxyEndpoint[]) => (affinity ? writeEndpointJumps(tx, chain, eps, ipX, epNames) : writeEndpointDNATs(tx, protocol, chain, eps, ipX));
    if (usesClusterPolicyChain) write(names.cluster, clusterEndpoints);
    if (usesLocalPolicyChain) write(names.local, localEndpoints);
    if (affinity)
      for (const ep of allReachableEndpoints) {
        const n = epNames(ep);
        tx.addRule(n.chain, `update @${n.affinitySet} { ${ipX} saddr }`);
        tx.addRule(n.chain, `meta l4proto ${protocol} dnat to ${ep.hostPort}`);
      }
    return;
  }
  if (usesClusterPolicyChain) writeServiceToEndpoints(tx, sp, names.cluster, clusterEndpoints, ipX, epNames);
  if (usesLocalPolicyChain) writeServiceToEndpoints(tx, sp, names.local, localEndpoints, ipX, epNames);

  for (const ep of allReachableEndpoints) {
    const n = epNames(ep);
    tx.addRule(n.chain, `${ipX} saddr ${ep.ip} jump mark-for-masquerade`);
    if (affinity) tx.addRule(n.chain, `update @${n.affinitySet} { ${ipX} saddr }`);
    tx.addRule(n.chain, `meta l4proto ${protocol} dnat to ${ep.hostPort}`);
  }
}

/** Up to v1.35: affinity jumps (with ClientIP affinity), then a numgen vmap over the endpoint chains. */
function writeServiceToEndpoints(tx: NftTransaction, sp: ProxiedServicePort, chain: string, endpoints: ProxyEndpoint[], ipX: 'ip' | 'ip6', epNames: (ep: ProxyEndpoint) => { chain: string; affinitySet: string }): void {
  if (sp.info.sessionAffinity === 'ClientIP') writeEndpointJumps(tx, chain, endpoints, ipX, epNames);
  else tx.addRule(chain, numgenVmap(endpoints, epNames));
}

