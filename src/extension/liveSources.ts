/**
 * Live cluster contexts for the Services tree and the panel (src/live through LiveRegistry): listed from the
 * kubeconfig when the workspace is trusted and `kubeServiceDebugger.live.enabled` is on; a context connects
 * (list + watch) when the user expands it or opens one of its Services. Never in Restricted Mode: no
 * kubeconfig is read and no credential plugin runs.
 */
import * as vscode from 'vscode';
import type { ClusterState } from '../core';
import { LiveCluster, loadKubeconfig, type KubeconfigSource, type LiveChange } from '../live';
import type { LiveInfo, ServiceRef } from '../protocol/webview';
import type { LiveSource } from '../viewmodel/serviceTree';
import { SECTION } from './config';
import { hasData, LiveRegistry } from './liveRegistry';
import type { Log } from './log';

export class LiveSources implements vscode.Disposable {
  private contexts: string[] = [];
  /** Why no context is listed although live clusters are on (shown as a row of the tree). */
  private problem: string | undefined;
  private readonly registry: LiveRegistry;
  /** Fires with the context whose data or status changed, or undefined when the list of contexts changed. */
  private readonly emitter = new vscode.EventEmitter<string | undefined>();
  /** Fires for the tree (any change, status or context list). */
  readonly onDidChange = this.emitter.event;
  private readonly changeEmitter = new vscode.EventEmitter<{ context: string; change: LiveChange | undefined }>();
  /** Fires with each change batch of a connected context (the panel filters by its Service). */
  readonly onDidChangeCluster = this.changeEmitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly log: Log) {
    this.registry = new LiveRegistry(async (context) => {
      const cluster = await LiveCluster.connect({ context, trusted: vscode.workspace.isTrusted, kubeconfig: this.kubeconfig() });
      this.log.info(`Live cluster ${context}: connected to ${cluster.client.server}.`);
      return cluster;
    });
    const sub = this.registry.onChange((context, change) => {
      const e = this.registry.get(context);
      if (e?.error && !change) this.log.warn(`Live cluster ${context}: ${e.error}`);
      this.emitter.fire(context);
      this.changeEmitter.fire({ context, change });
    });
    this.subs.push(
      { dispose: () => sub.dispose() },
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // live.checkManifests and live.context belong to the language server's checks, not to the tree.
        if (e.affectsConfiguration(`${SECTION}.live.enabled`) || e.affectsConfiguration(`${SECTION}.live.kubeconfig`)) void this.reload();
      }),
    );
  }

  private kubeconfig(): KubeconfigSource {
    const file = vscode.workspace.getConfiguration(SECTION).get<string>('live.kubeconfig');
    return typeof file === 'string' && file.trim() ? { files: [file.trim()] } : {};
  }

  enabled(): boolean {
    return vscode.workspace.isTrusted && vscode.workspace.getConfiguration(SECTION).get<boolean>('live.enabled') === true;
  }

  /** Reads the kubeconfig's contexts (nothing is contacted yet). */
  async reload(): Promise<void> {
    this.registry.stopAll();
    this.contexts = [];
    this.problem = undefined;
    if (this.enabled()) {
      try {
        this.contexts = (await loadKubeconfig(this.kubeconfig())).contexts.map((c) => c.name);
        if (!this.contexts.length) this.problem = 'the kubeconfig has no contexts';
      } catch (e) {
        this.problem = e instanceof Error ? e.message : String(e);
        this.log.warn(`Live clusters: ${this.problem}`);
      }
    }
    this.emitter.fire(undefined);
  }

  /** Why no cluster is listed although live clusters are on, if so. */
  listingProblem(): string | undefined {
    return this.enabled() ? this.problem : undefined;
  }

  snapshot(): LiveSource[] {
    return this.contexts.map((context) => {
      const c = this.registry.get(context);
      if (c?.error) return { context, data: undefined, status: 'error', error: c.error };
      if (!c?.cluster) return { context, data: undefined, status: c ? 'connecting' : 'not connected' };
      const st = c.cluster.status();
      const cluster = c.cluster;
      // Per namespace: a change in one namespace of a big cluster rebuilds only that namespace's state.
      const data = hasData(st) ? { namespaces: cluster.servicesPerNamespace(), stateOf: (ns: string) => cluster.namespaceState(ns) } : undefined;
      return { context, data, status: st.message ? `${st.state}: ${st.message}` : st.state };
    });
  }

  /** Connects a context once (list and watch its resources); the tree refreshes as data arrives. */
  connect(context: string): void {
    if (this.enabled()) this.registry.connect(context);
  }

  /** The state a live Service is analysed on (its namespace and the cluster-scoped objects). */
  stateFor(ref: ServiceRef): Promise<ClusterState> {
    if (!this.enabled()) return Promise.reject(new Error('Live clusters are off (kubeServiceDebugger.live.enabled, trusted workspaces only).'));
    return this.registry.stateFor(ref);
  }

  info(context: string, namespace?: string): LiveInfo | undefined {
    return this.registry.info(context, namespace);
  }

  dispose(): void {
    this.registry.dispose();
    this.emitter.dispose();
    this.changeEmitter.dispose();
    for (const s of this.subs) s.dispose();
  }
}
