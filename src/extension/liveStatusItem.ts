/** A status bar item for the server's live manifest checks (hidden while kubeServiceDebugger.live.checkManifests is off). */
import * as vscode from 'vscode';
import { liveStatusView } from '../viewmodel/liveStatus';
import type { ServerClient } from './client';

export class LiveStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kubeServiceDebugger.liveStatus', vscode.StatusBarAlignment.Left, 10);
  private readonly sub: vscode.Disposable;

  constructor(client: ServerClient) {
    this.item.name = 'Kubernetes Service Debugger: live checks';
    this.sub = client.onLiveStatus((p) => {
      const v = liveStatusView(p);
      if (!v) return this.item.hide();
      this.item.text = v.text;
      this.item.tooltip = v.tooltip;
      this.item.backgroundColor = v.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.show();
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
