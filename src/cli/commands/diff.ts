import { diffIsEmpty, diffRules, type DiffRule, type RuleSet } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { generatedRules } from '../generatedRules';
import type { CliIO } from '../io';
import { loadState } from '../state';
import { readRulesFile } from '../traceInput';

export const diffHelp = `ksd diff PATHS --rules FILE [--node NAME] [--kube-proxy-version X.Y] [--expected FILE] [--json]
  Compares a node's real rules (FILE: iptables-save output or iptables -L listings) with the rules
  kube-proxy should have written for the Services in PATHS: missing, extra, and stale (endpoints
  kube-proxy has not caught up with). Compared by meaning: chain names, matches and targets, not
  spelling or whitespace. Only KUBE-* chains are compared. --expected FILE compares against a saved
  dump instead of generated rules. Exit 0 when they agree, 1 when they differ.`;

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { rules: { value: true }, node: { value: true }, 'kube-proxy-version': { value: true }, expected: { value: true }, json: { value: false } });
  const file = flagString(args, 'rules');
  if (!file) throw new UsageError('ksd diff needs --rules FILE (the node\'s iptables-save output or iptables -L listing)');
  const expectedFile = flagString(args, 'expected');
  if (!expectedFile && !args.positionals.length) throw new UsageError('ksd diff needs PATHS (manifests) to compute the expected rules, or --expected FILE');
  const actual = await readRulesFile(file);
  let expected: RuleSet;
  if (expectedFile) expected = await readRulesFile(expectedFile);
  else {
    const { state } = await loadState(args.positionals);
    expected = generatedRules({ state, node: flagString(args, 'node'), family: actual.family, mode: 'iptables', version: flagString(args, 'kube-proxy-version') });
  }
  const d = diffRules(expected, actual);
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ missing: d.missing, extra: d.extra, stale: d.stale, missingChains: d.missingChains, extraChains: d.extraChains }, null, 2) + '\n');
    return diffIsEmpty(d) ? 0 : 1;
  }
  const row = (r: DiffRule, where?: string) => `  ${r.table} ${r.rule}${where && r.line ? `   (${where} line ${r.line})` : ''}`;
  if (diffIsEmpty(d)) {
    io.out(`The node's rules match the expected ones (${d.compared} KUBE-* chains compared).\n`);
    return 0;
  }
  const out: string[] = [];
  if (d.missingChains.length) out.push(`Chains missing on the node (${d.missingChains.length}):`, ...d.missingChains.map((c) => `  ${c}`), '');
  if (d.extraChains.length) out.push(`Chains on the node that kube-proxy would not write (${d.extraChains.length}):`, ...d.extraChains.map((c) => `  ${c}`), '');
  if (d.missing.length) out.push(`Rules missing on the node (${d.missing.length}):`, ...d.missing.map((r) => row(r, expectedFile)), '');
  if (d.extra.length) out.push(`Rules on the node that are not expected (${d.extra.length}):`, ...d.extra.map((r) => row(r, file)), '');
  if (d.stale.length) {
    out.push(`Stale endpoints (${d.stale.length}): kube-proxy on the node has not caught up with the Service's endpoints`);
    for (const s of d.stale) out.push(`  ${s.service} ${s.endpoint}: ${s.kind === 'in-rules-only' ? 'still in the node\'s rules, but no longer an endpoint' : 'an endpoint now, but not in the node\'s rules yet'} (${s.rules.length} rule${s.rules.length === 1 ? '' : 's'})`);
    out.push('');
  }
  io.out(out.join('\n'));
  return 1;
}
