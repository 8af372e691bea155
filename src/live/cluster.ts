/**
 * A live cluster seen through one kubeconfig context: a reflector per resource (per namespace when
 * RBAC forbids the cluster-wide list), one cluster-state model built from what they hold, debounced
 * change events and a status views can show.
 */
import { buildClusterState, type ClusterState, type LoadedObject } from '../core';
import { createApiClient, type ApiClient, type ClientOptions } from './client';
import { loadKubeconfig, resolveContext, type ContextOptions, type KubeconfigSource } from './kubeconfig';
import { DEFAULT_REFLECTOR_OPTIONS, Reflector, type ReflectorOptions, type ReflectorSink } from './reflector';
import { KUBE_PROXY_RESOURCES, RESOURCES, type ResourceDef, type ResourceName } from './resources';
import { LiveError } from './errors';
import { aggregateStatus } from './status';
import { MAX_CHANGES_PER_EVENT, type ContextStatus, type Disposable, type LiveChange, type ObjectChange } from './types';

export interface LiveClusterOptions {
  /** Batch changes for this long before telling listeners (default 50 ms). */
  debounceMs?: number;
  /** Which resources to follow (default all). */
  resources?: ResourceName[];
  reflector?: Partial<ReflectorOptions>;
  /** Follow namespaced resources in this namespace only (and skip the Namespace list). */
  namespace?: string;
  /**
   * After a forbidden cluster-wide list made a resource fall back to per-namespace lists, try the
   * cluster-wide list again this often (RBAC can change; default 5 minutes).
   */
  clusterWideRetryMs?: number;
}

export interface ConnectOptions extends LiveClusterOptions, ContextOptions, ClientOptions {
  kubeconfig?: KubeconfigSource;
}

export class LiveCluster {
  private readonly reflectors = new Map<string, Reflector>();
  private readonly fallback = new Set<ResourceName>();
  /** Cluster-wide reflectors tried again after a fallback: they replace the per-namespace ones once synced. */
  private readonly promoting = new Map<ResourceName, Reflector>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(c: LiveChange) => void>();
  private pending = new Map<string, ObjectChange>();
  private pendingResources = new Set<ResourceName>();
  private truncated = 0;
  private statusDirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cached: ClusterState | undefined;
  private readonly byNamespace = new Map<string, ClusterState>();
  private started = false;
  private stopped = false;
  private readonly defs: ResourceDef[];
  private readonly reflectorOptions: ReflectorOptions;
  private readonly sink: ReflectorSink;

  /** Reads the kubeconfig, picks the context and connects (nothing is requested until start()). */
  static async connect(options: ConnectOptions): Promise<LiveCluster> {
    const kubeconfig = await loadKubeconfig(options.kubeconfig);
    const ctx = await resolveContext(kubeconfig, options);
    const client = await createApiClient(ctx, options);
    return new LiveCluster(client, ctx.info.name, ctx.info.namespace, options);
  }

