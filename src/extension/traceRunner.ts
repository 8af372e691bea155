/**
 * Traces a request from the panel or the traceRequest command: the same pipeline as `ksd trace` (source,
 * destination, node and context resolved by src/cli/traceInput), through the rules the iptables renderer
 * writes for that node, parsed and compiled by src/core. No vscode import: unit-tested in plain Node.
 */
import { compileRules, diffRules, parseRules, rulesRenderer, traceCompiled, traceResult, type ClusterState, type DiffRule, type RulesDiff, type RuleSet } from '../core';
import { chooseNode, familyOf, parseProtocol, resolveDestination, resolveSource, traceContext } from '../cli/traceInput';
import type { TraceParams, TraceView } from '../protocol/webview';
import { findService } from '../viewmodel/serviceView';
import { noService } from '../viewmodel/engines';

/** Traces through the rules kube-proxy would write on the node, or through a node's imported real rules. */
export function runTrace(state: ClusterState, params: TraceParams, imported?: RuleSet): TraceView {
  if (params.ref && !findService(state, params.ref)) return { available: false, reason: noService(state, params.ref) };
  if (params.mode !== 'iptables' && !imported) return { available: false, reason: `Tracing is available for kube-proxy's iptables mode; this workspace or your settings select ${params.mode}.` };
  const src = resolveSource(state, params.from.trim(), state.proxy.clusterCIDRs);
  const dst = resolveDestination(state, params.to.trim());
  const family = familyOf(dst.ip);
  if (familyOf(src.ip) !== family) throw new Error(`source ${src.ip} and destination ${dst.ip} are of different IP families`);
  const node = chooseNode(state, params.node || undefined, src, dst);
  const rules = compileRules(imported ?? expectedRules(state, node?.name, family));
  const detail = traceCompiled(rules, { from: src.ip, to: dst.ip, port: dst.port, protocol: parseProtocol(params.protocol) }, traceContext(state, node, src, [], family));
  return { available: true, result: { ...traceResult(detail), node: node?.name ?? '', source: src.label } };
}

/** The node's whole rule set as kube-proxy would write it (iptables-save view, built-in chains included). */
export function expectedRules(state: ClusterState, node: string | undefined, family: 'IPv4' | 'IPv6'): RuleSet {
  return parseRules(rulesRenderer('iptables').render({ state, node, families: [family], format: 'save' }));
}

/** A node's real rules against the expected ones (src/core/rules diffRules), in words. */
export function diffAgainstExpected(state: ClusterState, node: string | undefined, actual: RuleSet): { diff: RulesDiff; text: string } {
  const diff = diffRules(expectedRules(state, node, actual.family), actual);
  return { diff, text: formatDiff(diff, node) };
}

export function formatDiff(d: RulesDiff, node: string | undefined): string {
  const where = node ? `node ${node}` : 'the node';
  const row = (r: DiffRule) => `  ${r.table} ${r.rule}${r.line ? `   (line ${r.line})` : ''}`;
  const out = [`# The imported rules against what kube-proxy would write on ${where} (${d.compared} KUBE-* chains compared)`, ''];
  if (!d.missing.length && !d.extra.length && !d.stale.length && !d.missingChains.length && !d.extraChains.length) {
    out.push('They match: every KUBE-* chain and rule is as expected.');
    return out.join('\n') + '\n';
  }
  if (d.missingChains.length) out.push(`Chains missing on the node (${d.missingChains.length}):`, ...d.missingChains.map((c) => `  ${c}`), '');
  if (d.extraChains.length) out.push(`Chains on the node that kube-proxy would not write (${d.extraChains.length}):`, ...d.extraChains.map((c) => `  ${c}`), '');
  if (d.missing.length) out.push(`Rules missing on the node (${d.missing.length}):`, ...d.missing.map(row), '');
  if (d.extra.length) out.push(`Rules on the node that are not expected (${d.extra.length}):`, ...d.extra.map(row), '');
  for (const s of d.stale) out.push(`Stale endpoint ${s.endpoint} of ${s.service}: ${s.kind === 'in-rules-only' ? 'still in the node\'s rules, but no longer an endpoint' : 'an endpoint now, but not in the node\'s rules yet'}`);
  return out.join('\n') + '\n';
}
