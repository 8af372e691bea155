/**
 * importNodeRules: open a node's iptables-save / `iptables -L -n -v` / nft / ipvsadm dump, highlighted by our
 * grammars; for iptables dumps, compare them with the rules kube-proxy would write (a diff document) and
 * trace requests through them (the same engine as `ksd trace --rules`).
 */
import * as vscode from 'vscode';
import { parseRules, RulesParseError, type RuleSet } from '../core';
import { detectRuleLanguage } from '../viewmodel/args';
import { stateOf, type Ctx } from './context';
import { diffAgainstExpected, runTrace } from './traceRunner';
import { pickTrace } from './tracePicker';

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
  if (lang !== 'iptables-save' && lang !== 'iptables-list') {
    void vscode.window.showInformationMessage(`This is ${lang === 'nftables' ? 'an nftables ruleset' : 'an IPVS listing'}: it is shown highlighted, but only iptables dumps can be compared and traced here.`);
    return;
  }
  let rules: RuleSet;
  try {
    rules = parseRules(doc.getText());
  } catch (e) {
    if (e instanceof RulesParseError) {
      void vscode.window.showErrorMessage(`${uri.fsPath}: line ${e.line}: ${e.detail}`);
      return;
    }
    throw e;
  }
  const state = await stateOf(ctx);
  const node = state.nodes.length > 1 ? (await vscode.window.showQuickPick(state.nodes.map((n) => ({ label: n.name, description: n.ips.join(', ') })), { title: 'Which node are these rules from?' }))?.label : state.nodes[0]?.name;
  const { diff, text } = diffAgainstExpected(state, node, rules);
  const differs = diff.missing.length + diff.extra.length + diff.stale.length + diff.missingChains.length + diff.extraChains.length;
  const report = await vscode.workspace.openTextDocument({ language: 'plaintext', content: text });
  await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  const action = await vscode.window.showInformationMessage(differs ? `The node's rules differ from the expected ones in ${differs} place${differs === 1 ? '' : 's'}.` : "The node's rules match the expected ones.", 'Trace a request through them');
  if (!action) return;
  const params = await pickTrace(state, undefined, 'iptables');
  if (!params) return;
  const view = runTrace(state, { ...params, node: node ?? params.node }, rules);
  if (!view.available) {
    void vscode.window.showWarningMessage(view.reason);
    return;
  }
  const r = view.result;
  const lines = [
    `# ${params.protocol} ${params.from} -> ${params.to} through ${uri.fsPath}`,
    '',
    `Verdict: ${r.verdict}${r.masquerade ? ' (masqueraded)' : ''}`,
    ...r.endpoints.map((e) => `  -> ${e.ip}:${e.port}  ${(e.probability * 100).toFixed(1)}%`),
    '',
    r.explanation,
    '',
    'Path:',
    ...r.steps.map((s) => `  ${s.table}/${s.chain}: ${s.rule}  => ${s.effect}`),
  ];
  const traceDoc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: lines.join('\n') + '\n' });
  await vscode.window.showTextDocument(traceDoc, { viewColumn: vscode.ViewColumn.Beside });
}
