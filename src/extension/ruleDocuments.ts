/** Read-only virtual documents holding a Service's kube-proxy rules (scheme `ksd-rules`), highlighted by our grammars. */
import * as vscode from 'vscode';
import type { RuleChainView } from '../protocol/webview';
import { parseRuleDocumentParts, ruleDocumentParts, type RuleDocumentKey } from '../viewmodel/ruleDocument';

export const RULES_SCHEME = 'ksd-rules';

export function ruleDocumentUri(key: RuleDocumentKey): vscode.Uri {
  const { path, query } = ruleDocumentParts(key);
  return vscode.Uri.from({ scheme: RULES_SCHEME, path, query });
}

export function parseRuleDocumentUri(uri: vscode.Uri): RuleDocumentKey | undefined {
  return parseRuleDocumentParts(uri.path, uri.query);
}

export class RuleDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly open = new Set<string>();

  constructor(private readonly compute: (key: RuleDocumentKey) => Promise<RuleChainView>) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const p = parseRuleDocumentUri(uri);
    if (!p) return `# Not a rule document: ${uri.toString()}\n`;
    this.open.add(uri.toString());
    const view = await this.compute(p);
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
