/**
 * List then watch one resource in one scope, as client-go's reflector does: a paged list
 * (limit/continue) gives the objects and a resourceVersion; a watch from there (with bookmarks)
 * keeps them current; a watch that ends is resumed from the last resourceVersion seen; 410 Gone
 * means that version is too old, so everything is listed again; failures back off and retry.
 */
import type { LoadedObject } from '../core';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { ApiClient, WatchEvent, WatchHandle } from './client';
import { errorFromNetwork, errorFromStatus, LiveError, type ApiStatus } from './errors';
import { collectionPath, resourceWords, type ResourceDef } from './resources';
import type { ResourceStatus, SyncState } from './types';

export interface ReflectorOptions {
  /** Items per list page (limit). */
  pageSize: number;
  /** Server-side watch timeout; each watch picks a value between this and twice this, like client-go. */
  watchTimeoutSeconds: number;
  /** A watch with no event or bookmark for this long is assumed dead and restarted. */
  idleTimeoutMs: number;
  backoff: BackoffOptions;
  /** How soon a forbidden list is tried again (RBAC may change). */
  forbiddenRetryMs: number;
  /** false: list once and stop (a one-shot snapshot, e.g. for the CLI); failures are final. */
  watch: boolean;
}

export const DEFAULT_REFLECTOR_OPTIONS: ReflectorOptions = {
  pageSize: 500,
  watchTimeoutSeconds: 300,
  idleTimeoutMs: 11 * 60_000,
  backoff: DEFAULT_BACKOFF,
  forbiddenRetryMs: 30_000,
  watch: true,
};

export interface ReflectorSink {
  changed(r: Reflector, type: 'added' | 'modified' | 'deleted', obj: LoadedObject): void;
  statusChanged(r: Reflector): void;
  forbidden(r: Reflector): void;
}

type WatchOutcome = 'relist' | 'resume' | LiveError;

export class Reflector {
  readonly store = new Map<string, LoadedObject>();
  private rv: string | undefined;
  private stopped = false;
  private running = false;
  private handle: WatchHandle | undefined;
  private wake: (() => void) | undefined;
  private readonly backoff: Backoff;
  private current: ResourceStatus;

  constructor(
    private readonly client: ApiClient,
    readonly def: ResourceDef,
    /** undefined: cluster-wide. */
    readonly namespace: string | undefined,
    private readonly sink: ReflectorSink,
    private readonly options: ReflectorOptions = DEFAULT_REFLECTOR_OPTIONS,
  ) {
    this.backoff = new Backoff(options.backoff);
    this.current = { resource: def.name, namespace, state: 'syncing', since: Date.now(), objects: 0, reconnects: 0, relists: 0 };
  }

