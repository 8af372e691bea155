/** ksd/ruleChain: the kube-proxy rules for one Service, from the core renderers (as `ksd rules --service`). */
import { resolveProxyVersion, rulesRenderer, RulesRequestError, UnknownNodeError, UnknownVersionError, type ClusterState } from '../../core';
import type { RuleChainParams, RuleChainResult } from '../../protocol/lsp';
import type { KsdSettings } from '../../protocol/settings';

export function ruleChain(state: ClusterState, params: RuleChainParams, settings: KsdSettings): RuleChainResult {
  const svc = state.services.find((s) => s.namespace === params.service.namespace && s.name === params.service.name);
  if (!svc) return { available: false, reason: `No Service ${params.service.namespace}/${params.service.name} in the workspace.` };
  if (svc.type === 'ExternalName') return { available: false, reason: `${svc.namespace}/${svc.name} is an ExternalName Service: DNS answers with a CNAME and kube-proxy writes no rules for it.` };
  const mode = params.mode ?? state.proxy.mode;
  const node = params.node || undefined;
  // No version in the request or the settings: the cluster's for that node (kube-proxy DaemonSet or Pod, else its kubelet).
  const { version, note } = resolveProxyVersion(state, mode, { version: params.kubeProxyVersion ?? (settings.proxy.version || undefined), node });
  try {
    const text = rulesRenderer(mode).render({ state, service: svc, version, node, date: new Date() });
    const shown = node ?? state.nodes[0]?.name;
    return { available: true, mode, text, ...(note ? { note } : {}), ...(shown !== undefined ? { node: shown } : {}) };
  } catch (e) {
    if (e instanceof RulesRequestError || e instanceof UnknownVersionError || e instanceof UnknownNodeError) return { available: false, reason: e.message };
    throw e;
  }
}
