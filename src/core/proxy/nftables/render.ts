/** `ksd rules --mode nftables`: the transaction a freshly started kube-proxy sends to `nft -f -` on its first sync. */
import { cidrContains, formatCIDR, isLoopback, parseCIDR, type CIDR, type ClusterState, type IPFamily } from '../coreDeps';
import { buildProxyModel } from '../model';
import type { ProxyModel, ProxyNode } from '../types';
import { masqueradeMark } from '../mark';
import { detectorNFT, writeServicePort } from './servicePort';
import { NFT_DEFAULT_PROFILE, type NftProfile } from './profiles';
import { writeSetup } from './setup';
import { NftTransaction } from './transaction';

export interface NftRenderOptions {
  family?: IPFamily;
  /** The node whose rules are computed (default: the first Node given). */
  node?: string;
  /** Only these Services ("ns/name"); the fixed chains are always written. */
  services?: string[];
  /** Override the mark (the upstream unit tests use "0x4000"); default from masqueradeBit as kube-proxy formats it. */
  masqueradeMark?: string;
  /** The kube-proxy minor release whose topology gates apply (default: the newest). */
  kubeProxyMinor?: number;
  /** Write a `# ns/svc:port` line before each Service port's commands. */
  annotate?: boolean;
  /** The kube-proxy release layout (default: the newest modelled one); see nftProfile(version). */
  profile?: NftProfile;
}

export interface NftRendered {
  family: IPFamily;
  tableFamily: 'ip' | 'ip6';
  text: string;
  model: ProxyModel;
  /** Addresses in the nodeport-ips set; undefined when NodePorts answer on every local address. */
  nodePortIPs: string[] | undefined;
  serviceCIDRs: string[];
  notes: string[];
  profile: NftProfile;
}

/**
 * nodePortAddresses as the nftables backend resolves it: unset means `primary` (the node IP of the family);
 * no CIDR of this family, or a zero CIDR, means every local address. Loopback addresses are skipped
 * because nftables mode has no localhost NodePorts.
 */
export function nftNodePortIPs(configured: readonly string[], node: ProxyNode, family: IPFamily, notes: string[]): string[] | undefined {
  const raw = configured.length ? configured : ['primary'];
  const cidrs: CIDR[] = [];
  for (const entry of raw) {
    if (entry === 'primary') {
      const ip = node.primaryIP[family];
      const c = ip ? parseCIDR(`${ip}/${family === 'IPv4' ? 32 : 128}`) : undefined;
      if (c) cidrs.push(c);
      else notes.push(`nodePortAddresses "primary": node ${node.name} has no ${family} address, so NodePorts match every local address`);
      continue;
    }
    const c = parseCIDR(entry);
    if (c && c.family === family) cidrs.push(c);
  }
  if (!cidrs.length || cidrs.some((c) => c.prefix === 0)) return undefined;
  const ips: string[] = [];
  // ProxyNode addresses are canonical already.
  for (const canon of node.ips) {
    if (!cidrs.some((c) => cidrContains(c, canon))) continue;
    if (isLoopback(canon)) {
      notes.push(`nodePortAddresses includes localhost (${canon}), but nftables mode does not support localhost NodePorts`);
      continue;
    }
    if (!ips.includes(canon)) ips.push(canon);
  }
  return ips;
}

export function renderNftables(state: ClusterState, options: NftRenderOptions = {}): NftRendered {
  const family = options.family ?? 'IPv4';
  const profile = options.profile ?? NFT_DEFAULT_PROFILE;
  const model = buildProxyModel(state, { family, node: options.node, kubeProxyMinor: options.kubeProxyMinor });
  const ipX = family === 'IPv4' ? 'ip' : 'ip6';
  const notes: string[] = [];
  const tx = new NftTransaction(ipX, 'kube-proxy');
  const created = new Set<string>();
  const serviceCIDRs = state.serviceCIDRs.map((c) => parseCIDR(c)).filter((c): c is CIDR => !!c && c.family === family).map(formatCIDR);
  if (state.serviceCIDRsDefaulted) notes.push(`no ServiceCIDR objects given: assuming the service CIDR ${state.serviceCIDRs.join(',')}`);
  const nodePortIPs = nftNodePortIPs(state.proxy.nodePortAddresses, model.node, family, notes);
  if (model.node.placeholder) notes.push(`no Node given: rules are computed for a stand-in node "${model.node.name}" with no addresses`);
  if (model.detector.mode === 'None' && model.detector.reason) notes.push(`local traffic detection is off (${model.detector.reason}): ClusterIP traffic is never masqueraded`);
  const mark = options.masqueradeMark ?? masqueradeMark(state.proxy.masqueradeBit);
  const notLocal = model.detector.mode === 'None' ? '' : detectorNFT(model.detector, ipX, false);
  writeSetup(tx, { ipX, mark, serviceCIDRs: serviceCIDRs.join(','), nodePortIPs, profile, masqueradeAll: state.proxy.masqueradeAll, notLocal }, created);
  const wanted = options.services ? new Set(options.services) : undefined;
  for (const sp of model.ports) {
    if (wanted && !wanted.has(`${sp.info.namespace}/${sp.info.name}`)) continue;
    if (options.annotate) {
      tx.note('');
      tx.note(sp.info.nameString + (sp.info.portName ? '' : ` (${sp.info.protocol.toLowerCase()})`));
    }
    writeServicePort(tx, sp, {
      ipX,
      masqueradeAll: state.proxy.masqueradeAll,
      detector: model.detector,
      nodeIP: model.node.primaryIP[family],
      created,
      masqMatchesPort: profile.masqMatchesPort,
      inlineMark: profile.masquerade === 'inline' ? mark : undefined,
    });
  }
  return { family, tableFamily: ipX, text: tx.text(), model, nodePortIPs, serviceCIDRs, notes, profile };
}
