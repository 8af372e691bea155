/**
 * importNodeRules: open a node's iptables-save / `iptables -L -n -v` / `nft list ruleset` / `ipvsadm -Ln`
 * dump highlighted by our grammars (an ipvsadm dump with the node's `ipset list`/`ipset save` output picked
 * beside it, added afterwards, or in the same file), compare it with the rules kube-proxy of the chosen
 * release would write (a diff document, in the words of `ksd diff`), and keep it so the panel can trace
 * requests through it (the engine of `ksd trace --rules`). Reading, comparing and tracing are src/tracing/importedRules.
 */
import * as vscode from 'vscode';
import { looksLikeIpset, RulesRequestError, UnknownNodeError, UnknownVersionError } from '../core';
import { DUMP_WORDS, dumpFamily, ImportedRulesError, parseDumpFiles, type DumpFile } from '../tracing/importedRules';
import { detectRuleLanguage } from '../viewmodel/args';
import { openPanel } from './commands';
import { readConfig } from './config';
import { stateOf, type Ctx } from './context';
import { differenceCount, importedDiff } from './traceRunner';
import { pickTrace } from './tracePicker';

const MAX_RULE_FILE = 50 * 1024 * 1024;

const DUMP_FILTERS = { 'Rule dumps': ['rules', 'txt', 'nft', 'v4', 'v6', 'save', 'log', 'ipvsadm', 'ipset'], 'All files': ['*'] };

export async function importNodeRules(ctx: Ctx, given?: vscode.Uri): Promise<void> {
  const uris = given
    ? [given]
    : await vscode.window.showOpenDialog({
        title: "Import a node's rules: iptables-save, iptables -L -n -v, nft list ruleset, or ipvsadm -Ln (pick the node's ipset list/save output with it)",
        canSelectMany: true,
        openLabel: 'Import',
        filters: DUMP_FILTERS,
      });
  if (!uris?.length) return;
  await importFiles(ctx, uris);
}

/** Reads the files (a size limit first), or says what is wrong with them. */
async function readFiles(uris: readonly vscode.Uri[]): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument; file: DumpFile }[] | undefined> {
  const out: { uri: vscode.Uri; doc: vscode.TextDocument; file: DumpFile }[] = [];
  for (const uri of uris) {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_RULE_FILE) {
      void vscode.window.showErrorMessage(`${uri.fsPath} is ${(stat.size / 1024 / 1024).toFixed(0)} MB, over the 50 MB limit for rule files.`);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    if (!detectRuleLanguage(doc.getText()) && !looksLikeIpset(doc.getText())) {
      void vscode.window.showErrorMessage(`${uri.fsPath} does not look like iptables-save, iptables -L, nft list ruleset, ipvsadm -Ln or ipset output.`);
      return undefined;
    }
    out.push({ uri, doc, file: { name: vscode.workspace.asRelativePath(uri), text: doc.getText() } });
  }
  return out;
}

/** Imports one node's rules: one dump and, with ipvsadm output, the node's ipset output (`node` when already asked). */
async function importFiles(ctx: Ctx, uris: readonly vscode.Uri[], askedNode?: string): Promise<void> {
  const files = await readFiles(uris);
  if (!files) return;
  let picked: ReturnType<typeof parseDumpFiles>;
  try {
    picked = parseDumpFiles(files.map((f) => f.file));
  } catch (e) {
    if (e instanceof ImportedRulesError) {
      void vscode.window.showErrorMessage(`${e.message}.`);
      return;
    }
    throw e;
  }
  const { dump, rulesFile, ipsetFile } = picked;
  const rules = files.find((f) => f.file.name === rulesFile)!;
  const lang = detectRuleLanguage(rules.doc.getText());
  const shown = !lang || lang === 'ipvsadm' ? rules.doc : await vscode.languages.setTextDocumentLanguage(rules.doc, lang);
  await vscode.window.showTextDocument(shown, { preview: false });
  ctx.log.info(`Imported ${rules.uri.fsPath} as ${dump.kind} rules${ipsetFile ? ` with the ipsets in ${ipsetFile}` : ''}.`);
  const state = await stateOf(ctx);
  const node =
    askedNode !== undefined
      ? askedNode || undefined
      : (state.nodes.length > 1 ? (await vscode.window.showQuickPick(state.nodes.map((n) => ({ label: n.name, description: n.ips.join(', ') })), { title: 'Which node are these rules from?' }))?.label : state.nodes[0]?.name);
  if (state.nodes.length > 1 && !node) return;
  const cfg = readConfig();
  let differences = -1;
  let summary: string;
  try {
    const d = importedDiff(state, node, dump, rulesFile, cfg.kubeProxyVersion, ipsetFile);
    differences = differenceCount(d.diff);
    const report = await vscode.workspace.openTextDocument({ language: 'plaintext', content: d.text });
    await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    summary = differences ? `The node's rules differ from the expected ones in ${differences} place${differences === 1 ? '' : 's'}.` : "The node's rules match the expected ones.";
  } catch (e) {
    // A release the mode does not model, or a node the manifests do not have: no diff, but the rules can still be traced.
    if (!(e instanceof RulesRequestError || e instanceof UnknownVersionError || e instanceof UnknownNodeError)) throw e;
    summary = `The node's rules could not be compared: ${e.message}`;
  }
  const info = ctx.imports.add({ file: rulesFile, kind: dump.kind, node: node ?? '', family: dumpFamily(dump), differences }, dump);
  const mode = cfg.proxyMode || state.proxy.mode;
  if (mode !== dump.kind) {
    const why = cfg.proxyMode ? 'the kubeServiceDebugger.proxy.mode setting' : state.proxy.config ? "the workspace's KubeProxyConfiguration" : 'the default';
    void vscode.window.showWarningMessage(`${info.file} holds ${DUMP_WORDS[dump.kind]}, but the panel simulates ${mode} mode (${why}). It was compared with the ${dump.kind} rules kube-proxy would write, and traces through it follow its own rules; set kubeServiceDebugger.proxy.mode to ${dump.kind} for the panel's Rules tab to match.`);
  }
  const TRACE = 'Trace a request through them';
  const ADD_SETS = "Add the node's ipset output";
  const canAddSets = dump.kind === 'ipvs' && !dump.side.ipsets;
  const action = await vscode.window.showInformationMessage(summary, TRACE, ...(canAddSets ? [ADD_SETS] : []));
  if (action === ADD_SETS) {
    const sets = await vscode.window.showOpenDialog({ title: `The ipset list or ipset save output of the node ${rulesFile} is from`, canSelectMany: false, openLabel: 'Add', filters: DUMP_FILTERS });
    if (sets?.length) await importFiles(ctx, [rules.uri, sets[0]!], node ?? '');
    return;
  }
  if (action !== TRACE) return;
  const params = await pickTrace(state, undefined, dump.kind);
  if (!params) return;
  openPanel(ctx, params.ref, 'trace').runTrace({ ...params, node: params.node || info.node, mode, imported: info.id });
}
