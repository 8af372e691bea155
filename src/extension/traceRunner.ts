/**
 * Traces a request from the panel or the traceRequest command: the same pipeline as `ksd trace` (source,
 * destination, node and context resolved by src/cli/traceInput), through the rules kube-proxy would write
 * for that node in the chosen mode (src/tracing/generated.ts), or through a node's imported rules.
 * No vscode import: unit-tested in plain Node.
 */
import { diffIsEmpty, resolveProxyVersion, traceResult, type ClusterState, type RulesDiff } from '../core';
import { generatedTracer } from '../tracing/generated';
import { compareDumps, DIFF_UNITS, DUMP_WORDS, expectedDump, formatDumpDiff, nftLayoutHint, type DumpTracer, type RulesDump } from '../tracing/importedRules';
import { chooseNode, familyOf, parseProtocol, resolveDestination, resolveSource, traceContext } from '../cli/traceInput';
import type { ImportedRulesInfo, TraceParams, TraceView } from '../protocol/webview';
import { findService } from '../viewmodel/serviceView';
import { noService } from '../viewmodel/engines';

/** Imported rules to trace through: what they are, and their tracer (src/tracing/importedRules, as `ksd trace --rules`). */
export interface ImportedTrace {
  info: ImportedRulesInfo;
  tracer(): DumpTracer;
}

/** Traces through the rules kube-proxy would write on the node, or through a node's imported real rules. */
export function runTrace(state: ClusterState, params: TraceParams, imported?: ImportedTrace): TraceView {
  if (params.ref && !findService(state, params.ref)) return { available: false, reason: noService(state, params.ref) };
  const src = resolveSource(state, params.from.trim(), state.proxy.clusterCIDRs);
  const dst = resolveDestination(state, params.to.trim());
  const family = familyOf(dst.ip);
  if (familyOf(src.ip) !== family) throw new Error(`source ${src.ip} and destination ${dst.ip} are of different IP families`);
  // Imported rules are one node's: its addresses are the local ones unless another node is named.
  const node = chooseNode(state, params.node || imported?.info.node || undefined, src, dst);
  const packet = { from: src.ip, to: dst.ip, port: dst.port, protocol: parseProtocol(params.protocol) };
  const ctx = traceContext(state, node, src, [], family);
  if (imported && imported.info.family !== family) return { available: false, reason: `${imported.info.file} holds ${imported.info.family} rules; ${dst.ip} is ${family}.` };
  const detail = imported ? imported.tracer()(packet, ctx) : generatedTracer(params.mode)(state, node?.name, family, packet, ctx);
  const result = { ...traceResult(detail), node: node?.name ?? '', source: src.label };
  if (!imported) return { available: true, result };
  const { file, kind } = imported.info;
  // The dump's own kind decides how it is traced; a panel set to another mode is told so, not silently overruled.
  const note = kind !== params.mode ? `${file} holds ${DUMP_WORDS[kind]}, but the panel is in ${params.mode} mode: this trace follows the imported ${kind} rules. Set kubeServiceDebugger.proxy.mode to ${kind} to see the ${kind} rules kube-proxy would write next to it.` : undefined;
  return { available: true, result: { ...result, through: { file, kind, ...(note ? { note } : {}) } } };
}

/** A node's imported rules against the rules kube-proxy of the chosen release would write there. */
export interface ImportedDiff {
  diff: RulesDiff;
  /** The report, in the words of `ksd diff`. */
  text: string;
  /** The release compared with ("" for the mode's default layout). */
  version: string;
}

/**
 * Compares a dump with the expected rules of `version` ("" for the cluster's: kube-proxy DaemonSet image,
 * else the node's kubelet), through the functions `ksd diff` uses. `ipsetFile` names the file an IPVS dump's
 * ipsets came from when it is not `file` itself (ksd diff --ipset). Throws the core's request errors.
 */
export function importedDiff(state: ClusterState, node: string | undefined, dump: RulesDump, file: string, version: string, ipsetFile?: string): ImportedDiff {
  const resolved = resolveProxyVersion(state, dump.kind, { version: version || undefined, node });
  const diff = compareDumps(expectedDump(state, dump, node, resolved.version), dump);
  const where = node ? `node ${node}` : 'the node';
  const release = resolved.version ? `kube-proxy ${resolved.version}` : `the default ${dump.kind} layout`;
  const files = ipsetFile ? `${file} with ${ipsetFile}` : file;
  const out = [`# ${files} against what ${release} would write on ${where} (${diff.compared} ${DIFF_UNITS[dump.kind]} compared)`, ''];
  // What the reader assumed (tables inferred for a grep fragment, unreadable rules): ksd diff says it on stderr.
  if (dump.kind === 'iptables' && dump.rules.warnings.length) {
    const shown = dump.rules.warnings.slice(0, MAX_SHOWN_WARNINGS);
    out.push(...shown.map((w) => `Warning: ${file}:${w.line}: ${w.message}`));
    const more = dump.rules.warnings.length - shown.length;
    if (more > 0) out.push(`Warning: ${file}: ${more} more warning${more === 1 ? '' : 's'} like these`);
    out.push('');
  }
  if (diffIsEmpty(diff)) out.push('They match: the node has the rules kube-proxy would write.', '');
  else out.push(formatDumpDiff(diff, dump.kind, (r) => (r.table === 'ipset' ? (ipsetFile ?? file) : file), undefined));
  if (dump.kind === 'ipvs' && !dump.side.ipsets) out.push(`Note: ${IPVS_ONLY_NOTE}.`);
  if (resolved.note) out.push(`Note: ${resolved.note}.`);
  if (dump.kind === 'nftables' && !diffIsEmpty(diff)) {
    const hint = nftLayoutHint(dump.rules, resolved.version, (v) => (v ? `set kubeServiceDebugger.proxy.version to ${v} to compare like with like` : 'that layout is not rendered, so differences are expected'));
    if (hint) out.push(`Note: ${hint}.`);
  }
  return { diff, text: out.join('\n').trimEnd() + '\n', version: resolved.version ?? '' };
}

/** As many of the iptables reader's warnings as `ksd diff` prints. */
const MAX_SHOWN_WARNINGS = 20;

/** Said under the diff of an ipvsadm dump imported alone. */
export const IPVS_ONLY_NOTE =
  "only the IPVS table was compared; import the node's `ipset list` or `ipset save` output with it (both files picked together, or one file holding both) to compare kube-proxy's ipsets too, as ksd diff --ipset does";

/** How many places the dump differs in. */
export function differenceCount(d: RulesDiff): number {
  return d.missing.length + d.extra.length + d.stale.length + d.missingChains.length + d.extraChains.length;
}