  get status(): ResourceStatus {
    return { ...this.current, objects: this.store.size, resourceVersion: this.rv };
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    // The loop handles its own errors; this catch only guards against a bug turning into an unhandled rejection.
    this.loop().catch((e: unknown) => this.setState('error', `internal error: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Stops for good. `note` keeps the current state (a forbidden cluster-wide list replaced by per-namespace ones) and explains it. */
  stop(note?: string): void {
    this.stopped = true;
    this.handle?.stop();
    this.handle = undefined;
    this.wake?.();
    if (note) this.current = { ...this.current, message: `${this.current.message ?? ''}; ${note}` };
    else this.setState('stopped');
  }

  private setState(state: SyncState, message?: string): void {
    const prev = this.current;
    const now = Date.now();
    const staleSince = state === 'synced' ? undefined : (prev.staleSince ?? (prev.state === 'synced' ? now : undefined));
    if (prev.state === state && prev.message === message) return;
    this.current = { ...prev, state, since: now, staleSince, message };
    this.sink.statusChanged(this);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.list();
          needList = false;
          this.backoff.reset();
          this.setState('synced');
          if (!this.options.watch) return;
        }
        const started = Date.now();
        const outcome = await this.watchOnce();
        if (this.stopped) return;
        if (outcome === 'relist') {
          this.current = { ...this.current, relists: this.current.relists + 1 };
          needList = true;
          continue;
        }
        if (outcome === 'resume') {
          // A server that keeps closing watches at once must not make us spin.
          if (Date.now() - started < 1000) await this.sleep(this.backoff.next());
          continue;
        }
        throw outcome;
      } catch (e) {
        if (this.stopped) return;
        const err = errorFromNetwork(e, resourceWords(this.def.name, this.namespace));
        if (err.code === 'gone') {
          this.current = { ...this.current, relists: this.current.relists + 1 };
          needList = true;
          continue;
        }
        if (err.code === 'forbidden') {
          this.setState('forbidden', err.message);
          this.sink.forbidden(this);
          if (!this.options.watch) return;
          needList = true;
          await this.sleep(this.options.forbiddenRetryMs);
          continue;
        }
        if (!this.options.watch) return this.setState('error', err.message);
        this.current = { ...this.current, reconnects: this.current.reconnects + 1 };
        const delay = this.backoff.next();
        const transient = err.code === 'unreachable' || err.code === 'timeout';
        this.setState(transient ? 'reconnecting' : 'error', `${err.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        await this.sleep(delay);
      }
    }
  }

  private toLoaded(raw: unknown): LoadedObject | undefined {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
    // The parsed JSON is ours: label it in place (list items carry no kind) rather than copy it.
    const item = raw as Record<string, unknown>;
    item['apiVersion'] = this.def.apiVersion;
    item['kind'] = this.def.kind;
    const obj = this.def.slim(item);
    const meta = obj['metadata'] as Record<string, unknown> | undefined;
    const name = meta?.['name'];
    if (typeof name !== 'string' || !name) return undefined;
    const ns = meta?.['namespace'];
    return { apiVersion: this.def.apiVersion, kind: this.def.kind, name, namespace: typeof ns === 'string' ? ns : undefined, object: obj, partial: false };
  }

  private key(o: LoadedObject): string {
    return o.namespace ? `${o.namespace}/${o.name}` : o.name;
  }

  private async list(): Promise<void> {
    const path = collectionPath(this.def, this.namespace ?? this.def.fixedNamespace);
    const fresh = new Map<string, LoadedObject>();
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.client.get<{ items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } }>(path, {
        limit: this.options.pageSize,
        continue: cont,
        fieldSelector: this.def.fieldSelector,
        labelSelector: this.def.labelSelector,
      });
      if (this.stopped) return;
      if (!Array.isArray(page.items)) throw new LiveError('bad-response', `GET ${path}: the answer is not a list`);
      for (const raw of page.items) {
        const o = this.toLoaded(raw);
        if (o) fresh.set(this.key(o), o);
      }
      rv = typeof page.metadata?.resourceVersion === 'string' ? page.metadata.resourceVersion : rv;
      cont = typeof page.metadata?.continue === 'string' && page.metadata.continue ? page.metadata.continue : undefined;
    } while (cont);
    for (const [k, old] of this.store) if (!fresh.has(k)) this.sink.changed(this, 'deleted', old);
    for (const [k, o] of fresh) {
      const old = this.store.get(k);
      if (!old) this.sink.changed(this, 'added', o);
      else if (resourceVersionOf(old) !== resourceVersionOf(o)) this.sink.changed(this, 'modified', o);
    }
    this.store.clear();
    for (const [k, o] of fresh) this.store.set(k, o);
    this.rv = rv;
  }

  private watchOnce(): Promise<WatchOutcome> {
    const path = collectionPath(this.def, this.namespace ?? this.def.fixedNamespace);
    const t = this.options.watchTimeoutSeconds;
    const timeoutSeconds = Math.max(1, Math.round(t + Math.random() * t));
    return new Promise<WatchOutcome>((resolve) => {
      let settled = false;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const settle = (o: WatchOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        clearTimeout(confirm);
        this.handle?.stop();
        this.handle = undefined;
        this.wake = undefined;
        resolve(o);
      };
      // A resumed watch counts as current once the server has sent something other than an error, or
      // has kept it open for a second: an expired resourceVersion gets its 410 at once.
      let confirm: ReturnType<typeof setTimeout> | undefined;
      const confirmed = () => {
        clearTimeout(confirm);
        if (!settled && this.current.state !== 'synced') this.setState('synced');
      };
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => settle(new LiveError('timeout', `watch ${path}: nothing heard for ${Math.round(this.options.idleTimeoutMs / 1000)} s`)), this.options.idleTimeoutMs);
      };
      // stop() must end this promise too.
      this.wake = () => settle('resume');
      armIdle();
      const onEvent = (e: WatchEvent) => {
        if (settled) return;
        armIdle();
        if (e.type !== 'ERROR') confirmed();
        this.apply(e, settle);
      };
      this.client
        .watch(path, { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds, fieldSelector: this.def.fieldSelector, labelSelector: this.def.labelSelector }, onEvent, (err) =>
          settle(err ? (err.code === 'gone' ? 'relist' : err) : 'resume'),
        )
        .then(
          (h) => {
            if (settled) h.stop();
            else {
              this.handle = h;
              this.backoff.reset();
              if (this.current.state !== 'synced') confirm = setTimeout(confirmed, 1000);
            }
          },
          (e: unknown) => settle(errorFromNetwork(e, `watch ${path}`)),
        );
    });
  }

  private apply(e: WatchEvent, settle: (o: WatchOutcome) => void): void {
    if (e.type === 'ERROR') {
      const status = e.object as ApiStatus;
      settle(status.code === 410 ? 'relist' : errorFromStatus(status.code ?? 500, status, `watch ${resourceWords(this.def.name, this.namespace)}`));
      return;
    }
    const rv = resourceVersionOf(e.object);
    if (e.type === 'BOOKMARK') {
      if (rv) this.rv = rv;
      return;
    }
    const o = this.toLoaded(e.object);
    if (!o) return;
    const k = this.key(o);
    if (e.type === 'DELETED') {
      if (this.store.delete(k)) this.sink.changed(this, 'deleted', o);
    } else {
      const had = this.store.has(k);
      this.store.set(k, o);
      this.sink.changed(this, had ? 'modified' : 'added', o);
    }
    if (rv) this.rv = rv;
  }
}

function resourceVersionOf(o: LoadedObject | Record<string, unknown>): string | undefined {
  const obj = 'object' in o && 'partial' in o ? (o as LoadedObject).object : (o as Record<string, unknown>);
  const rv = (obj['metadata'] as Record<string, unknown> | undefined)?.['resourceVersion'];
  return typeof rv === 'string' ? rv : undefined;
}
