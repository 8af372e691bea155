/**
 * importNodeRules: open a node's iptables-save / `iptables -L -n -v` / `nft list ruleset` / `ipvsadm -Ln`
 * dump highlighted by our grammars, compare it with the rules kube-proxy of the chosen release would
 * write (a diff document, in the words of `ksd diff`), and keep it so the panel can trace requests
 * through it (the engine of `ksd trace --rules`). Reading, comparing and tracing are src/tracing/importedRules.
 */
import * as vscode from 'vscode';
import { RulesParseError, RulesRequestError, UnknownNodeError, UnknownVersionError } from '../core';
import { DUMP_WORDS, dumpFamily, ImportedRulesError, parseDump, type RulesDump } from '../tracing/importedRules';
import { detectRuleLanguage } from '../viewmodel/args';
import { openPanel } from './commands';
import { readConfig } from './config';
import { stateOf, type Ctx } from './context';
import { differenceCount, importedDiff } from './traceRunner';
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
        filters: { 'Rule dumps': ['rules', 'txt', 'nft', 'v4', 'v6', 'save', 'log', 'ipvsadm'], 'All files': ['*'] },
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
  let dump: RulesDump;
  try {
    dump = parseDump(doc.getText());
  } catch (e) {
    if (e instanceof RulesParseError) {
      void vscode.window.showErrorMessage(`${uri.fsPath}: line ${e.line}: ${e.detail}`);
      return;
    }
    if (e instanceof ImportedRulesError) {
      void vscode.window.showErrorMessage(`${uri.fsPath}: ${e.message}.`);
      return;
    }
    throw e;
  }
  ctx.log.info(`Imported ${uri.fsPath} as ${dump.kind} rules.`);
  const state = await stateOf(ctx);
  const node = state.nodes.length > 1 ? (await vscode.window.showQuickPick(state.nodes.map((n) => ({ label: n.name, description: n.ips.join(', ') })), { title: 'Which node are these rules from?' }))?.label : state.nodes[0]?.name;
  if (state.nodes.length > 1 && !node) return;
  const cfg = readConfig();
  let differences = -1;
  let summary: string;
  try {
    const d = importedDiff(state, node, dump, vscode.workspace.asRelativePath(uri), cfg.kubeProxyVersion);
    differences = differenceCount(d.diff);
    const report = await vscode.workspace.openTextDocument({ language: 'plaintext', content: d.text });
    await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    summary = differences ? `The node's rules differ from the expected ones in ${differences} place${differences === 1 ? '' : 's'}.` : "The node's rules match the expected ones.";
  } catch (e) {
    // A release the mode does not model, or a node the manifests do not have: no diff, but the rules can still be traced.
    if (!(e instanceof RulesRequestError || e instanceof UnknownVersionError || e instanceof UnknownNodeError)) throw e;
    summary = `The node's rules could not be compared: ${e.message}`;
  }
  const info = ctx.imports.add({ file: vscode.workspace.asRelativePath(uri), kind: dump.kind, node: node ?? '', family: dumpFamily(dump), differences }, dump);
  const mode = cfg.proxyMode || state.proxy.mode;
  if (mode !== dump.kind) {
    const why = cfg.proxyMode ? 'the kubeServiceDebugger.proxy.mode setting' : state.proxy.config ? "the workspace's KubeProxyConfiguration" : 'the default';
    void vscode.window.showWarningMessage(`${info.file} holds ${DUMP_WORDS[dump.kind]}, but the panel simulates ${mode} mode (${why}). It was compared with the ${dump.kind} rules kube-proxy would write, and traces through it follow its own rules; set kubeServiceDebugger.proxy.mode to ${dump.kind} for the panel's Rules tab to match.`);
  }
  const action = await vscode.window.showInformationMessage(summary, 'Trace a request through them');
  if (!action) return;
  const params = await pickTrace(state, undefined, dump.kind);
  if (!params) return;
  openPanel(ctx, params.ref, 'trace').runTrace({ ...params, node: params.node || info.node, mode, imported: info.id });
}
