/**
 * What src/live offers the views (tree, panel, language server, CLI). Every type here crosses into
 * the extension; keep them plain data.
 */
import type { ResourceName } from './resources';

export type { ResourceName } from './resources';

export type SyncState = 'syncing' | 'synced' | 'reconnecting' | 'forbidden' | 'error' | 'stopped';

/** The state of one resource in one scope (cluster-wide, or one namespace after an RBAC fallback). */
export interface ResourceStatus {
  resource: ResourceName;
  /** undefined: cluster-wide. */
  namespace?: string;
  state: SyncState;
  /** When the resource entered this state (ms since the epoch). */
  since: number;
  /** When the data stopped being current; undefined while synced. */
  staleSince?: number;
  /** What went wrong, in words (reconnecting, forbidden, error). */
  message?: string;
  /** Objects held. */
  objects: number;
  resourceVersion?: string;
  /** Watch reconnects and relists since start (for the status view and tests). */
  reconnects: number;
  relists: number;
}

/** The state of one context: the worst of its resources, and each of them. */
export interface ContextStatus {
  context: string;
  server: string;
  state: SyncState;
  since: number;
  staleSince?: number;
  message?: string;
  /** Resources listed per namespace because a cluster-wide list was forbidden. */
  perNamespace: ResourceName[];
  resources: ResourceStatus[];
}

export interface ObjectChange {
  resource: ResourceName;
  type: 'added' | 'modified' | 'deleted';
  namespace?: string;
  name: string;
}

/** One debounced batch of changes. */
export interface LiveChange {
  context: string;
  resources: ResourceName[];
  /** The changed objects (at most `MAX_CHANGES_PER_EVENT`; `truncated` counts the rest). */
  changes: ObjectChange[];
  truncated: number;
  /** A resource's status changed (synced, stale, forbidden...). */
  statusChanged: boolean;
}

export const MAX_CHANGES_PER_EVENT = 1000;

export interface Disposable {
  dispose(): void;
}
