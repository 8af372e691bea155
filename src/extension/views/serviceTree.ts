/** The Services view: plain-data nodes from src/viewmodel, TreeItems built only in getTreeItem. */
import * as vscode from 'vscode';
import { childNodes, describe, endpointState, healthIcon, refreshPlan, rootNodes, WORKSPACE, type SourceId, type TreeInput, type TreeNode } from '../../viewmodel/serviceTree';
import type { LiveSources } from '../liveSources';
import type { SourceLocation } from '../../protocol/webview';
import type { WorkspaceModel } from '../workspaceModel';

export const VIEW_ID = 'kubeServiceDebugger.services';

export class ServiceTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subs: vscode.Disposable[];
  /** The root nodes VS Code was last given (it refreshes an element by identity). */
  private roots: TreeNode[] | undefined;

  constructor(
    private readonly model: WorkspaceModel,
    private readonly live: LiveSources,
  ) {
    this.subs = [model.onDidChange(() => this.refreshSource(WORKSPACE)), live.onDidChange((context) => this.refreshSource(context === undefined ? undefined : `live:${context}`))];
  }

  private input(): TreeInput {
    return { state: this.model.state, loading: this.model.loading || !this.model.state, trusted: vscode.workspace.isTrusted, live: this.live.snapshot(), liveProblem: this.live.listingProblem() };
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Refreshes one source's row and its subtree (the whole tree when the sources themselves changed). */
  private refreshSource(source: SourceId | undefined): void {
    const plan = refreshPlan(this.roots, rootNodes(this.input()), source);
    if (plan.all) {
      this.emitter.fire(undefined);
      return;
    }
    Object.assign(plan.node, plan.fresh);
    this.emitter.fire(plan.node);
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (!node) {
      // The first expansion triggers the workspace load; the view refreshes when it is done.
      if (!this.model.state) void this.model.ready();
      this.roots = rootNodes(this.input());
      return this.roots;
    }
    if (node.kind === 'source' && node.source !== WORKSPACE) this.live.connect(node.source.slice('live:'.length));
    return childNodes(this.input(), node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const item = new vscode.TreeItem(label(node), C.None);
    item.id = node.id;
    item.description = describe(node);
    item.contextValue = node.kind;
    switch (node.kind) {
      case 'source':
        // Live contexts connect only when expanded.
        item.collapsibleState = node.source === WORKSPACE ? C.Expanded : C.Collapsed;
        item.iconPath = new vscode.ThemeIcon(node.source === WORKSPACE ? 'folder-library' : 'cloud');
        item.tooltip = node.source === WORKSPACE ? 'Services defined in the workspace manifests' : `Services in the live cluster of kubeconfig context ${node.label.replace(/^Cluster: /, '')} (read-only: list and watch)`;
        break;
      case 'notice':
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.detail || node.label;
        break;
      case 'namespace':
        item.collapsibleState = C.Expanded;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        break;
      case 'service': {
        const h = healthIcon(node.view.health);
        item.collapsibleState = C.Collapsed;
        item.iconPath = new vscode.ThemeIcon(h.icon, h.color ? new vscode.ThemeColor(h.color) : undefined);
        item.tooltip = serviceTooltip(node);
        item.accessibilityInformation = { label: `Service ${node.ref.namespace}/${node.ref.name}, ${node.view.type}, ${node.view.healthText}` };
        if (node.source === WORKSPACE) item.command = reveal(node.view.location, 'Open the Service manifest');
        else {
          // A live Service has no manifest to open: selecting it opens the debugger on its live state.
          item.contextValue = 'liveService';
          item.command = { command: 'kubeServiceDebugger.openPanel', title: 'Open the debugger on the live Service', arguments: [node.ref] };
        }
        break;
      }
      case 'port':
        item.collapsibleState = node.total ? C.Collapsed : C.None;
        item.iconPath = new vscode.ThemeIcon('plug');
        item.tooltip = `${node.port.name || '(unnamed)'} ${node.port.port}/${node.port.protocol} -> targetPort ${node.port.targetPort}${node.port.nodePort ? `, nodePort ${node.port.nodePort}` : ''}`;
        break;
      case 'endpoint': {
        const e = node.endpoint;
        item.iconPath = new vscode.ThemeIcon(e.ready ? 'circle-filled' : 'circle-outline', new vscode.ThemeColor(e.ready ? 'testing.iconPassed' : 'list.warningForeground'));
        item.tooltip = `${e.ip}:${e.port} ${endpointState(e)}${e.pod ? `, pod ${e.pod}` : ''}${e.node ? `, node ${e.node}` : ''}${e.zone ? `, zone ${e.zone}` : ''}${e.simulated ? ' (simulated from a workload template)' : ''}`;
        break;
      }
      case 'excluded':
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = `${node.excluded.pod} is matched by the selector but not served: ${node.excluded.reason}`;
        item.command = reveal(node.location, 'Open the pod manifest');
        break;
    }
    return item;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

function label(node: TreeNode): string {
  switch (node.kind) {
    case 'source':
    case 'notice':
      return node.label;
    case 'namespace':
      return node.namespace;
    case 'service':
      return node.ref.name;
    case 'port':
      return `${node.port.name || 'port'} ${node.port.port}/${node.port.protocol}`;
    case 'endpoint':
      return `${node.endpoint.ip}:${node.endpoint.port}`;
    case 'excluded':
      return node.excluded.pod;
  }
}

function serviceTooltip(node: Extract<TreeNode, { kind: 'service' }>): vscode.MarkdownString {
  const v = node.view;
  const md = new vscode.MarkdownString();
  md.appendText(`${v.ref.namespace}/${v.ref.name} (${v.type})\n\n`);
  md.appendText(`Cluster IP: ${v.clusterIP}${v.clusterIPAssigned ? ' (assigned here, not in the manifest)' : ''}\n\n`);
  md.appendText(v.healthText);
  return md;
}

export function reveal(location: SourceLocation | null, title: string): vscode.Command | undefined {
  if (!location) return undefined;
  return { command: 'kubeServiceDebugger.revealLocation', title, arguments: [location] };
}
