/**
 * Whether a live cluster can answer for a namespace: the resources the pod- and endpoint-dependent checks
 * read (Services, pods, EndpointSlices) must each hold data for it, current or stale after a sync. A
 * forbidden, failing or never-synced list cannot; then open manifests keep their offline findings.
 */
import type { ResourceName } from './resources';
import type { ContextStatus } from './types';

/** What the live checks read per namespace. Nodes are not needed: namespace-scoped RBAC often hides them. */
export const LIVE_CHECK_RESOURCES: readonly ResourceName[] = ['services', 'pods', 'endpointslices'];

/** Why the live data cannot answer for `namespace`, in words; undefined when it can. */
export function liveGap(status: ContextStatus, namespace: string): string | undefined {
  for (const resource of LIVE_CHECK_RESOURCES) {
    // After an RBAC fallback the per-namespace list speaks for the resource, else the cluster-wide one.
    const perNamespace = status.perNamespace.includes(resource);
    const r = status.resources.find((x) => x.resource === resource && (perNamespace ? x.namespace === namespace : x.namespace === undefined));
    if (!r) return perNamespace ? `${resource} in namespace ${namespace} are not listed (not allowed cluster-wide)` : `${resource} are not followed`;
    if (r.state === 'synced') continue;
    if (r.state === 'forbidden') return `not allowed to read ${resource} in namespace ${namespace}`;
    if (r.state === 'error' || r.state === 'stopped') return `${resource}: ${r.message ?? r.state}`;
    // syncing or reconnecting: usable while it holds what an earlier sync listed (stale but present).
    if (r.staleSince === undefined) return `${resource} not synced yet`;
  }
  return undefined;
}
