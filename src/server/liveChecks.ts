/**
 * Open manifests checked against a live cluster (setting kubeServiceDebugger.live.checkManifests, only when
 * the client says the workspace is trusted). The server owns one LiveCluster (src/live: list + watch,
 * read-only) so every editor gets the same diagnostics, not just VS Code. For each open manifest it runs
 * src/live checkAgainstLive on the manifest over the live state of its namespace: the checks where the live
 * pods answer differently (a selector that matches live pods, a targetPort no live pod exposes...) and drift
 * from the live Service (KSD801, KSD802). Only diagnostics the offline analysis does not already report are
 * added, with `source` naming the context.
 */
import type { ClusterState, Diagnostic, ManifestFile } from '../core';
import { checkAgainstLive, LiveCluster, type ConnectOptions } from '../live';
import type { LiveStatusParams } from '../protocol/lsp';
import type { KsdSettings } from '../protocol/settings';

export interface LiveChecksDeps {
  /** The parsed manifest of an open document (undefined when it is not open or not a manifest). */
  openFile(uri: string): ManifestFile | undefined;
  /** The open documents (normalized uris). */
  openUris(): string[];
  /** Publish the document's diagnostics again (offline ones plus `extra(uri)`). */
  republish(uri: string): void;
  status(s: LiveStatusParams): void;
  log(message: string): void;
  /** How to reach the cluster (tests pass their own kubeconfig). */
  connect?: (options: ConnectOptions) => Promise<LiveCluster>;
}

export class LiveChecks {
  private cluster: LiveCluster | undefined;
  private key: string | undefined;
  private generation = 0;
  private lastStatus = '';
  /** What was last published per document, so a refresh republishes only when the live findings changed. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly deps: LiveChecksDeps) {}

  /** Applies settings and trust: connects, switches context or stops. */
  configure(settings: KsdSettings['live'], trusted: boolean): void {
    const key = !settings.checkManifests ? 'off' : !trusted ? 'untrusted' : JSON.stringify([settings.context, settings.kubeconfig]);
    if (key === this.key) return;
    this.stop();
    this.key = key;
    if (!settings.checkManifests) return this.send({ state: 'off' });
    if (!trusted) return this.send({ state: 'untrusted', message: 'Live checks need a trusted workspace.' });
    const gen = ++this.generation;
    this.send({ state: 'connecting', context: settings.context || undefined });
    const connect = this.deps.connect ?? ((o: ConnectOptions) => LiveCluster.connect(o));
    connect({ context: settings.context || undefined, kubeconfig: settings.kubeconfig ? { files: [settings.kubeconfig] } : undefined, trusted: true }).then(
      (cluster) => {
        if (gen !== this.generation) return cluster.stop();
        this.cluster = cluster;
        cluster.onChange((c) => {
          this.sendStatus();
          // A status change alone (synced, reconnecting) does not change the data; objects do.
          if (c.changes.length || c.truncated) this.recheck(new Set(c.changes.map((x) => x.namespace)), c.truncated > 0);
        });
        cluster.start();
        this.sendStatus();
      },
      (e: unknown) => {
        if (gen !== this.generation) return;
        const message = e instanceof Error ? e.message : String(e);
        this.deps.log(`ksd: live checks: ${message}`);
        this.send({ state: 'error', context: settings.context || undefined, message });
      },
    );
  }

  /** Live diagnostics for an open document (none while off, not synced, or not open). */
  extra(uri: string): Diagnostic[] {
    const cluster = this.cluster;
    const file = cluster ? this.deps.openFile(uri) : undefined;
    if (!cluster || !file || !hasData(cluster)) {
      this.sent.delete(uri);
      return [];
    }
    // Computed on each publish of an open document (the index may update a file in place, so nothing is cached by identity).
    const diags = checkAgainstLive([file], this.stateFor(cluster, file), { context: cluster.context, defaultNamespace: cluster.defaultNamespace }).diagnostics;
    this.sent.set(uri, keyOf(diags));
    return diags;
  }

  /**
   * Documents whose text changed: the offline analysis republishes only when its own findings change, so
   * the live ones are checked here and the document republished when they differ from what was sent.
   */
  refresh(uris: readonly string[]): void {
    const cluster = this.cluster;
    if (!cluster || !hasData(cluster)) return;
    for (const uri of uris) {
      const file = this.deps.openFile(uri);
      if (!file) continue;
      const now = keyOf(checkAgainstLive([file], this.stateFor(cluster, file), { context: cluster.context, defaultNamespace: cluster.defaultNamespace }).diagnostics);
      if (now !== (this.sent.get(uri) ?? keyOf([]))) this.deps.republish(uri);
    }
  }

  stop(): void {
    this.generation++;
    this.cluster?.stop();
    const had = this.cluster !== undefined;
    this.cluster = undefined;
    this.sent.clear();
    if (had) for (const uri of this.deps.openUris()) this.deps.republish(uri);
  }

  /** The namespace's live state when the file stays in one namespace (fast on big clusters), else the whole cluster's. */
  private stateFor(cluster: LiveCluster, file: ManifestFile): ClusterState {
    const namespaces = new Set(file.objects.filter((o) => !CLUSTER_KINDS.has(o.kind)).map((o) => o.namespace ?? cluster.defaultNamespace));
    return namespaces.size <= 1 ? cluster.namespaceState([...namespaces][0] ?? cluster.defaultNamespace) : cluster.state();
  }

  private recheck(namespaces: Set<string | undefined>, all: boolean): void {
    const cluster = this.cluster;
    if (!cluster) return;
    for (const uri of this.deps.openUris()) {
      const file = this.deps.openFile(uri);
      if (!file) continue;
      const touched = all || namespaces.has(undefined) || namespaces.has('kube-system') || file.objects.some((o) => namespaces.has(o.namespace ?? cluster.defaultNamespace));
      if (touched) this.refresh([uri]);
    }
  }

  private sendStatus(): void {
    const c = this.cluster;
    if (!c) return;
    const st = c.status();
    this.send({ state: st.state, context: c.context, server: st.server, message: st.message, staleSince: st.staleSince });
  }

  private send(s: LiveStatusParams): void {
    const text = JSON.stringify(s);
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.deps.status(s);
  }
}

function keyOf(diags: readonly Diagnostic[]): string {
  return JSON.stringify(diags.map((d) => [d.code, d.range, d.message, d.severity]));
}

const CLUSTER_KINDS = new Set(['Namespace', 'Node', 'ServiceCIDR', 'KubeProxyConfiguration']);

function hasData(cluster: LiveCluster): boolean {
  const st = cluster.status();
  return st.state === 'synced' || st.resources.some((r) => r.state === 'synced');
}

/** The live diagnostics the offline analysis does not already report for the same spot. */
export function liveOnly(offline: readonly Diagnostic[], live: readonly Diagnostic[]): Diagnostic[] {
  if (!live.length) return [];
  const key = (d: Diagnostic) => `${d.code}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
  const seen = new Set(offline.map(key));
  return live.filter((d) => !seen.has(key(d)));
}
