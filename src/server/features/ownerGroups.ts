/**
 * Label owners grouped for hovers: a workload's real Pods fold into its line (with a pod count and readiness)
 * instead of each Pod repeating what its template already says; Pods of no listed workload stay alone.
 */
import { isPodReady, ownerWorkload, type ClusterState, type WorkloadModel } from '../../core';
import type { LabelOwner } from './lookup';

/** `items` in their order with the Pods of a listed workload dropped, and a label for each kept item. */
export function groupByWorkload<T extends { o: LabelOwner }>(state: ClusterState, items: readonly T[]): (T & { label: string })[] {
  const listed = new Set(items.map((x) => x.o.workload).filter((w): w is WorkloadModel => !!w));
  const kept = items.filter((x) => {
    const w = x.o.pod && ownerWorkload(state, x.o.pod);
    return !w || !listed.has(w);
  });
  return kept.map((x) => {
    const summary = x.o.workload && podSummary(state, x.o.workload);
    return { ...x, label: summary ? `${x.o.what} (${summary})` : x.o.what };
  });
}

/** "3 pods, 2 ready" for the workload's real Pods; nothing when no Pod objects were given (only its template). */
function podSummary(state: ClusterState, w: WorkloadModel): string | undefined {
  const real = state.pods.filter((p) => !p.simulated && p.namespace === w.namespace && ownerWorkload(state, p) === w);
  if (!real.length) return undefined;
  const ready = real.filter(isPodReady).length;
  return `${real.length} ${real.length === 1 ? 'pod' : 'pods'}, ${ready} ready`;
}
