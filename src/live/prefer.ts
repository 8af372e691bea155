/**
 * One answer per finding when open manifests are checked against a live cluster. A check whose `reads` kinds
 * (src/core/checks/types.ts) the live source all follows (pods, Services, EndpointSlices, nodes: selector
 * matches, target ports, readiness, address and node-port conflicts, route backends) is answered by the live
 * analysis, replacing the offline finding for the same subject, since the workspace's workloads are not what
 * runs. The others stay offline, once: findings about the object alone, the file's YAML problems, and checks
 * that read what the live source does not follow (workloads, NetworkPolicies, ServiceCIDRs, ReferenceGrants),
 * whose live answer would be a guess. Drift (KSD801, KSD802) exists only live. Live findings name the
 * context so a user can tell them apart.
 */
import { ALL_CHECKS, type Check, type Diagnostic } from '../core';
import { DRIFT_CODE, NOT_DEPLOYED_CODE } from './drift';
import { RESOURCES } from './resources';

/** The kinds a live source holds (the kube-proxy ConfigMap becomes the KubeProxyConfiguration). */
export const LIVE_KINDS: ReadonlySet<string> = new Set([...RESOURCES.filter((r) => !r.partialKind).map((r) => r.kind), 'KubeProxyConfiguration']);

/** Does the live source hold everything the check reads? */
export function liveAnswers(check: Pick<Check, 'reads'>): boolean {
  return Array.isArray(check.reads) && check.reads.every((k) => LIVE_KINDS.has(k));
}

/** Codes whose findings the live analysis answers (plus drift, which only it has). */
export const LIVE_ANSWERED_CODES: ReadonlySet<string> = new Set([...ALL_CHECKS.filter(liveAnswers).map((c) => c.code), DRIFT_CODE, NOT_DEPLOYED_CODE]);

export interface PreferredFindings {
  /** The offline findings that stay (the live state cannot answer them). */
  offline: Diagnostic[];
  /** The live findings, worded for the context. */
  live: Diagnostic[];
}

/** Splits a document's findings when live data is usable for it. */
export function preferLive(offline: readonly Diagnostic[], live: readonly Diagnostic[], context: string): PreferredFindings {
  return {
    offline: offline.filter((d) => !LIVE_ANSWERED_CODES.has(d.code)),
    live: live.filter((d) => LIVE_ANSWERED_CODES.has(d.code)).map((d) => ({ ...d, message: liveWording(d.message, context) })),
  };
}

/** `Live cluster "kind": ...`, once. */
export function liveWording(message: string, context: string): string {
  const head = `Live cluster "${context}": `;
  return message.startsWith(head) ? message : head + message;
}
