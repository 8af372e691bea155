/** importNodeRules: open a node's iptables-save / listing / nft / ipvsadm dump, highlighted, then trace and diff it. */
import * as vscode from 'vscode';
import { detectRuleLanguage } from '../viewmodel/args';
import { MISSING } from '../viewmodel/engines';
import type { Ctx } from './context';

const MAX_RULE_FILE = 50 * 1024 * 1024;

export async function importNodeRules(ctx: Ctx, given?: vscode.Uri): Promise<void> {
  const uri =
    given ??
    (
      await vscode.window.showOpenDialog({
        title: "Import a node's rules (iptables-save, iptables -L -n -v, nft list ruleset or ipvsadm -Ln output)",
        canSelectMany: false,
        openLabel: 'Import',
        filters: { 'Rule dumps': ['rules', 'txt', 'nft', 'v4', 'v6', 'save', 'log'], 'All files': ['*'] },
      })
    )?.[0];
  if (!uri) return;
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_RULE_FILE) {
    void vscode.window.showErrorMessage(`${uri.fsPath} is ${(stat.size / 1024 / 1024).toFixed(0)} MB, over the 50 MB limit for rule files.`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const lang = detectRuleLanguage(doc.getText());
  if (!lang) {
    void vscode.window.showErrorMessage(`${uri.fsPath} does not look like iptables-save, iptables -L, nft list ruleset or ipvsadm -Ln output.`);
    return;
  }
  const shown = lang === 'ipvsadm' ? doc : await vscode.languages.setTextDocumentLanguage(doc, lang);
  await vscode.window.showTextDocument(shown, { preview: false });
  ctx.log.info(`Imported ${uri.fsPath} as ${lang}.`);
  void vscode.window.showWarningMessage(MISSING.importTrace);
}
