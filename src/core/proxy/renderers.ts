/**
 * Rule renderers keyed by proxy mode (`ksd rules --mode`). iptables is built in; the nftables and
 * IPVS renderers register themselves here with registerRulesRenderer.
 */
import type { ClusterState, IPFamily, ServiceModel } from '../model/types';

export interface RulesRequest {
  state: ClusterState;
  /** Node name (default: the first Node, else a placeholder). */
  node?: string;
  /** Only this Service's rules. */
  service?: ServiceModel;
  /**
   * kube-proxy version "1.x". Default: the cluster's (resolveProxyVersion: the kube-proxy DaemonSet's image,
   * else the node's kubeletVersion), else the mode's default layout.
   */
  version?: string;
  /** Output format; each renderer lists the ones it knows, the first is its default. */
  format?: string;
  /** IP families to render (default: those the Services use). */
  families?: IPFamily[];
  /** Timestamp for formats that print one (iptables-save headers). */
  date?: Date;
}

export interface RulesRenderer {
  mode: string;
  formats: readonly string[];
  render(req: RulesRequest): string;
}

export class RulesRequestError extends Error {}

const registry = new Map<string, RulesRenderer>();

export function registerRulesRenderer(r: RulesRenderer): void {
  registry.set(r.mode, r);
}

export function rulesRenderer(mode: string): RulesRenderer {
  const r = registry.get(mode);
  if (!r) {
    throw new RulesRequestError(`rules for --mode ${mode} are not available yet (available: ${[...registry.keys()].sort().join(', ')})`);
  }
  return r;
}

export function rulesModes(): string[] {
  return [...registry.keys()].sort();
}
