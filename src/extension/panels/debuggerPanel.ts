/** The debugger panel: a singleton webview panel with createOrShow / revive / dispose and typed messages. */
import * as vscode from 'vscode';
import type { LiveChange } from '../../live';
import { affectsService } from '../liveRegistry';
import { isRequestMessage, type ImportedRulesInfo, type PanelState, type PanelTab, type ServiceRef, type ToPanelEvent, type ToPanelMessage, type TraceParams } from '../../protocol/webview';
import type { Log } from '../log';
import { dispatch, panelHandlers, type HandlerContext, type Handlers } from './panelHandlers';
import { makeNonce, panelHtml } from './panelHtml';

export const PANEL_VIEW_TYPE = 'kubeServiceDebugger.panel';

/** What the panel needs from the extension: the handlers' context and the events that make it refetch. */
export interface PanelContext extends HandlerContext {
  onModelChange: vscode.Event<unknown>;
  onLiveChange: vscode.Event<{ context: string; change: LiveChange | undefined }>;
  /** Node rules were imported: the panel's trace form offers them. */
  onImportsChange(listener: (imports: ImportedRulesInfo[]) => void): vscode.Disposable;
}

export class DebuggerPanel {
  static current: DebuggerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly handlers: Handlers;
  /** The Service shown: workspace changes refresh a workspace Service, watch events a live one. */
  private ref: ServiceRef | null = null;
  private tab: PanelTab | undefined;
  /** The last trace asked for (kept for a webview that reloads before the event reaches it). */
  private trace: TraceParams | undefined;

  static createOrShow(extensionUri: vscode.Uri, ctx: PanelContext, log: Log, ref: ServiceRef | null, tab?: PanelTab): DebuggerPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (DebuggerPanel.current) {
      DebuggerPanel.current.panel.reveal(column);
    } else {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Service Debugger', column, panelOptions(extensionUri));
      DebuggerPanel.current = new DebuggerPanel(panel, extensionUri, ctx, log);
    }
    if (ref) DebuggerPanel.current.show(ref, tab);
    return DebuggerPanel.current;
  }

  /** Restores a panel VS Code kept across a restart; the webview restores its own state (setState). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, ctx: PanelContext, log: Log, state: PanelState | undefined): void {
    panel.webview.options = panelOptions(extensionUri);
    DebuggerPanel.current = new DebuggerPanel(panel, extensionUri, ctx, log);
    if (state?.ref) DebuggerPanel.current.show(state.ref, state.tab);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    ctx: PanelContext,
    private readonly log: Log,
  ) {
    this.handlers = panelHandlers(ctx, () => ({ ref: this.ref, ...(this.tab ? { tab: this.tab } : {}), ...(this.trace ? { trace: this.trace } : {}) }));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'ksd.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      ctx.onModelChange(() => {
        if (this.ref?.context === undefined) this.changed();
      }),
      ctx.onLiveChange(({ context, change }) => {
        if (affectsService(context, change, this.ref)) this.changed();
      }),
      ctx.onImportsChange((imports) => this.event({ type: 'imports', imports })),
    );
  }

  show(ref: ServiceRef, tab?: PanelTab): void {
    this.ref = ref;
    this.tab = tab;
    this.trace = undefined;
    this.panel.title = panelTitle(ref);
    this.event({ type: 'show', ref, tab });
  }

  runTrace(params: TraceParams): void {
    this.trace = params;
    this.tab = 'trace';
    if (params.ref) {
      this.ref = params.ref;
      this.panel.title = panelTitle(params.ref);
    }
    this.event({ type: 'runTrace', params });
  }

  private changed(): void {
    this.event({ type: 'changed' });
  }

  private event(event: ToPanelEvent): void {
    this.post({ kind: 'event', event });
  }

  private post(m: ToPanelMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private async receive(m: unknown): Promise<void> {
    if (!isRequestMessage(m)) {
      this.log.warn(`Panel: ignored a malformed message`);
      return;
    }
    const t0 = performance.now();
    const reply = await dispatch(this.handlers, m);
    if (!reply.ok) this.log.warn(`Panel request ${m.method} failed: ${reply.error}`);
    else this.log.info(`Panel request ${m.method} answered in ${(performance.now() - t0).toFixed(1)} ms.`);
    this.post(reply);
  }

  private html(): string {
    const w = this.panel.webview;
    const dist = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', ...p)).toString();
    return panelHtml({ cspSource: w.cspSource, nonce: makeNonce(), script: dist('webview.js'), style: dist('webview.css'), codicons: dist('codicons', 'codicon.css') });
  }

  dispose(): void {
    if (DebuggerPanel.current === this) DebuggerPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

function panelTitle(ref: ServiceRef): string {
  return ref.context === undefined ? `Service: ${ref.name}` : `Service: ${ref.name} (${ref.context})`;
}
