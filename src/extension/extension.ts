/** Activation and deactivation only: everything else is built in its own module. */
import * as vscode from 'vscode';
import { ServerClient } from './client';
import { panelContext, registerCommands } from './commands';
import type { Ctx } from './context';
import { ImportStore } from './importStore';
import { readConfig } from './config';
import { Log } from './log';
import { DebuggerPanel, PANEL_VIEW_TYPE } from './panels/debuggerPanel';
import { RuleDocumentProvider, RULES_SCHEME } from './ruleDocuments';
import { ruleChain } from '../viewmodel/engines';
import { ServiceTreeProvider, VIEW_ID } from './views/serviceTree';
import { WorkspaceModel } from './workspaceModel';
import { LiveSources } from './liveSources';
import { LiveStatusItem } from './liveStatusItem';
import type { PanelState } from '../protocol/webview';

let client: ServerClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const log = new Log();
  const model = new WorkspaceModel(log);
  const live = new LiveSources(log);
  const tree = new ServiceTreeProvider(model, live);
  const rules = new RuleDocumentProvider(async ({ ref, mode, version, node }) => {
    await model.ready();
    return model.state ? ruleChain(model.state, { ref, mode, version, node }) : { available: false, reason: 'The workspace manifests could not be read.' };
  });
  client = new ServerClient(context, log);
  const ctx: Ctx = { extension: context, log, model, tree, rules, client, live, imports: new ImportStore() };
  context.subscriptions.push(
    log,
    model,
    live,
    tree,
    rules,
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.workspace.registerTextDocumentContentProvider(RULES_SCHEME, rules),
    model.onDidChange(() => rules.refreshAll()),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => DebuggerPanel.revive(panel, context.extensionUri, panelContext(ctx), log, state as PanelState | undefined),
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      tree.refresh();
      // The server was told the workspace is untrusted: start it again so live checks can run.
      if (client?.running) void client.restart();
    }),
    new LiveStatusItem(client),
    ...registerCommands(ctx),
  );
  // The language server and the workspace scan start after activate returns, so activation stays fast.
  setTimeout(() => {
    void live.reload();
    if (readConfig().serverEnabled) void client?.start();
    else log.info('The language server is off (kubeServiceDebugger.server.enabled).');
  }, 0);
  log.info(`Activated in ${(performance.now() - t0).toFixed(1)} ms (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode: live cluster access is off'}).`);
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
