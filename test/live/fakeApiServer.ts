/**
 * An in-process HTTP server that speaks the Kubernetes API wire format for the resources the live
 * source reads. It is NOT a real API server: no admission, no RBAC engine, no storage layer. What it
 * does reproduce is what a client sees: JSON lists with metadata.resourceVersion and continue tokens
 * honouring limit; chunked watch streams of newline-delimited JSON events (ADDED, MODIFIED, DELETED,
 * BOOKMARK, ERROR with a Status); 410 Gone for compacted resourceVersions and continue tokens; 403
 * Forbidden Status objects per resource and namespace; bearer-token or client-certificate (HTTPS) authentication; and faults
 * (down, slow, dropped or reset watches, restart).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

type Obj = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  watch: boolean;
}

interface Watcher {
  plural: string;
  namespace?: string;
  name?: string;
  /** Equality requirements of a labelSelector (k=v, k==v, k!=v). */
  labels?: LabelRequirement[];
  res: http.ServerResponse;
  bookmarks: boolean;
  timers: ReturnType<typeof setTimeout>[];
}

interface HistoryEvent {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
  /** The object before a MODIFIED: a label-selected watch sees it enter (ADDED) or leave (DELETED) its selection. */
  previous?: Obj;
}

interface LabelRequirement {
  key: string;
  value: string;
  equal: boolean;
}

/** Equality-based label selectors, as the API server reads them; anything else (set-based) is refused. */
function parseLabelSelector(text: string | undefined): LabelRequirement[] | undefined | 'invalid' {
  if (!text) return undefined;
  const out: LabelRequirement[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)\s*$/.exec(part);
    if (!m) return 'invalid';
    out.push({ key: m[1]!, value: m[3]!, equal: m[2] !== '!=' });
  }
  return out;
}

function labelsMatch(reqs: LabelRequirement[] | undefined, o: Obj): boolean {
  if (!reqs) return true;
  const labels = ((o['metadata'] as Obj | undefined)?.['labels'] ?? {}) as Record<string, unknown>;
  return reqs.every((r) => (labels[r.key] === r.value) === r.equal);
}

const KINDS: Record<string, { kind: string; apiVersion: string; namespaced: boolean; group: string }> = {
  pods: { kind: 'Pod', apiVersion: 'v1', namespaced: true, group: '' },
  services: { kind: 'Service', apiVersion: 'v1', namespaced: true, group: '' },
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, group: '' },
  nodes: { kind: 'Node', apiVersion: 'v1', namespaced: false, group: '' },
  namespaces: { kind: 'Namespace', apiVersion: 'v1', namespaced: false, group: '' },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', namespaced: true, group: 'discovery.k8s.io' },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true, group: 'apps' },
};

export interface FakeApiServerOptions {
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  /** Bookmark interval for watches that allow them (default 500 ms). */
  bookmarkMs?: number;
  /** Watch events kept for resuming; older resourceVersions get 410 Gone (default 10,000). */
  historyLimit?: number;
  /** Serve HTTPS with this certificate, and require a client certificate signed by `ca`. */
  tls?: { key: string; cert: string; ca: string };
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Record requests (the bench turns this off). */
  record = true;
  slowMs = 0;
  /** Watches open (200, headers sent) but then say nothing at all: no events, no bookmarks. */
  silentWatches = false;
  private rv = 100;
  private compactedRV = 0;
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly sorted = new Map<string, string[]>();
  private history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly denied = new Set<string>();
  private server: http.Server | undefined;
  private port = 0;

