/**
 * The analyses the panel and the commands ask for beyond endpoints: kube-proxy rules, traces, DNS. Each
 * one comes from an engine in src/core built on another branch; until that engine is in this build, the
 * answer names what is missing instead of showing anything made up.
 */
import { serviceEnv, serviceRecords, type ClusterState } from '../core';
import type { DnsView, RuleChainParams, RuleChainView, ServiceRef, TraceParams, TraceView } from '../protocol/webview';
import { findService } from './serviceView';

export const MISSING = {
  rules: 'The kube-proxy rule renderer (src/core/proxy) is not part of this build yet, so no rules can be shown.',
  trace: 'The request tracer (src/core/trace) is not part of this build yet, so requests cannot be traced.',
  importTrace: 'The rule-file parser and tracer (src/core/rules, src/core/trace) are not part of this build yet, so imported rules can be viewed but not traced or diffed.',
} as const;

export function ruleChain(state: ClusterState, params: RuleChainParams): RuleChainView {
  const svc = findService(state, params.ref);
  if (!svc) return { available: false, reason: noService(state, params.ref) };
  return { available: false, reason: MISSING.rules };
}

export function trace(state: ClusterState, params: TraceParams): TraceView {
  if (params.ref && !findService(state, params.ref)) return { available: false, reason: noService(state, params.ref) };
  return { available: false, reason: MISSING.trace };
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

export function noService(state: ClusterState, ref: ServiceRef): string {
  return `No Service ${ref.namespace}/${ref.name} in the workspace manifests (${state.services.length} Service${state.services.length === 1 ? '' : 's'} found).`;
}
