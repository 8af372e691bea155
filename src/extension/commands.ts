/**
 * Every command, from one table of factories (rust-analyzer's createCommands). Ids are fixed: package.json
 * contributes them and the language server's code lenses call them with a Service ref argument.
 */
import * as vscode from 'vscode';
import type { ClusterState } from '../core';
import { formatRef, type PanelTab, type ServiceRef, type SourceLocation } from '../protocol/webview';
import { nodeFromArg, refFromArg, traceOnSource } from '../viewmodel/args';
import { ruleChain } from '../viewmodel/engines';
import { findService, serviceLocation } from '../viewmodel/serviceView';
import { stateFor, stateOf, type Ctx } from './context';
import { importNodeRules } from './importRules';
import { pickNode } from './nodePicker';
import { DebuggerPanel, type PanelContext } from './panels/debuggerPanel';
import { ruleDocumentUri } from './ruleDocuments';
import { pickTrace } from './tracePicker';
import { readConfig } from './config';

export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

export const COMMANDS = {
  'kubeServiceDebugger.openPanel': (ctx) => async (arg) => {
    const ref = refFromArg(arg) ?? (await pickService(ctx, 'Service to debug'));
    if (ref) openPanel(ctx, ref);
  },
  'kubeServiceDebugger.traceRequest': (ctx) => async (arg) => {
    const ref = refFromArg(arg);
    const state = await stateFor(ctx, ref);
    const picked = await pickTrace(state, ref, readConfig().proxyMode || state.proxy.mode);
    if (!picked) return;
    const params = traceOnSource(picked, ref);
    openPanel(ctx, params.ref, 'trace').runTrace(params);
  },
  'kubeServiceDebugger.showRuleChain': (ctx) => async (arg) => {
    const ref = refFromArg(arg) ?? (await pickService(ctx, 'Service whose kube-proxy rules to show'));
    if (!ref) return;
    const cfg = readConfig();
    if (ref.context !== undefined) {
      // A live Service's rules are shown in the panel (its Rules tab follows the watch).
      openPanel(ctx, ref, 'rules');
      return;
    }
    const state = await stateOf(ctx);
    // The rules differ per node (release, addresses, local endpoints): the node from the argument, else asked when there are several.
    const node = nodeFromArg(arg) ?? (await pickNode(state, 'Show kube-proxy rule chain: node whose rules to show', 'the first Node'));
    if (node === undefined) return;
    const view = ruleChain(state, { ref, mode: cfg.proxyMode || state.proxy.mode, version: cfg.kubeProxyVersion, node });
    if (!view.available) {
      void vscode.window.showWarningMessage(view.reason);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(ruleDocumentUri({ ref, mode: view.mode, version: view.version, node }));
    await vscode.languages.setTextDocumentLanguage(doc, view.languageId);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  },
  'kubeServiceDebugger.importNodeRules': (ctx) => async (arg) => importNodeRules(ctx, arg instanceof vscode.Uri ? arg : undefined),
  'kubeServiceDebugger.refresh': (ctx) => async () => {
    await ctx.model.reload();
    ctx.tree.refresh();
    ctx.rules.refreshAll();
  },
  /** Internal (tree selection): open a file at a position. */
  'kubeServiceDebugger.revealLocation': () => async (arg) => {
    if (isLocation(arg)) await revealLocation(arg);
  },
} satisfies Record<string, CommandFactory>;

export type CommandId = keyof typeof COMMANDS;

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => {
    const run = (factory as CommandFactory)(ctx);
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (e) {
        ctx.log.error(`Command ${id} failed`, e);
        void vscode.window.showErrorMessage(`Kubernetes Service Debugger: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  });
}

export function panelContext(ctx: Ctx): PanelContext {
  return {
    state: (ref) => stateFor(ctx, ref),
    revealService: async (state: ClusterState, namespace: string, name: string) => {
      const svc = findService(state, { namespace, name });
      const loc = svc ? serviceLocation(svc) : null;
      if (!loc) return false;
      await revealLocation(loc);
      return true;
    },
    proxySettings: () => {
      const c = readConfig();
      return { mode: c.proxyMode, version: c.kubeProxyVersion };
    },
    liveInfo: (context, namespace) => ctx.live.info(context, namespace),
    imports: () => ctx.imports.list(),
    imported: (id) => ctx.imports.get(id),
    onImportsChange: (listener) => ctx.imports.onDidChange(listener),
    onModelChange: ctx.model.onDidChange,
    onLiveChange: ctx.live.onDidChangeCluster,
  };
}

export function openPanel(ctx: Ctx, ref: ServiceRef | null, tab?: PanelTab): DebuggerPanel {
  return DebuggerPanel.createOrShow(ctx.extension.extensionUri, panelContext(ctx), ctx.log, ref, tab);
}

async function pickService(ctx: Ctx, placeHolder: string): Promise<ServiceRef | undefined> {
  const state = await stateOf(ctx);
  if (!state.services.length) {
    void vscode.window.showInformationMessage('No Services in the workspace manifests. Open a folder with Kubernetes YAML or JSON.');
    return undefined;
  }
  const items = state.services.map((s) => ({ label: formatRef(s), description: `${s.type} ${s.clusterIP}`, ref: { namespace: s.namespace, name: s.name } }));
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return pick?.ref;
}

function isLocation(v: unknown): v is SourceLocation {
  const r = v as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r['file'] === 'string' && typeof r['line'] === 'number' && typeof r['character'] === 'number';
}

export async function revealLocation(loc: SourceLocation): Promise<void> {
  const pos = new vscode.Position(loc.line, loc.character);
  await vscode.window.showTextDocument(vscode.Uri.file(loc.file), { selection: new vscode.Range(pos, pos), preserveFocus: false, preview: true });
}
