/** One status per context from the statuses of its resources. */
import { resourceWords, type ResourceName } from './resources';
import type { ContextStatus, ResourceStatus, SyncState } from './types';

const SEVERITY: Record<SyncState, number> = { stopped: 0, synced: 1, forbidden: 2, syncing: 3, reconnecting: 4, error: 5 };

export function aggregateStatus(context: string, server: string, resources: ResourceStatus[], perNamespace: ResourceName[]): ContextStatus {
  // A cluster-wide reflector replaced by per-namespace ones no longer speaks for its resource.
  const active = resources.filter((r) => !(r.namespace === undefined && perNamespace.includes(r.resource)));
  let worst: ResourceStatus | undefined;
  for (const r of active) if (!worst || SEVERITY[r.state] > SEVERITY[worst.state]) worst = r;
  const allForbidden = active.length > 0 && active.every((r) => r.state === 'forbidden');
  // Forbidden resources are reported per resource; the context is usable when others are synced.
  const state: SyncState = !worst ? 'stopped' : allForbidden ? 'forbidden' : worst.state === 'forbidden' ? 'synced' : worst.state;
  const stale = active.map((r) => r.staleSince).filter((s): s is number => s !== undefined);
  const since = Math.max(0, ...active.filter((r) => r.state === state).map((r) => r.since));
  const message =
    state === 'synced'
      ? active.some((r) => r.state === 'forbidden')
        ? `not allowed to read: ${[...new Set(active.filter((r) => r.state === 'forbidden').map((r) => resourceWords(r.resource, r.namespace)))].join(', ')}`
        : undefined
      : worst?.message;
  return {
    context,
    server,
    state,
    since,
    staleSince: stale.length ? Math.min(...stale) : undefined,
    message,
    perNamespace,
    resources,
  };
}
