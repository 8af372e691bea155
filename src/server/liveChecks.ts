/**
 * Open manifests checked against a live cluster (setting kubeServiceDebugger.live.checkManifests, only when
 * the client says the workspace is trusted). The server owns one LiveCluster (src/live: list + watch,
 * read-only) so every editor gets the same diagnostics, not just VS Code. For each open manifest whose
 * namespace the live data can answer for (src/live liveGap: Services, pods and EndpointSlices synced, or
 * stale after a sync), src/live checkAgainstLive runs every check on the manifest over the live state and
 * src/live preferLive keeps one answer per finding: what depends only on what the live source follows (pods,
 * endpoints, Services, nodes) comes from the live analysis, worded for the context, replacing the offline
 * finding; the rest (the object alone, workloads, NetworkPolicies...) stays offline. Where the live data cannot answer (forbidden, failing,
 * not yet synced), the offline findings stay unchanged and ksd/liveStatus says why.
 */
import type { CheckOptions, ClusterOptions, ClusterState, Diagnostic, ManifestFile } from '../core';
import { checkAgainstLive, liveGap, LiveCluster, preferLive, type ConnectOptions, type PreferredFindings } from '../live';
import type { LiveStatusParams } from '../protocol/lsp';
import { parseNodePortRange, type KsdSettings } from '../protocol/settings';

export interface LiveChecksDeps {
  /** The parsed manifest of an open document (undefined when it is not open or not a manifest). */
  openFile(uri: string): ManifestFile | undefined;
  /** The open documents (normalized uris). */
  openUris(): string[];
  /** Publish the document's diagnostics again (through `findings(uri, offline)`). */
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
  private checkOptions: CheckOptions = {};
  /** The user's description of the cluster (Service CIDRs, node-port range), as the offline analysis uses it. */
  private clusterOptions: ClusterOptions = {};
  /** What was last published per document (live findings, or why none), so a refresh republishes only on a change. */
  private readonly sent = new Map<string, string>();
  /** The live findings last published per document, for their quick fixes. */
  private readonly published = new Map<string, Diagnostic[]>();

  constructor(private readonly deps: LiveChecksDeps) {}

  /** Applies settings and trust: connects, switches context or stops. */
  configure(settings: KsdSettings, trusted: boolean): void {
    const options: CheckOptions = { severities: settings.checks, ignoredLabels: settings.ignoredLabels };
    const cluster: ClusterOptions = {
      serviceCIDRs: settings.serviceCIDRs.length ? settings.serviceCIDRs : undefined,
      clusterCIDRs: settings.clusterCIDRs.length ? settings.clusterCIDRs : undefined,
      nodePortRange: parseNodePortRange(settings.nodePortRange),
    };
    const optionsChanged = JSON.stringify([options, cluster]) !== JSON.stringify([this.checkOptions, this.clusterOptions]);
    this.checkOptions = options;
    this.clusterOptions = cluster;
    const live = settings.live;
    const key = !live.checkManifests ? 'off' : !trusted ? 'untrusted' : JSON.stringify([live.context, live.kubeconfig]);
    if (key === this.key) {
      if (optionsChanged && this.cluster) this.refresh(this.deps.openUris());
      return;
    }
    this.stop();
    this.key = key;
    if (!live.checkManifests) return this.send({ state: 'off' });
    if (!trusted) return this.send({ state: 'untrusted', message: 'Live checks need a trusted workspace.' });
    const gen = ++this.generation;
    this.send({ state: 'connecting', context: live.context || undefined });
    const connect = this.deps.connect ?? ((o: ConnectOptions) => LiveCluster.connect(o));
    connect({ context: live.context || undefined, kubeconfig: live.kubeconfig ? { files: [live.kubeconfig] } : undefined, trusted: true }).then(
      (cluster) => {
        if (gen !== this.generation) return cluster.stop();
        this.cluster = cluster;
        cluster.onChange((c) => {
          this.sendStatus();
          // Objects changed in some namespaces; a status change (synced, forbidden, stale) can change what every document gets.
          if (c.statusChanged || c.truncated) this.refresh(this.deps.openUris());
          else if (c.changes.length) this.recheck(new Set(c.changes.map((x) => x.namespace)));
        });
        cluster.start();
        this.sendStatus();
      },
      (e: unknown) => {
        if (gen !== this.generation) return;
        const message = e instanceof Error ? e.message : String(e);
        this.deps.log(`ksd: live checks: ${message}`);
        this.send({ state: 'error', context: live.context || undefined, message });
      },
    );
  }

