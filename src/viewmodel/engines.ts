/**
 * The analyses the panel and the commands ask for beyond endpoints: kube-proxy rules, traces, DNS. Each
 * one comes from an engine in src/core built on another branch; until that engine is in this build, the
 * answer names what is missing instead of showing anything made up.
 */
import type { ClusterState } from '../core';
import type { DnsView, RuleChainParams, RuleChainView, ServiceRef, TraceParams, TraceView } from '../protocol/webview';
import { findService } from './serviceView';

export const MISSING = {
  rules: 'The kube-proxy rule renderer (src/core/proxy) is not part of this build yet, so no rules can be shown.',
  trace: 'The request tracer (src/core/trace) is not part of this build yet, so requests cannot be traced.',
  dns: 'The DNS and environment engine (src/core/dns) is not part of this build yet.',
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

export function dns(state: ClusterState, ref: ServiceRef): DnsView {
  if (!findService(state, ref)) return { available: false, reason: noService(state, ref) };
  return { available: false, reason: MISSING.dns };
}

export function noService(state: ClusterState, ref: ServiceRef): string {
  return `No Service ${ref.namespace}/${ref.name} in the workspace manifests (${state.services.length} Service${state.services.length === 1 ? '' : 's'} found).`;
}
