/**
 * The iptables rules kubelet (not kube-proxy) set up on nodes before kube-proxy owned them all
 * (syncNetworkUtil in pkg/kubelet/kubelet_network_linux.go, KEP-3178). Up to v1.26, with default
 * feature gates, kubelet created KUBE-MARK-DROP and KUBE-FIREWALL; the KUBE-XLB "no local endpoints"
 * rules and the KUBE-FW chains of kube-proxy before v1.25 only mark packets, and it is kubelet's
 * KUBE-FIREWALL (jumped to from filter INPUT and OUTPUT) that drops them. From v1.27
 * (IPTablesOwnershipCleanup on by default) kubelet no longer creates the drop chains and kube-proxy
 * writes its own KUBE-FIREWALL, so nothing here applies.
 */
import type { IPFamily } from '../coreDeps';
import { KUBE_FIREWALL, KUBE_MARK_DROP } from './names';
import { iptablesProfile, type IPTablesProfile } from './profiles';

export const KUBE_KUBELET_CANARY = 'KUBE-KUBELET-CANARY';
export const KUBE_IPTABLES_HINT = 'KUBE-IPTABLES-HINT';

/** kubelet's --iptables-drop-bit default (15): the mark KUBE-MARK-DROP sets. */
export const DEFAULT_DROP_MARK = '0x00008000';

export interface KubeletRule {
  table: 'mangle' | 'filter' | 'nat';
  chain: string;
  /** Words as kubelet passes them to EnsureRule (comments with spaces pre-quoted). */
  args: string[];
}

export interface KubeletIPTables {
  /** Chains kubelet ensures, by table. */
  chains: { table: KubeletRule['table']; chain: string }[];
  /** Rules appended to kubelet's chains. */
  rules: KubeletRule[];
  /** Jumps kubelet prepends to built-in chains (before kube-proxy starts, so kube-proxy's own end up above them). */
  jumps: KubeletRule[];
  /** One line for output headers: what these rules are and where they come from. */
  note: string;
}

/** "1.x.y" -> [x, y]; y undefined when not given. */
function minorPatch(version: string | undefined): [number, number | undefined] | undefined {
  const m = /^v?1\.(\d{1,3})(?:\.(\d{1,4}))?$/.exec((version ?? '').trim());
  return m ? [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])] : undefined;
}

/**
 * The "block incoming localnet connections" rule came with the CVE-2020-8558 fix (kubernetes #91569):
 * v1.19, and the patch releases v1.18.4, v1.17.7 and v1.16.11. Without a patch number we assume the
 * last patch release of the minor version.
 */
export function hasLocalnetRule(minor: number, patch: number | undefined): boolean {
  if (minor >= 19) return true;
  const fixed: Record<number, number> = { 16: 11, 17: 7, 18: 4 };
  const first = fixed[minor];
  if (first === undefined) return false;
  return patch === undefined || patch >= first;
}

/** kubelet's chains and rules on a node whose kubelet has the given version; undefined when it made none that matter (v1.27+). */
export function kubeletIPTables(version: string | undefined, family: IPFamily, profile: IPTablesProfile = iptablesProfile(version), dropMark = DEFAULT_DROP_MARK): KubeletIPTables | undefined {
  if (profile.ownsKubeFirewall) return undefined;
  const mp = minorPatch(version);
  const [minor, patch] = mp ?? [profile.minMinor, undefined];
  const chains: KubeletIPTables['chains'] = [
    { table: 'nat', chain: KUBE_MARK_DROP },
    { table: 'filter', chain: KUBE_FIREWALL },
    { table: 'mangle', chain: KUBE_KUBELET_CANARY },
    { table: 'nat', chain: KUBE_KUBELET_CANARY },
    { table: 'filter', chain: KUBE_KUBELET_CANARY },
  ];
  // The hint chain for iptables-wrapper came in v1.24 (kubernetes #109059).
  if (minor >= 24) chains.push({ table: 'mangle', chain: KUBE_IPTABLES_HINT });
  const rules: KubeletRule[] = [
    { table: 'nat', chain: KUBE_MARK_DROP, args: ['-j', 'MARK', '--or-mark', dropMark] },
    { table: 'filter', chain: KUBE_FIREWALL, args: ['-m', 'comment', '--comment', '"kubernetes firewall for dropping marked packets"', '-m', 'mark', '--mark', `${dropMark}/${dropMark}`, '-j', 'DROP'] },
  ];
  if (family === 'IPv4' && hasLocalnetRule(minor, patch)) {
    // kubelet spells the addresses --dst/--src; iptables-save prints them as -d/-s, as we do here.
    rules.push({
      table: 'filter',
      chain: KUBE_FIREWALL,
      args: ['-m', 'comment', '--comment', '"block incoming localnet connections"', '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP'],
    });
  }
  const jumps: KubeletRule[] = [
    { table: 'filter', chain: 'OUTPUT', args: ['-j', KUBE_FIREWALL] },
    { table: 'filter', chain: 'INPUT', args: ['-j', KUBE_FIREWALL] },
  ];
  const names = [KUBE_MARK_DROP, KUBE_FIREWALL, KUBE_KUBELET_CANARY, ...(minor >= 24 ? [KUBE_IPTABLES_HINT] : [])].join(', ');
  const note = `ksd: ${names} and the INPUT/OUTPUT jumps to ${KUBE_FIREWALL} are kubelet's (pkg/kubelet/kubelet_network_linux.go of 1.${minor}, drop bit 15), shown as they appear on a node; kube-proxy's restore payload does not contain them`;
  return { chains, rules, jumps, note };
}