  /**
   * What to publish for an open document: its offline findings unchanged while live checks are off or the
   * live data cannot answer for its namespace; else one answer per finding (see preferLive).
   */
  findings(uri: string, offline: readonly Diagnostic[]): PreferredFindings {
    const live = this.compute(uri);
    if (live) this.sent.set(uri, live.key);
    else this.sent.delete(uri);
    this.sendStatus();
    const out = live ? preferLive(offline, live.diagnostics, live.context) : { offline: [...offline], live: [] };
    if (out.live.length) this.published.set(uri, out.live);
    else this.published.delete(uri);
    return out;
  }

  /** The live findings last published for a document (their fixes edit only the manifest: live objects have no source). */
  publishedFor(uri: string): readonly Diagnostic[] {
    return this.published.get(uri) ?? [];
  }

  /**
   * Documents whose text changed: the offline analysis republishes only when its own findings change, so
   * the live ones are checked here and the document republished when they differ from what was sent.
   */
  refresh(uris: readonly string[]): void {
    for (const uri of uris) {
      const now = this.compute(uri)?.key;
      if (now !== this.sent.get(uri)) this.deps.republish(uri);
    }
  }

  stop(): void {
    this.generation++;
    this.cluster?.stop();
    const had = this.cluster !== undefined;
    this.cluster = undefined;
    if (had) for (const uri of this.deps.openUris()) if (this.sent.has(uri)) this.deps.republish(uri);
    this.sent.clear();
    this.published.clear();
  }

  /** The live findings of an open document, or undefined when there are none to prefer (off, not open, no usable data). */
  private compute(uri: string): { diagnostics: Diagnostic[]; key: string; context: string } | undefined {
    const cluster = this.cluster;
    const file = cluster ? this.deps.openFile(uri) : undefined;
    if (!cluster || !file) return undefined;
    const namespaces = namespacesOf(file, cluster.defaultNamespace);
    const status = cluster.status();
    if (namespaces.some((ns) => liveGap(status, ns) !== undefined)) return undefined;
    // Computed on each publish of an open document (the index may update a file in place, so nothing is cached by identity).
    const state: ClusterState = namespaces.length <= 1 ? cluster.namespaceState(namespaces[0] ?? cluster.defaultNamespace) : cluster.state();
    const diagnostics = checkAgainstLive([file], state, { ...this.clusterOptions, context: cluster.context, defaultNamespace: cluster.defaultNamespace, checks: this.checkOptions }).diagnostics;
    return { diagnostics, key: keyOf(diagnostics), context: cluster.context };
  }

  private recheck(namespaces: Set<string | undefined>): void {
    const cluster = this.cluster;
    if (!cluster) return;
    const all = namespaces.has(undefined) || namespaces.has('kube-system');
    for (const uri of this.deps.openUris()) {
      const file = this.deps.openFile(uri);
      if (file && (all || namespacesOf(file, cluster.defaultNamespace).some((ns) => namespaces.has(ns)))) this.refresh([uri]);
    }
  }

  /** The cluster's status; when open manifests keep offline findings because the live data cannot answer, why. */
  private sendStatus(): void {
    const c = this.cluster;
    if (!c) return;
    const st = c.status();
    const gaps = new Map<string, string>();
    for (const uri of this.deps.openUris()) {
      const file = this.deps.openFile(uri);
      if (!file) continue;
      for (const ns of namespacesOf(file, c.defaultNamespace)) {
        const gap = gaps.has(ns) ? undefined : liveGap(st, ns);
        if (gap) gaps.set(ns, gap);
      }
    }
    const why = gaps.size ? `open manifests keep their offline findings: ${[...gaps].map(([ns, gap]) => `${ns} (${gap})`).join('; ')}` : undefined;
    const message = [st.message, why].filter(Boolean).join('; ') || undefined;
    this.send({ state: st.state, context: c.context, server: st.server, message, staleSince: st.staleSince });
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

/** The namespaces a manifest's namespaced objects land in (the context's namespace for those without one). */
function namespacesOf(file: ManifestFile, defaultNamespace: string): string[] {
  return [...new Set(file.objects.filter((o) => !CLUSTER_KINDS.has(o.kind)).map((o) => o.namespace ?? defaultNamespace))];
}
