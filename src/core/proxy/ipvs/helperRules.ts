/** The iptables-restore payload the IPVS proxier writes next to its virtual servers (writeIptablesRules). */
import type { LocalDetector } from '../types';
import type { IpsetState } from './ipsets';
import { IPSETS } from './ipsets';

const NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
const FILTER_CHAINS = ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'];

/** Rules kube-proxy ensures in the built-in chains (outside the restore payload). */
export const IPVS_JUMP_RULES = [
  '-t nat -I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-t nat -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-t nat -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  '-t filter -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
  '-t filter -I INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT',
  '-t filter -I INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
  '-t filter -I FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
  '-t filter -I INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
  '-t filter -I OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER',
];

const WITH_CHAIN: { name: string; table: 'nat' | 'filter'; from: string; to: string; match: string; proto?: string }[] = [
  { name: 'KUBE-LOOP-BACK', table: 'nat', from: 'KUBE-POSTROUTING', to: 'MASQUERADE', match: 'dst,dst,src' },
  { name: 'KUBE-LOAD-BALANCER', table: 'nat', from: 'KUBE-SERVICES', to: 'KUBE-LOAD-BALANCER', match: 'dst,dst' },
  { name: 'KUBE-LOAD-BALANCER-LOCAL', table: 'nat', from: 'KUBE-LOAD-BALANCER', to: 'RETURN', match: 'dst,dst' },
  { name: 'KUBE-NODE-PORT-LOCAL-TCP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', match: 'dst', proto: 'tcp' },
  { name: 'KUBE-NODE-PORT-TCP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', match: 'dst', proto: 'tcp' },
  { name: 'KUBE-NODE-PORT-LOCAL-UDP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', match: 'dst', proto: 'udp' },
  { name: 'KUBE-NODE-PORT-UDP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', match: 'dst', proto: 'udp' },
  { name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', match: 'dst,dst', proto: 'sctp' },
  { name: 'KUBE-NODE-PORT-SCTP-HASH', table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', match: 'dst,dst', proto: 'sctp' },
  { name: 'KUBE-LOAD-BALANCER-FW', table: 'filter', from: 'KUBE-PROXY-FIREWALL', to: 'KUBE-SOURCE-RANGES-FIREWALL', match: 'dst,dst' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', table: 'filter', from: 'KUBE-SOURCE-RANGES-FIREWALL', to: 'RETURN', match: 'dst,dst,src' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-IP', table: 'filter', from: 'KUBE-SOURCE-RANGES-FIREWALL', to: 'RETURN', match: 'dst,dst,src' },
];

export interface HelperInput {
  sets: IpsetState;
  family: 'IPv4' | 'IPv6';
  /** fmt %#08x of the mark bit, e.g. 0x00004000. */
  mark: string;
  masqueradeAll: boolean;
  detector: LocalDetector;
  /** LB ip/proto/port the node may not reach (no source range holds the node IP). */
  lbNoNodeAccess: { ip: string; protocol: string; port: number }[];
}

function comment(name: string): string {
  return `-m comment --comment "${IPSETS.find((s) => s.name === name)!.comment}"`;
}

export function helperRules(h: HelperInput): string {
  const { sets, mark } = h;
  const n = (s: string) => sets.actualName(s);
  const nat: string[] = [];
  const filter: string[] = [];
  nat.push(`-A KUBE-SERVICES -s ${h.family === 'IPv4' ? '127.0.0.0/8' : '::1/128'} -j RETURN`);
  for (const w of WITH_CHAIN) {
    if (sets.isEmpty(w.name)) continue;
    const line = `-A ${w.from}${w.proto ? ` -p ${w.proto}` : ''} ${comment(w.name)} -m set --match-set ${n(w.name)} ${w.match} -j ${w.to}`;
    (w.table === 'nat' ? nat : filter).push(line);
  }
  if (!sets.isEmpty('KUBE-CLUSTER-IP')) {
    const base = `-A KUBE-SERVICES ${comment('KUBE-CLUSTER-IP')} -m set --match-set ${n('KUBE-CLUSTER-IP')}`;
    if (h.masqueradeAll) nat.push(`${base} dst,dst -j KUBE-MARK-MASQ`);
    else if (h.detector.mode !== 'None') nat.push(`${base} dst,dst ${h.detector.ifNotLocal.join(' ')} -j KUBE-MARK-MASQ`);
    else nat.push(`${base} src,dst -j KUBE-MARK-MASQ`);
  }
  const externalIPRules = (base: string) => {
    nat.push(`${base} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`);
    nat.push(`${base} -m addrtype --dst-type LOCAL -j ACCEPT`);
  };
  if (!sets.isEmpty('KUBE-EXTERNAL-IP')) {
    const base = `-A KUBE-SERVICES ${comment('KUBE-EXTERNAL-IP')} -m set --match-set ${n('KUBE-EXTERNAL-IP')} dst,dst`;
    nat.push(`${base} -j KUBE-MARK-MASQ`);
    externalIPRules(base);
  }
  if (!sets.isEmpty('KUBE-EXTERNAL-IP-LOCAL')) externalIPRules(`-A KUBE-SERVICES ${comment('KUBE-EXTERNAL-IP-LOCAL')} -m set --match-set ${n('KUBE-EXTERNAL-IP-LOCAL')} dst,dst`);
  nat.push('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT');
  nat.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  filter.push('-A KUBE-SOURCE-RANGES-FIREWALL -j DROP');
  for (const e of h.lbNoNodeAccess) filter.push(`-A KUBE-IPVS-OUT-FILTER -s ${e.ip} -m ipvs --vaddr ${e.ip} --vproto ${e.protocol} --vport ${e.port} -j DROP`);
  for (const s of ['KUBE-CLUSTER-IP', 'KUBE-LOAD-BALANCER']) if (!sets.isEmpty(s)) nat.push(`-A KUBE-SERVICES -m set --match-set ${n(s)} dst,dst -j ACCEPT`);
  filter.push(`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filter.push('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  filter.push(`-A KUBE-NODE-PORT ${comment('KUBE-HEALTH-CHECK-NODE-PORT')} -m set --match-set ${n('KUBE-HEALTH-CHECK-NODE-PORT')} dst -j ACCEPT`);
  for (const s of ['KUBE-LOAD-BALANCER', 'KUBE-CLUSTER-IP', 'KUBE-EXTERNAL-IP', 'KUBE-EXTERNAL-IP-LOCAL']) filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${n(s)} dst,dst -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${n('KUBE-HEALTH-CHECK-NODE-PORT')} dst -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set ${n('KUBE-IPVS-IPS')} dst -j REJECT`);
  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`);
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`);
  nat.push('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`);
  return ['*nat', ...NAT_CHAINS.map((c) => `:${c} - [0:0]`), ...nat, 'COMMIT', '*filter', ...FILTER_CHAINS.map((c) => `:${c} - [0:0]`), ...filter, 'COMMIT'].join('\n') + '\n';
}
