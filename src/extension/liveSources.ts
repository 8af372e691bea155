/**
 * Live cluster contexts for the Services tree (src/live): listed from the kubeconfig when the workspace is
 * trusted and `kubeServiceDebugger.live.enabled` is on; a context connects (list + watch) when the user
 * expands it. Never in Restricted Mode: no kubeconfig is read and no credential plugin runs.
 */
import * as vscode from 'vscode';
import { LiveCluster, loadKubeconfig, type KubeconfigSource } from '../live';
import type { LiveSource } from '../viewmodel/serviceTree';
import { SECTION } from './config';
import type { Log } from './log';

export class LiveSources implements vscode.Disposable {
  private contexts: string[] = [];
  private readonly clusters = new Map<string, { cluster?: LiveCluster; error?: string; connecting: boolean }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly log: Log) {
    this.subs.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.live`)) void this.reload();
      }),
    );
  }

  private kubeconfig(): KubeconfigSource {
    const file = vscode.workspace.getConfiguration(SECTION).get<string>('live.kubeconfig');
    return typeof file === 'string' && file.trim() ? { files: [file.trim()] } : {};
  }

  private enabled(): boolean {
    return vscode.workspace.isTrusted && vscode.workspace.getConfiguration(SECTION).get<boolean>('live.enabled') === true;
  }

  /** Reads the kubeconfig's contexts (nothing is contacted yet). */
  async reload(): Promise<void> {
    this.stopAll();
    this.contexts = [];
    if (this.enabled()) {
      try {
        this.contexts = (await loadKubeconfig(this.kubeconfig())).contexts.map((c) => c.name);
      } catch (e) {
        this.log.warn(`Live clusters: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.emitter.fire();
  }

  snapshot(): LiveSource[] {
    return this.contexts.map((context) => {
      const c = this.clusters.get(context);
      if (c?.error) return { context, state: undefined, status: 'error', error: c.error };
      if (!c?.cluster) return { context, state: undefined, status: c?.connecting ? 'connecting' : 'not connected' };
      const st = c.cluster.status();
      const synced = st.state === 'synced' || st.resources.some((r) => r.state === 'synced');
      return { context, state: synced ? c.cluster.state() : undefined, status: st.message ? `${st.state}: ${st.message}` : st.state };
    });
  }

  /** Connects a context once (list and watch its resources); the tree refreshes as data arrives. */
  connect(context: string): void {
    if (!this.enabled() || this.clusters.has(context)) return;
    const entry: { cluster?: LiveCluster; error?: string; connecting: boolean } = { connecting: true };
    this.clusters.set(context, entry);
    LiveCluster.connect({ context, trusted: vscode.workspace.isTrusted, kubeconfig: this.kubeconfig() }).then(
      (cluster) => {
        entry.cluster = cluster;
        entry.connecting = false;
        cluster.onChange(() => this.emitter.fire());
        cluster.start();
        this.log.info(`Live cluster ${context}: connected to ${cluster.client.server}.`);
        this.emitter.fire();
      },
      (e: unknown) => {
        entry.error = e instanceof Error ? e.message : String(e);
        entry.connecting = false;
        this.log.warn(`Live cluster ${context}: ${entry.error}`);
        this.emitter.fire();
      },
    );
  }

  private stopAll(): void {
    for (const c of this.clusters.values()) c.cluster?.stop();
    this.clusters.clear();
  }

  dispose(): void {
    this.stopAll();
    this.emitter.dispose();
    for (const s of this.subs) s.dispose();
  }
}
