/** The debugger panel: a singleton webview panel with createOrShow / revive / dispose and typed messages. */
import * as vscode from 'vscode';
import { isRequestMessage, type PanelState, type PanelTab, type ServiceRef, type ToPanelEvent, type ToPanelMessage, type TraceParams } from '../../protocol/webview';
import type { Log } from '../log';
import { dispatch, panelHandlers, type HandlerContext, type Handlers } from './panelHandlers';
import { makeNonce, panelHtml } from './panelHtml';

export const PANEL_VIEW_TYPE = 'kubeServiceDebugger.panel';

export class DebuggerPanel {
  static current: DebuggerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly handlers: Handlers;

  static createOrShow(extensionUri: vscode.Uri, ctx: HandlerContext & { onModelChange: vscode.Event<unknown> }, log: Log, ref: ServiceRef | null, tab?: PanelTab): DebuggerPanel {
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
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, ctx: HandlerContext & { onModelChange: vscode.Event<unknown> }, log: Log, state: PanelState | undefined): void {
    panel.webview.options = panelOptions(extensionUri);
    DebuggerPanel.current = new DebuggerPanel(panel, extensionUri, ctx, log);
    if (state?.ref) DebuggerPanel.current.show(state.ref, state.tab);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    ctx: HandlerContext & { onModelChange: vscode.Event<unknown> },
    private readonly log: Log,
  ) {
    this.handlers = panelHandlers(ctx);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'ksd.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      ctx.onModelChange(() => this.post({ kind: 'event', event: { type: 'changed' } })),
    );
  }

  show(ref: ServiceRef, tab?: PanelTab): void {
    this.panel.title = `Service: ${ref.name}`;
    this.event({ type: 'show', ref, tab });
  }

  runTrace(params: TraceParams): void {
    if (params.ref) this.panel.title = `Service: ${params.ref.name}`;
    this.event({ type: 'runTrace', params });
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
