/**
 * The live clusters the editor follows, one LiveCluster per kubeconfig context, connected on first use
 * (the tree expanding a context, the panel opening a live Service). No vscode import: LiveSources wraps
 * it with settings and workspace trust, and the tests drive it against the fake API server.
 */
import type { ClusterState } from '../core';
import type { ContextStatus, LiveChange, LiveCluster } from '../live';
import type { LiveInfo, ServiceRef } from '../protocol/webview';
import { KUBE_PROXY_RESOURCES } from '../live/resources';

export interface LiveEntry {
  cluster?: LiveCluster;
  error?: string;
  /** Settles when the context is connected (or failed to); never rejects. */
  connected: Promise<void>;
}

export type LiveListener = (context: string, change: LiveChange | undefined) => void;

export class LiveRegistry {
  private readonly entries = new Map<string, LiveEntry>();
  private readonly listeners = new Set<LiveListener>();

  /** `open` reads the kubeconfig and builds the context's LiveCluster (not started). */
  constructor(private readonly open: (context: string) => Promise<LiveCluster>) {}

  get(context: string): LiveEntry | undefined {
    return this.entries.get(context);
  }

  /** Connects a context once: list and watch its resources. Listeners hear every change batch. */
  connect(context: string): LiveEntry {
    let entry = this.entries.get(context);
    if (entry) return entry;
    const e: LiveEntry = { connected: Promise.resolve() };
    entry = e;
    this.entries.set(context, e);
    e.connected = this.open(context).then(
      (cluster) => {
        if (this.entries.get(context) !== e) {
          cluster.stop();
          return;
        }
        e.cluster = cluster;
        cluster.onChange((change) => this.emit(context, change));
        cluster.start();
        this.emit(context, undefined);
      },
      (err: unknown) => {
        e.error = err instanceof Error ? err.message : String(err);
        this.emit(context, undefined);
      },
    );
    return e;
  }

  onChange(listener: LiveListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * The state a live Service is analysed on: its namespace plus the cluster-scoped objects (nodes,
   * the kube-proxy configuration), which is all its endpoints, rules and traces depend on. Connects the
   * context if needed and waits (up to timeoutMs) for its first sync.
   */
  async stateFor(ref: ServiceRef, timeoutMs = 30_000): Promise<ClusterState> {
    const context = ref.context;
    if (context === undefined) throw new Error('not a live Service');
    const entry = this.connect(context);
    await entry.connected;
    if (entry.error || !entry.cluster) throw new Error(`Cluster ${context}: ${entry.error ?? 'not connected'}`);
    const st = entry.cluster.status();
    if (!hasData(st)) await entry.cluster.whenReady(timeoutMs);
    return entry.cluster.namespaceState(ref.namespace);
  }

  /** Where a live Service's data comes from, how current it is, and what RBAC hides in its namespace. */
  info(context: string, namespace?: string): LiveInfo | undefined {
    const cluster = this.entries.get(context)?.cluster;
    if (!cluster) return undefined;
    const st = cluster.status();
    const unreadable = namespace === undefined ? [] : unreadableIn(st, namespace);
    return { context, server: st.server, state: st.state, message: st.message, staleSince: st.staleSince, ...(unreadable.length ? { unreadable } : {}) };
  }

  contexts(): string[] {
    return [...this.entries.keys()];
  }

  /** Stops every context (a settings or trust change, or the extension going away). */
  stopAll(): void {
    for (const e of this.entries.values()) e.cluster?.stop();
    this.entries.clear();
  }

  dispose(): void {
    this.stopAll();
    this.listeners.clear();
  }

  private emit(context: string, change: LiveChange | undefined): void {
    for (const l of [...this.listeners]) {
      try {
        l(context, change);
      } catch {
        // One failing view must not stop the others.
      }
    }
  }
}

/** The namespaced resources that cannot be read in a namespace: forbidden there, or cluster-wide without a per-namespace fallback. */
export function unreadableIn(st: ContextStatus, namespace: string): string[] {
  const out = new Set<string>();
  for (const r of st.resources) {
    if (r.state !== 'forbidden' || r.resource === 'nodes' || r.resource === 'namespaces') continue;
    if (r.namespace === namespace || (r.namespace === undefined && !st.perNamespace.includes(r.resource) && !KUBE_PROXY_RESOURCES.has(r.resource))) out.add(r.resource);
  }
  return [...out].sort();
}

/** Some resource has been listed at least once, so a view can show something. */
export function hasData(st: ContextStatus): boolean {
  return st.state === 'synced' || st.resources.some((r) => r.state === 'synced' || r.objects > 0);
}

/**
 * Whether a change batch can change what the panel shows for a live Service: anything in its
 * namespace or cluster-wide (nodes, namespaces, the kube-proxy configuration), a status change, or a
 * batch too big to list.
 */
export function affectsService(context: string, change: LiveChange | undefined, ref: ServiceRef | null | undefined): boolean {
  if (!ref || ref.context !== context) return false;
  if (!change || change.statusChanged || change.truncated) return true;
  return change.changes.some((c) => c.namespace === undefined || c.namespace === ref.namespace || KUBE_PROXY_RESOURCES.has(c.resource));
}