  private constructor(private readonly options: FakeApiServerOptions) {}

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(options);
    await s.up();
    return s;
  }

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The client certificates' common names seen on TLS connections. */
  readonly clientNames = new Set<string>();

  get resourceVersion(): string {
    return String(this.rv);
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Starts listening (again, on the same port after down()). */
  async up(): Promise<void> {
    if (this.server) return;
    const tls = this.options.tls;
    const server = tls ? https.createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => this.handle(req, res)) : http.createServer((req, res) => this.handle(req, res));
    server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
      if (tls) {
        const cn = (s as TLSSocket).getPeerCertificate().subject?.CN;
        if (typeof cn === 'string') this.clientNames.add(cn);
      }
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The API server goes away: the port closes and every open connection is cut. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const w of this.watchers) this.endWatch(w);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A restart loses the watch cache: resourceVersions from before it are too old. */
  async restart(): Promise<void> {
    await this.down();
    this.compact();
    await this.up();
  }

  async close(): Promise<void> {
    await this.down();
  }

  /** Compaction: every resourceVersion up to now is too old to watch or continue from. */
  compact(): void {
    this.compactedRV = this.rv;
    this.history = [];
  }

  /** RBAC: deny list/watch of a resource cluster-wide ('*') or in one namespace. */
  deny(plural: string, scope: '*' | string): void {
    this.denied.add(`${plural}|${scope}`);
  }

  allow(plural: string, scope: '*' | string): void {
    this.denied.delete(`${plural}|${scope}`);
  }

  /** Ends every watch stream cleanly (as a load balancer's idle timeout would). */
  dropWatches(): void {
    for (const w of this.watchers) this.endWatch(w);
  }

  /** Cuts every watch connection with a TCP reset. */
  resetWatches(): void {
    for (const w of [...this.watchers]) {
      this.clearWatch(w);
      const socket = w.res.socket;
      socket?.resetAndDestroy();
    }
  }

  /** Adds objects without watch events (initial state, fast). */
  seed(plural: string, objects: Obj[]): void {
    const coll = this.collection(plural);
    for (const o of objects) {
      const meta = (o['metadata'] ??= {}) as Obj;
      meta['resourceVersion'] = String(++this.rv);
      meta['uid'] ??= `uid-${this.rv}`;
      coll.set(this.keyOf(plural, o), o);
    }
    this.sorted.delete(plural);
  }

  /** Creates or replaces an object and tells the watchers. */
  apply(plural: string, object: Obj): Obj {
    const coll = this.collection(plural);
    const o = structuredClone(object);
    const meta = (o['metadata'] ??= {}) as Obj;
    meta['resourceVersion'] = String(++this.rv);
    meta['uid'] ??= `uid-${this.rv}`;
    const key = this.keyOf(plural, o);
    const previous = coll.get(key);
    const type = previous ? 'MODIFIED' : 'ADDED';
    coll.set(key, o);
    this.sorted.delete(plural);
    this.emit({ rv: this.rv, plural, type, object: o, previous });
    return o;
  }

  delete(plural: string, namespace: string | undefined, name: string): void {
    const coll = this.collection(plural);
    const key = namespace ? `${namespace}/${name}` : name;
    const old = coll.get(key);
    if (!old) return;
    coll.delete(key);
    this.sorted.delete(plural);
    const o = structuredClone(old);
    (o['metadata'] as Obj)['resourceVersion'] = String(++this.rv);
    this.emit({ rv: this.rv, plural, type: 'DELETED', object: o });
  }

  private collection(plural: string): Map<string, Obj> {
    if (!KINDS[plural]) throw new Error(`fake API server: unknown resource ${plural}`);
    let c = this.store.get(plural);
    if (!c) this.store.set(plural, (c = new Map()));
    return c;
  }

  private keyOf(plural: string, o: Obj): string {
    const meta = o['metadata'] as Obj;
    return KINDS[plural]!.namespaced ? `${String(meta['namespace'] ?? 'default')}/${String(meta['name'])}` : String(meta['name']);
  }

  private emit(e: HistoryEvent): void {
    this.history.push(e);
    const limit = this.options.historyLimit ?? 10_000;
    if (this.history.length > limit) {
      const cut = this.history.length - limit;
      this.compactedRV = this.history[cut - 1]!.rv;
      this.history = this.history.slice(cut);
    }
    for (const w of this.watchers) this.deliver(w, e);
  }

  /** An event as a watcher sees it: a MODIFIED that moves an object into or out of its label selection is ADDED or DELETED. */
  private deliver(w: Watcher, e: HistoryEvent): void {
    if (!this.matches(w, e.plural, e.object, false)) return;
    const now = labelsMatch(w.labels, e.object);
    const before = e.type === 'MODIFIED' && e.previous ? labelsMatch(w.labels, e.previous) : now;
    if (now && before) this.send(w, e.type, e.object);
    else if (now) this.send(w, 'ADDED', e.object);
    else if (before) this.send(w, 'DELETED', e.object);
  }

  private matches(w: Watcher, plural: string, o: Obj, withLabels = true): boolean {
    if (w.plural !== plural) return false;
    const meta = o['metadata'] as Obj;
    if (w.namespace !== undefined && meta['namespace'] !== w.namespace) return false;
    if (w.name !== undefined && meta['name'] !== w.name) return false;
    return !withLabels || labelsMatch(w.labels, o);
  }

  private send(w: Watcher, type: string, object: Obj): void {
    w.res.write(JSON.stringify({ type, object: withKind(w.plural, object) }) + '\n');
  }

  private clearWatch(w: Watcher): void {
    for (const t of w.timers) clearTimeout(t); // clears intervals too
    this.watchers.delete(w);
  }

  private endWatch(w: Watcher): void {
    this.clearWatch(w);
    w.res.end();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    if (this.record) this.requests.push({ method: req.method ?? '', path: u.pathname, query, watch });
    const go = () => this.route(req, res, u, query, watch);
    if (this.slowMs > 0) setTimeout(go, this.slowMs);
    else go();
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, u: URL, query: Record<string, string>, watch: boolean): void {
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the fake API server is read-only: ${req.method} not allowed`);
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(u.pathname);
    const plural = m?.[4];
    const info = plural ? KINDS[plural] : undefined;
    if (!m || !plural || !info || (info.group || '') !== (m[1] ?? '')) return status(res, 404, 'NotFound', `the server could not find the requested resource (${u.pathname})`);
    const namespace = m[3] ? decodeURIComponent(m[3]) : undefined;
    const verb = watch ? 'watch' : m[5] ? 'get' : 'list';
    if (this.denied.has(`${plural}|${namespace ?? '*'}`) || (namespace === undefined && this.denied.has(`${plural}|*`))) {
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      return status(res, 403, 'Forbidden', `${plural} is forbidden: User "test-user" cannot ${verb} resource "${plural}" in API group "${info.group}" ${scope}`);
    }
    const fieldName = /metadata\.name=([^,]+)/.exec(query['fieldSelector'] ?? '')?.[1];
    const name = m[5] ? decodeURIComponent(m[5]) : fieldName;
    const labels = parseLabelSelector(query['labelSelector']);
    if (labels === 'invalid') return status(res, 400, 'BadRequest', `unable to parse requirement: ${query['labelSelector']}`);
    if (watch) return this.watch(res, plural, namespace, name, labels, query);
    if (m[5]) {
      const o = this.collection(plural).get(namespace ? `${namespace}/${name}` : name!);
      if (!o) return status(res, 404, 'NotFound', `${plural} "${name}" not found`);
      return json(res, 200, withKind(plural, o));
    }
    this.list(res, plural, namespace, name, labels, query);
  }

  private keys(plural: string): string[] {
    let keys = this.sorted.get(plural);
    if (!keys) this.sorted.set(plural, (keys = [...this.collection(plural).keys()].sort()));
    return keys;
  }

  private list(res: http.ServerResponse, plural: string, namespace: string | undefined, name: string | undefined, labels: LabelRequirement[] | undefined, query: Record<string, string>): void {
    const info = KINDS[plural]!;
    const limit = Number(query['limit'] ?? 0) || Infinity;
    let listRV = this.rv;
    let start = namespace !== undefined ? `${namespace}/` : '';
    if (query['continue']) {
      let token: { rv?: number; start?: string };
      try {
        token = JSON.parse(Buffer.from(query['continue'], 'base64url').toString('utf8')) as typeof token;
      } catch {
        return status(res, 400, 'BadRequest', 'continue key is not valid');
      }
      if (typeof token.rv !== 'number' || typeof token.start !== 'string') return status(res, 400, 'BadRequest', 'continue key is not valid');
      if (token.rv <= this.compactedRV) {
        return status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. Start a new list without the continue parameter.');
      }
      listRV = token.rv;
      start = token.start;
    }
    const keys = this.keys(plural);
    const coll = this.collection(plural);
    const items: Obj[] = [];
    let i = lowerBound(keys, start);
    let next: string | undefined;
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      if (namespace !== undefined && !key.startsWith(`${namespace}/`)) break;
      const o = coll.get(key)!;
      if (name !== undefined && (o['metadata'] as Obj)['name'] !== name) continue;
      if (!labelsMatch(labels, o)) continue;
      if (items.length >= limit) {
        next = key;
        break;
      }
      items.push(o);
    }
    const metadata: Obj = { resourceVersion: String(listRV) };
    if (next !== undefined) metadata['continue'] = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRV, start: next })).toString('base64url');
    json(res, 200, { kind: `${info.kind}List`, apiVersion: info.apiVersion, metadata, items });
  }

  private watch(res: http.ServerResponse, plural: string, namespace: string | undefined, name: string | undefined, labels: LabelRequirement[] | undefined, query: Record<string, string>): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (this.silentWatches) return;
    const w: Watcher = { plural, namespace, name, labels, res, bookmarks: query['allowWatchBookmarks'] === 'true', timers: [] };
    const rvText = query['resourceVersion'];
    if (rvText && rvText !== '0') {
      const from = Number(rvText);
      if (!Number.isFinite(from) || from < this.compactedRV) {
        res.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rvText} (${this.compactedRV + 1})`, reason: 'Expired', code: 410 } }) + '\n');
        res.end();
        return;
      }
      for (const e of this.history) if (e.rv > from) this.deliver(w, e);
    } else {
      for (const o of this.collection(plural).values()) if (this.matches(w, plural, o)) this.send(w, 'ADDED', o);
    }
    this.watchers.add(w);
    const timeout = Number(query['timeoutSeconds'] ?? 0);
    if (timeout > 0) w.timers.push(setTimeout(() => this.endWatch(w), timeout * 1000));
    if (w.bookmarks) {
      const info = KINDS[plural]!;
      w.timers.push(
        setInterval(() => res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: info.apiVersion, metadata: { resourceVersion: String(this.rv) } } }) + '\n'), this.options.bookmarkMs ?? 500),
      );
    }
    res.on('close', () => this.clearWatch(w));
  }
}

function withKind(plural: string, o: Obj): Obj {
  const info = KINDS[plural]!;
  return { apiVersion: info.apiVersion, kind: info.kind, ...o };
}

function json(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
