/** The rules kube-proxy would write on a node, rendered from the manifests and parsed for tracing. */
import type { ClusterState, IPFamily, RuleSet } from '../core';
import { CliError } from './io';

export interface GeneratedRequest {
  state: ClusterState;
  node?: string;
  family: IPFamily;
  mode: string;
  version?: string;
}

/**
 * Renders and parses the node's expected rules. The iptables renderer (src/core/proxy/iptables) is
 * not part of this build yet, so this reports that clearly instead of guessing.
 */
export function generatedRules(req: GeneratedRequest): RuleSet {
  throw new CliError(`tracing through generated ${req.mode} rules needs the kube-proxy renderer, which this build does not include yet; pass --rules FILE (iptables-save output or an iptables -L listing from the node)`);
}
