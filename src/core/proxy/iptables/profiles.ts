/**
 * kube-proxy iptables layouts by version. Each profile switches the facts that changed between
 * releases of pkg/proxy/iptables/proxier.go. Evidence for each switch is listed in README
 * ("kube-proxy rules"); the default is the current layout.
 */
export interface IPTablesProfile {
  /** Short id shown in output, e.g. "v1.31+". */
  id: string;
  /** Oldest and newest minor versions (1.x) the profile covers; newest undefined = open-ended. */
  minMinor: number;
  maxMinor?: number;
  /** Before v1.19 an unnamed port's ServicePortName kept a trailing colon ("ns/svc:"). */
  unnamedPortColon: boolean;
  /** KUBE-EXT/KUBE-SVL chains (v1.24+); before, KUBE-XLB played both roles. */
  extChains: boolean;
  /** Filter KUBE-PROXY-FIREWALL for loadBalancerSourceRanges (v1.25+); before, KUBE-FW ended in KUBE-MARK-DROP. */
  proxyFirewall: boolean;
  /** kube-proxy writes the KUBE-FIREWALL localnet rule itself (v1.27+; kubelet did before). */
  ownsKubeFirewall: boolean;
  /** The cluster-IP masquerade rule sits in KUBE-SVC (v1.23+) rather than KUBE-SERVICES. */
  masqInServiceChain: boolean;
  /** Addresses written with "/32" ("/128") in the payload (before v1.23). */
  hostSuffix: boolean;
  /** Each endpoint's KUBE-SEP rules follow its jump in KUBE-SVC (before v1.23). */
  interleavedEndpoints: boolean;
  /** "ns/svc:port -> ip:port" comments on SVC->SEP jumps (v1.24+); before, the service-port name. */
  endpointComments: boolean;
  /** nfacct counters: ct_state_invalid_dropped_pkts (v1.30+), localhost_nps_accepted_pkts (v1.31+). */
  nfacctInvalid: boolean;
  nfacctLocalhost: boolean;
  /** The INVALID drop is skipped when nf_conntrack_tcp_be_liberal is set (v1.29+). */
  honoursTcpBeLiberal: boolean;
  /** KUBE-FORWARD has the two "pod source"/"pod destination" conntrack rules (before v1.23). */
  forwardPodRules: boolean;
}

const current: IPTablesProfile = {
  id: 'v1.31+',
  minMinor: 31,
  unnamedPortColon: false,
  extChains: true,
  proxyFirewall: true,
  ownsKubeFirewall: true,
  masqInServiceChain: true,
  hostSuffix: false,
  interleavedEndpoints: false,
  endpointComments: true,
  nfacctInvalid: true,
  nfacctLocalhost: true,
  honoursTcpBeLiberal: true,
  forwardPodRules: false,
};
const v130 = { ...current, id: 'v1.30', minMinor: 30, maxMinor: 30, nfacctLocalhost: false };
const v129 = { ...v130, id: 'v1.29', minMinor: 29, maxMinor: 29, nfacctInvalid: false };
const v127 = { ...v129, id: 'v1.27-v1.28', minMinor: 27, maxMinor: 28, honoursTcpBeLiberal: false };
const v125 = { ...v127, id: 'v1.25-v1.26', minMinor: 25, maxMinor: 26, ownsKubeFirewall: false };
const v124 = { ...v125, id: 'v1.24', minMinor: 24, maxMinor: 24, proxyFirewall: false };
const v123 = { ...v124, id: 'v1.23', minMinor: 23, maxMinor: 23, extChains: false, endpointComments: false };
const v119 = { ...v123, id: 'v1.19-v1.22', minMinor: 19, maxMinor: 22, hostSuffix: true, interleavedEndpoints: true, masqInServiceChain: false, forwardPodRules: true };
const v115 = { ...v119, id: 'v1.15-v1.18', minMinor: 15, maxMinor: 18, unnamedPortColon: true };

export const PROFILES: readonly IPTablesProfile[] = [current, v130, v129, v127, v125, v124, v123, v119, v115];

export const CURRENT_PROFILE = current;

export class UnknownVersionError extends Error {}

/** The profile for "1.x" / "v1.x" / "1.x.y"; the current layout when no version is given. */
export function iptablesProfile(version?: string): IPTablesProfile {
  if (version === undefined || version === '') return CURRENT_PROFILE;
  const oldest = PROFILES[PROFILES.length - 1]!;
  const supported = `known layouts: ${PROFILES.map((p) => p.id)
    .reverse()
    .join(', ')}`;
  const m = /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/.exec(version.trim());
  if (!m) throw new UnknownVersionError(`--kube-proxy-version must look like 1.30 or v1.30.2 (got "${version}"); ${supported}`);
  const minor = Number(m[1]);
  const p = PROFILES.find((x) => minor >= x.minMinor && (x.maxMinor === undefined || minor <= x.maxMinor));
  if (!p) throw new UnknownVersionError(`kube-proxy 1.${minor} is older than the oldest layout we model (1.${oldest.minMinor}); ${supported}`);
  return p;
}
