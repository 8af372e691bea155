/**
 * The analyses the panel and the commands ask for beyond endpoints: kube-proxy rules and DNS, from the
 * engines in src/core. Where an engine cannot answer (an unknown version, a mode without a renderer), the
 * answer names why instead of showing anything made up.
 */
import { parseRules, resolveProxyVersion, rulesRenderer, RulesRequestError, serviceEnv, serviceRecords, UnknownNodeError, UnknownVersionError, type ClusterState, type RuleSet } from '../core';
import { ruleFlow } from './ruleFlow';
import { modeFlow } from './modeFlows';
import type { DnsView, RuleChainParams, RuleChainView, ServiceRef } from '../protocol/webview';
import { findService } from './serviceView';

/** The rules kube-proxy writes for one Service (src/core/proxy renderers), with the flow drawn from them. */
export function ruleChain(state: ClusterState, params: RuleChainParams): RuleChainView {
  const svc = findService(state, params.ref);
  if (!svc) return { available: false, reason: noService(state, params.ref) };
  if (svc.type === 'ExternalName') return { available: false, reason: `${params.ref.namespace}/${params.ref.name} is an ExternalName Service: a DNS alias, for which kube-proxy writes no rules.` };
  let text: string;
  const node = params.node || undefined;
  // No version chosen: the cluster's for that node (kube-proxy DaemonSet or Pod, else its kubelet), said in a note.
  const { version, note } = resolveProxyVersion(state, params.mode, { version: params.version, node });
  const shown = node ?? state.nodes[0]?.name;
  const extra = { ...(note ? { note } : {}), ...(shown !== undefined ? { node: shown } : {}) };
  try {
    text = rulesRenderer(params.mode).render({ state, service: svc, version, node });
  } catch (e) {
    if (e instanceof RulesRequestError || e instanceof UnknownVersionError || e instanceof UnknownNodeError) return { available: false, reason: editorWording(e.message) };
    throw e;
  }
  if (params.mode !== 'iptables') return { available: true, mode: params.mode, version: params.version, ...extra, text, languageId: params.mode === 'nftables' ? 'nftables' : 'plaintext', ...modeFlow(state, svc, params.mode, version, node) };
  // The flow is read from the node's whole rule set (the Service's own payload is partial: it jumps into
  // chains such as KUBE-MARK-MASQ that only the full payload declares).
  const flow = ruleFlow(wholeRules(state, version ?? '', node ?? ''), `${svc.namespace}/${svc.name}`);
  return { available: true, mode: params.mode, version: params.version, ...extra, text, languageId: 'iptables-save', ...flow };
}

/** The Service's cluster DNS records (CoreDNS kubernetes plugin) and the variables kubelet gives pods of its namespace for it. */
export function dns(state: ClusterState, ref: ServiceRef): DnsView {
  const svc = findService(state, ref);
  if (!svc) return { available: false, reason: noService(state, ref) };
  const records = serviceRecords(state, svc).map((r) => ({
    name: r.name,
    type: r.type,
    value: r.type === 'SRV' ? `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${r.value}` : r.value,
  }));
  const env = serviceEnv(state, svc.namespace);
  const mine = (o: { namespace: string; name: string }) => o.namespace === svc.namespace && o.name === svc.name;
  const notes: string[] = [];
  if (svc.clusterIPAssigned) notes.push(`The cluster IP ${svc.clusterIP} is one ksd assigned: the manifest leaves it out, so the real one is known only once the API server allocates it.`);
  for (const c of env.conflicts) if (c.services.some(mine)) notes.push(`${c.name} is produced by ${c.services.map((x) => `${x.namespace}/${x.name}`).join(' and ')}: kubelet keeps only one of them.`);
  if (svc.type === 'ExternalName') notes.push('ExternalName Services get no environment variables.');
  else if (svc.headless) notes.push('Headless Services get no environment variables (they have no cluster IP).');
  return { available: true, records, env: env.vars.filter((v) => mine(v.service)).map((v) => ({ name: v.name, value: v.value })), notes };
}

/** The node's whole rule set, parsed once per cluster state, version and node (states are immutable). */
const wholeCache = new WeakMap<ClusterState, Map<string, RuleSet>>();
function wholeRules(state: ClusterState, version: string, node: string): RuleSet {
  let m = wholeCache.get(state);
  if (!m) wholeCache.set(state, (m = new Map()));
  const key = `${version}|${node}`;
  let r = m.get(key);
  if (!r) m.set(key, (r = parseRules(rulesRenderer('iptables').render({ state, version: version || undefined, node: node || undefined, format: 'save' }))));
  return r;
}

/**
 * The renderers' messages name `ksd`'s flag; in the panel and the rule document the version comes from a
 * field or the kubeServiceDebugger.proxy.version setting. What the user typed is cut to 40 characters.
 */
export function editorWording(message: string): string {
  return message
    .replace(/^--kube-proxy-version must/, 'The kube-proxy version must')
    .replace(/\(got "([^]*?)"\)/, (_m, got: string) => `(got "${got.length > 40 ? `${got.slice(0, 40)}…` : got}")`);
}

export function noService(state: ClusterState, ref: ServiceRef): string {
  const found = `${state.services.length} Service${state.services.length === 1 ? '' : 's'} found`;
  if (ref.context !== undefined) return `No Service ${ref.namespace}/${ref.name} in namespace ${ref.namespace} of cluster context "${ref.context}" (${found} there).`;
  return `No Service ${ref.namespace}/${ref.name} in the workspace manifests (${found}).`;
}
