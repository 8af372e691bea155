/** Read-only virtual documents holding a Service's kube-proxy rules (scheme `ksd-rules`), highlighted by our grammars. */
import * as vscode from 'vscode';
import type { ProxyMode, RuleChainView, ServiceRef } from '../protocol/webview';

export const RULES_SCHEME = 'ksd-rules';

export function ruleDocumentUri(ref: ServiceRef, mode: ProxyMode, version: string): vscode.Uri {
  const ext = mode === 'nftables' ? 'nft' : mode === 'ipvs' ? 'ipvs' : 'rules';
  const query = new URLSearchParams({ mode, version }).toString();
  return vscode.Uri.from({ scheme: RULES_SCHEME, path: `/${ref.namespace}/${ref.name}.${ext}`, query });
}

export function parseRuleDocumentUri(uri: vscode.Uri): { ref: ServiceRef; mode: ProxyMode; version: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)\.(rules|nft|ipvs)$/.exec(uri.path);
  if (!m) return undefined;
  const q = new URLSearchParams(uri.query);
  const mode = q.get('mode');
  return { ref: { namespace: m[1]!, name: m[2]! }, mode: mode === 'nftables' || mode === 'ipvs' ? mode : 'iptables', version: q.get('version') ?? '' };
}

export class RuleDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly open = new Set<string>();

  constructor(private readonly compute: (ref: ServiceRef, mode: ProxyMode, version: string) => Promise<RuleChainView>) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const p = parseRuleDocumentUri(uri);
    if (!p) return `# Not a rule document: ${uri.toString()}\n`;
    this.open.add(uri.toString());
    const view = await this.compute(p.ref, p.mode, p.version);
    if (!view.available) return `# ${view.reason}\n`;
    // Every rule language here reads "#" lines as comments: the version note heads the document.
    return view.note ? `# note: ${view.note}\n${view.text}` : view.text;
  }

  /** The workspace changed: every open rule document is recomputed. */
  refreshAll(): void {
    for (const u of this.open) this.emitter.fire(vscode.Uri.parse(u));
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
