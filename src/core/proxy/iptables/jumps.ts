/**
 * The rules kube-proxy installs outside its restore payload, with EnsureChain/EnsureRule(Prepend)
 * on every full sync (iptablesJumpChains and iptablesKubeletJumpChains in proxier.go).
 */
import { KUBE_EXTERNAL_SERVICES, KUBE_FIREWALL, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_PROXY_FIREWALL, KUBE_SERVICES } from './names';
import type { IPTablesProfile } from './profiles';

export interface JumpRule {
  table: 'filter' | 'nat';
  from: string;
  to: string;
  comment: string;
  extraArgs: string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];

export const JUMP_CHAINS: readonly JumpRule[] = [
  { table: 'filter', to: KUBE_EXTERNAL_SERVICES, from: 'INPUT', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', to: KUBE_EXTERNAL_SERVICES, from: 'FORWARD', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', to: KUBE_NODEPORTS, from: 'INPUT', comment: 'kubernetes health check service ports', extraArgs: [] },
  { table: 'filter', to: KUBE_SERVICES, from: 'FORWARD', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', to: KUBE_SERVICES, from: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', to: KUBE_FORWARD, from: 'FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'filter', to: KUBE_PROXY_FIREWALL, from: 'INPUT', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'filter', to: KUBE_PROXY_FIREWALL, from: 'OUTPUT', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'filter', to: KUBE_PROXY_FIREWALL, from: 'FORWARD', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'nat', to: KUBE_SERVICES, from: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', to: KUBE_SERVICES, from: 'PREROUTING', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', to: KUBE_POSTROUTING, from: 'POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
];

/** Duplicates of kubelet's jumps that kube-proxy also ensures (v1.27+). */
export const KUBELET_JUMP_CHAINS: readonly JumpRule[] = [
  { table: 'filter', to: KUBE_FIREWALL, from: 'INPUT', comment: '', extraArgs: [] },
  { table: 'filter', to: KUBE_FIREWALL, from: 'OUTPUT', comment: '', extraArgs: [] },
];

export function jumpRulesFor(profile: IPTablesProfile): JumpRule[] {
  const rules = JUMP_CHAINS.filter((j) => profile.proxyFirewall || j.to !== KUBE_PROXY_FIREWALL);
  return profile.ownsKubeFirewall ? [...rules, ...KUBELET_JUMP_CHAINS] : rules;
}

/** The rule words as EnsureRule passes them: extra args, the comment, the jump. */
export function jumpArgs(j: JumpRule): string[] {
  const args = [...j.extraArgs];
  if (j.comment) args.push('-m', 'comment', '--comment', j.comment.includes(' ') ? `"${j.comment}"` : j.comment);
  args.push('-j', j.to);
  return args;
}
