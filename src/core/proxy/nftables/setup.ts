/** The fixed part of kube-proxy's nftables table (setupNFTables): base chains, jump rules, sets and maps. */
import { NFT_DEFAULT_PROFILE, type NftProfile } from './profiles';
import type { NftTransaction } from './transaction';

export interface NftSetupInput {
  /** `ip daddr` / `ip6 daddr` prefix word. */
  ipX: 'ip' | 'ip6';
  mark: string;
  /** Service CIDRs of this family, joined with "," as kube-proxy keeps them ("" when unknown). */
  serviceCIDRs: string;
  /** undefined: nodePortAddresses match all addresses (no nodeport-ips set). */
  nodePortIPs: string[] | undefined;
  profile?: NftProfile;
  /** For the inline-masquerade layout (v1.36): the ClusterIP masquerade rule in `services`. */
  masqueradeAll?: boolean;
  /** The detector's "not from a local pod" words ('' when detection is off). */
  notLocal?: string;
}

/** The base chains of the default (newest modelled) layout. */
export const BASE_CHAINS = NFT_DEFAULT_PROFILE.baseChains;

/** add + flush, once per chain per transaction (ensureChain). */
export function ensureChain(tx: NftTransaction, created: Set<string>, name: string): void {
  if (created.has(name)) return;
  created.add(name);
  tx.addChain(name);
  tx.flushChain(name);
}

/** Writes setupNFTables as a freshly started kube-proxy does on its first (full) sync. */
export function writeSetup(tx: NftTransaction, input: NftSetupInput, created: Set<string>): void {
  const { ipX, mark } = input;
  const profile = input.profile ?? NFT_DEFAULT_PROFILE;
  const addr = ipX === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
  const noLocalhost = ipX === 'ip' ? 'ip daddr != 127.0.0.0/8' : 'ip6 daddr != ::1';
  tx.addTable('rules for kube-proxy');
  // First sync only: add+delete so base chains are recreated with the current properties.
  for (const bc of profile.baseChains) {
    tx.addChain(bc.name);
    tx.deleteChain(bc.name);
  }
  for (const bc of profile.baseChains) {
    tx.addChain(bc.name, { type: bc.type, hook: bc.hook, priority: bc.priority });
    tx.flushChain(bc.name);
  }
  for (const j of profile.jumpChains) {
    ensureChain(tx, created, j.dst);
    tx.addRule(j.src, j.extra ? `${j.extra} jump ${j.dst}` : `jump ${j.dst}`);
  }
  if (profile.masquerade === 'inline') writeInlineMasquerading(tx, ipX, mark, created);
  else {
    for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) ensureChain(tx, created, c);
    tx.addRule('mark-for-masquerade', `mark set mark or ${mark}`);
    tx.addRule('masquerading', `mark and ${mark} == 0 return`);
    tx.addRule('masquerading', `mark set mark xor ${mark}`);
    tx.addRule('masquerading', 'masquerade fully-random');
  }
  tx.addContainer('set', 'cluster-ips', { type: addr, comment: 'Active ClusterIPs' });
  tx.addRule('cluster-ips-check', `${ipX} daddr @cluster-ips reject`, 'Reject traffic to invalid ports of ClusterIPs');
  if (input.serviceCIDRs) tx.addRule('cluster-ips-check', `${ipX} daddr { ${input.serviceCIDRs} } drop`, 'Drop traffic to unallocated ClusterIPs');
  tx.addContainer('set', 'nodeport-ips', { type: addr, comment: 'IPs that accept NodePort traffic' });
  if (!input.nodePortIPs) tx.deleteContainer('set', 'nodeport-ips');
  else {
    tx.flushContainer('set', 'nodeport-ips');
    for (const ip of input.nodePortIPs) tx.addElement('nodeport-ips', [ip]);
  }
  tx.addContainer('map', 'no-endpoint-services', { type: `${addr} . inet_proto . inet_service : verdict`, comment: 'vmap to drop or reject packets to services with no endpoints' });
  tx.addContainer('map', 'no-endpoint-nodeports', { type: 'inet_proto . inet_service : verdict', comment: 'vmap to drop or reject packets to service nodeports with no endpoints' });
  tx.addChain('reject-chain', { comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports' });
  tx.flushChain('reject-chain');
  tx.addRule('reject-chain', 'reject');
  tx.addRule('service-endpoints-check', `${ipX} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  if (!input.nodePortIPs) tx.addRule('nodeport-endpoints-check', `${noLocalhost} meta l4proto . th dport vmap @no-endpoint-nodeports`);
  else tx.addRule('nodeport-endpoints-check', `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`);
  tx.addContainer('map', 'firewall-ips', { type: `${addr} . inet_proto . inet_service : verdict`, comment: 'destinations that are subject to LoadBalancerSourceRanges' });
  ensureChain(tx, created, 'firewall-check');
  tx.addRule('firewall-check', `${ipX} daddr . meta l4proto . th dport vmap @firewall-ips`);
  tx.addContainer('map', 'service-ips', { type: `${addr} . inet_proto . inet_service : verdict`, comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic' });
  tx.addContainer('map', 'service-nodeports', { type: 'inet_proto . inet_service : verdict', comment: 'NodePort traffic' });
  if (profile.masquerade === 'inline') {
    // From v1.36 the ClusterIP masquerade decision is one rule for every ClusterIP, ahead of the dispatch.
    if (input.masqueradeAll) tx.addRule('services', `${ipX} daddr @cluster-ips mark set mark or ${mark}`, 'masquerade all clusterIP traffic');
    else if (input.notLocal) tx.addRule('services', `${ipX} daddr @cluster-ips ${input.notLocal} mark set mark or ${mark}`, 'masquerade clusterIP traffic from outside cluster');
  }
  tx.addRule('services', `${ipX} daddr . meta l4proto . th dport vmap @service-ips`);
  if (!input.nodePortIPs) tx.addRule('services', `fib daddr type local ${noLocalhost} meta l4proto . th dport vmap @service-nodeports`);
  else tx.addRule('services', `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`);
}

/**
 * v1.36 (kubernetes #135800, #136499): no mark-for-masquerade chain; `masquerading` masquerades marked
 * packets (clearing the mark) and DNATed packets whose source, destination and port are one local
 * endpoint's (a pod reaching itself through its Service), listed in the hairpin-connections set.
 */
function writeInlineMasquerading(tx: NftTransaction, ipX: 'ip' | 'ip6', mark: string, created: Set<string>): void {
  const addr = ipX === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
  for (const c of ['services', 'cluster-ips-check', 'masquerading']) ensureChain(tx, created, c);
  tx.addContainer('set', 'hairpin-connections', { type: `${addr} . ${addr} . inet_proto . inet_service`, comment: 'service hairpin connections' });
  tx.addRule('masquerading', `mark and ${mark} != 0 mark set mark xor ${mark} masquerade fully-random`);
  tx.addRule('masquerading', `ct status dnat ${ipX} saddr . ${ipX} daddr . meta l4proto . th dport @hairpin-connections masquerade fully-random`);
}