  constructor(
    readonly client: ApiClient,
    readonly context: string,
    /** The context's namespace: what is listed when even the namespace list is forbidden. */
    readonly defaultNamespace: string,
    private readonly options: LiveClusterOptions = {},
  ) {
    const wanted = options.resources;
    this.defs = RESOURCES.filter((r) => (!wanted || wanted.includes(r.name)) && !(options.namespace !== undefined && r.name === 'namespaces'));
    this.reflectorOptions = { ...DEFAULT_REFLECTOR_OPTIONS, ...options.reflector };
    this.sink = {
      changed: (r, type, o) => this.onObject(r, type, o),
      statusChanged: () => this.onStatus(),
      forbidden: (r) => this.onForbidden(r),
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const def of this.defs) this.add(def, def.namespaced && !def.fixedNamespace ? this.options.namespace : undefined);
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.reflectors.values()) r.stop();
    for (const r of this.promoting.values()) r.stop();
    this.promoting.clear();
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.timer = undefined;
    this.retryTimer = undefined;
    this.pending.clear();
    this.listeners.clear();
  }

  onChange(listener: (c: LiveChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  status(): ContextStatus {
    return aggregateStatus(this.context, this.client.server, [...this.reflectors.values()].map((r) => r.status), [...this.fallback]);
  }

  /** Every object held, as the loaded objects the core reads (no source: they come from the cluster). */
  objects(): LoadedObject[] {
    return this.collect(() => true);
  }

  /**
   * The held objects that pass `keep`, each once: a kube-proxy Pod read both with the pods (without images)
   * and by its label in kube-system (with them, possibly under both labels) counts once, as the labelled copy.
   */
  private collect(keep: (r: Reflector, o: LoadedObject) => boolean): LoadedObject[] {
    const labelled = new Set<string>();
    for (const r of this.reflectors.values()) if (r.def.kind === 'Pod' && r.def.partialKind) for (const k of r.store.keys()) labelled.add(k);
    const taken = new Set<string>();
    const out: LoadedObject[] = [];
    for (const r of this.reflectors.values()) {
      const pods = r.def.kind === 'Pod' && labelled.size > 0;
      const copy = pods && r.def.partialKind;
      for (const [k, o] of r.store) {
        if (!keep(r, o)) continue;
        if (pods && (copy ? taken.has(k) : labelled.has(k))) continue;
        if (copy) taken.add(k);
        out.push(o);
      }
    }
    return out;
  }

  /** Services per namespace, straight from the stores (no model is built): what a tree lists first. */
  servicesPerNamespace(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.reflectors.values()) {
      if (r.def.name !== 'services') continue;
      for (const o of r.store.values()) if (o.namespace !== undefined) out.set(o.namespace, (out.get(o.namespace) ?? 0) + 1);
    }
    return out;
  }

  /** The same model the manifests produce, for the whole cluster; rebuilt only after something changed. */
  state(): ClusterState {
    this.cached ??= buildClusterState(this.objects(), { simulatePods: false });
    return this.cached;
  }

  /**
   * The same model for one namespace: its objects plus the cluster-scoped ones (nodes, namespaces,
   * the kube-proxy configuration). A Service's endpoints depend on nothing else, so a view that shows
   * one Service uses this and stays fast on a big cluster (the whole-cluster state takes seconds to
   * build at 50,000 pods). Rebuilt only when something in that namespace or cluster-wide changed.
   */
  namespaceState(namespace: string): ClusterState {
    let st = this.byNamespace.get(namespace);
    if (!st) {
      const objects = this.collect((r, o) => (r.namespace === undefined || r.namespace === namespace) && (o.namespace === undefined || o.namespace === namespace || r.def.fixedNamespace !== undefined));
      st = buildClusterState(objects, { simulatePods: false });
      this.byNamespace.set(namespace, st);
    }
    return st;
  }

  /** Resolves once every resource is synced, forbidden or failed at least once; rejects after timeoutMs. */
  whenReady(timeoutMs = 30_000): Promise<ContextStatus> {
    return new Promise((resolve, reject) => {
      const settledStates = new Set(['synced', 'forbidden', 'error']);
      const check = () => {
        const st = this.status();
        const busy = st.resources.some((r) => !settledStates.has(r.state) && !(r.namespace === undefined && this.fallback.has(r.resource)));
        if (!busy && st.resources.length) return st;
        return undefined;
      };
      const now = check();
      if (now) return resolve(now);
      const sub = this.onChange(() => {
        const st = check();
        if (st) {
          clearTimeout(t);
          sub.dispose();
          resolve(st);
        }
      });
      const t = setTimeout(() => {
        sub.dispose();
        const st = this.status();
        reject(Object.assign(new Error(`context ${this.context}: not synced after ${Math.round(timeoutMs / 1000)} s (${st.message ?? st.state})`), { status: st }));
      }, timeoutMs);
    });
  }

  /**
   * Lists once (no watches) and stops: a snapshot for one-shot users such as the CLI. Throws a
   * LiveError when the cluster cannot be reached or a needed resource cannot be read.
   */
  async snapshot(timeoutMs = 30_000): Promise<ClusterState> {
    this.start();
    try {
      const st = await this.whenReady(timeoutMs);
      const failed = st.resources.find((r) => r.state === 'error' && !KUBE_PROXY_RESOURCES.has(r.resource));
      if (failed) throw new LiveError(failed.message?.includes('cannot reach') ? 'unreachable' : 'http', `context "${this.context}" (${this.client.server}): ${failed.message ?? 'failed'}`);
      const forbidden = st.resources.filter((r) => r.state === 'forbidden' && (r.resource === 'services' || r.resource === 'pods' || r.resource === 'endpointslices'));
      const blocked = forbidden.filter((r) => r.namespace !== undefined || !this.fallback.has(r.resource));
      if (blocked.length) throw new LiveError('forbidden', `context "${this.context}": ${blocked[0]!.message}`);
      return this.state();
    } finally {
      this.stop();
    }
  }

  private add(def: ResourceDef, namespace: string | undefined): void {
    const key = `${def.name}|${namespace ?? ''}`;
    if (this.reflectors.has(key) || this.stopped) return;
    const r = new Reflector(this.client, def, namespace, this.sink, this.reflectorOptions);
    this.reflectors.set(key, r);
    r.start();
  }

  private remove(def: ResourceDef, namespace: string | undefined): void {
    const key = `${def.name}|${namespace ?? ''}`;
    const r = this.reflectors.get(key);
    if (!r) return;
    r.stop();
    this.reflectors.delete(key);
    for (const o of r.store.values()) this.queue(def.name, 'deleted', o);
    this.cached = undefined;
    this.byNamespace.clear();
  }

  /** Namespaces to list one by one: all known ones, or the context's own when even that is hidden. */
  private namespacesForFallback(): string[] {
    const nsReflector = this.reflectors.get('namespaces|');
    const names = nsReflector && nsReflector.status.state === 'synced' ? [...nsReflector.store.values()].map((o) => o.name) : [];
    return names.length ? names : [this.defaultNamespace];
  }

  private onForbidden(r: Reflector): void {
    if (r.namespace !== undefined || this.options.namespace !== undefined || !r.def.namespaced || r.def.fixedNamespace || this.fallback.has(r.def.name)) return;
    this.fallback.add(r.def.name);
    r.stop('listing per namespace instead');
    for (const ns of this.namespacesForFallback()) this.add(r.def, ns);
    this.scheduleClusterWideRetry();
    this.onStatus();
  }

  private scheduleClusterWideRetry(): void {
    if (this.retryTimer || this.stopped || !this.reflectorOptions.watch) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      for (const name of this.fallback) if (!this.promoting.has(name)) this.tryClusterWide(name);
    }, this.options.clusterWideRetryMs ?? 5 * 60_000);
  }

  /**
   * Lists a fallen-back resource cluster-wide again, in the background: until that list is complete the
   * per-namespace reflectors keep serving; then they are replaced in one step (no object disappears in
   * between). Still forbidden: try again later.
   */
  private tryClusterWide(name: ResourceName): void {
    const def = this.defs.find((d) => d.name === name)!;
    const shadow: Reflector = new Reflector(this.client, def, undefined, {
      changed: (r, type, o) => {
        if (this.reflectors.get(`${name}|`) === r) this.onObject(r, type, o);
      },
      statusChanged: (r) => {
        if (this.promoting.get(name) === r && r.status.state === 'synced') this.promote(def, r);
        else if (this.reflectors.get(`${name}|`) === r) this.onStatus();
      },
      forbidden: (r) => {
        if (this.promoting.get(name) !== r) return;
        r.stop();
        this.promoting.delete(name);
        this.scheduleClusterWideRetry();
      },
    }, this.reflectorOptions);
    this.promoting.set(name, shadow);
    shadow.start();
  }

  private promote(def: ResourceDef, r: Reflector): void {
    this.promoting.delete(def.name);
    this.fallback.delete(def.name);
    for (const [key, old] of [...this.reflectors]) {
      if (old.def !== def) continue;
      old.stop();
      this.reflectors.delete(key);
    }
    this.reflectors.set(`${def.name}|`, r);
    this.cached = undefined;
    this.byNamespace.clear();
    this.pendingResources.add(def.name);
    this.onStatus();
  }

  private reconcileFallback(): void {
    if (!this.fallback.size) return;
    const namespaces = new Set(this.namespacesForFallback());
    for (const name of this.fallback) {
      const def = this.defs.find((d) => d.name === name)!;
      for (const r of [...this.reflectors.values()]) if (r.def === def && r.namespace !== undefined && !namespaces.has(r.namespace)) this.remove(def, r.namespace);
      for (const ns of namespaces) this.add(def, ns);
    }
  }

  private onObject(r: Reflector, type: ObjectChange['type'], o: LoadedObject): void {
    this.cached = undefined;
    if (o.namespace === undefined || r.def.fixedNamespace) this.byNamespace.clear();
    else this.byNamespace.delete(o.namespace);
    this.queue(r.def.name, type, o);
    if (r.def.name === 'namespaces' && type !== 'modified') this.reconcileFallback();
  }

  private onStatus(): void {
    this.statusDirty = true;
    this.schedule();
    if (this.fallback.size) {
      const ns = this.reflectors.get('namespaces|');
      if (ns?.status.state === 'synced') this.reconcileFallback();
    }
  }

  private queue(resource: ResourceName, type: ObjectChange['type'], o: LoadedObject): void {
    this.pendingResources.add(resource);
    const key = `${resource}|${o.namespace ?? ''}|${o.name}`;
    const prev = this.pending.get(key);
    if (prev) prev.type = prev.type === 'added' && type === 'modified' ? 'added' : type;
    else if (this.pending.size < MAX_CHANGES_PER_EVENT) this.pending.set(key, { resource, type, namespace: o.namespace, name: o.name });
    else this.truncated++;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 50);
  }

  private flush(): void {
    this.timer = undefined;
    const change: LiveChange = {
      context: this.context,
      resources: [...this.pendingResources],
      changes: [...this.pending.values()],
      truncated: this.truncated,
      statusChanged: this.statusDirty,
    };
    this.pending = new Map();
    this.pendingResources = new Set();
    this.truncated = 0;
    this.statusDirty = false;
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch {
        // A failing view must not stop the others or the source.
      }
    }
  }
}
