import { promises as fs } from 'node:fs';
import {
  checkIpvsVersion,
  checkNftVersion,
  nftLayoutOf,
  nftProfile,
  detectNftForm,
  diffIpvs,
  diffIsEmpty,
  diffNftRules,
  diffRules,
  ipvsDiffSide,
  kubeletIPTables,
  looksLikeIpset,
  looksLikeIpvsadm,
  parseIpset,
  parseIpvsadm,
  parseNft,
  parseRules,
  renderIpvs,
  renderNftables,
  resolveProxyVersion,
  RulesParseError,
  RulesRequestError,
  UnknownNodeError,
  type ClusterState,
  type DiffRule,
  type IPFamily,
  type IpvsDiffSide,
  type NftRuleset,
  type RulesDiff,
  type RuleSet,
} from '../../core';
import { describeFsError } from '../../node/loadPaths';
import { flagString, parseArgs, UsageError } from '../args';
import { generatedRules } from '../generatedRules';
import { CliError, type CliIO } from '../io';
import { loadState } from '../state';

export const diffHelp = `ksd diff PATHS --rules FILE [--ipset FILE] [--node NAME] [--kube-proxy-version X.Y] [--expected FILE] [--json]
  Compares a node's real rules with the rules kube-proxy should have written for the Services in PATHS:
  missing, extra, and stale (endpoints kube-proxy has not caught up with). FILE is detected:
  iptables-save output or iptables -L listings (iptables mode; only KUBE-* chains are compared),
  \`nft list ruleset\` output or an nft transaction (nftables mode; the kube-proxy table), or
  \`ipvsadm -Ln\` output (IPVS mode; --ipset FILE adds the node's \`ipset save\` or \`ipset list\`).
  Compared by meaning, not spelling or whitespace. --expected FILE compares against a saved dump of
  the same kind instead of generated rules. Exit 0 when they agree, 1 when they differ. Without
  --kube-proxy-version the release comes from PATHS (kube-proxy DaemonSet image, else the node's
  kubeletVersion; see ksd rules --help) and a Note line says which.`;

type Side = { kind: 'iptables'; rules: RuleSet } | { kind: 'nft'; rules: NftRuleset } | { kind: 'ipvs'; side: IpvsDiffSide };

async function readText(flag: string, file: string): Promise<string> {
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw new CliError(`--${flag} ${file}: is a directory, expected a file`);
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`--${flag} ${file}: ${describeFsError(e)}`);
  }
}

function parsed<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RulesParseError) throw new CliError(`${file}: line ${e.line}: ${e.detail}`);
    throw e;
  }
}

async function readSide(flag: string, file: string): Promise<Side> {
  const text = await readText(flag, file);
  if (detectNftForm(text)) return { kind: 'nft', rules: parsed(file, () => parseNft(text)) };
  if (looksLikeIpvsadm(text)) return { kind: 'ipvs', side: { table: parsed(file, () => parseIpvsadm(text)) } };
  if (looksLikeIpset(text)) throw new CliError(`--${flag} ${file} holds ipset output; pass it as --ipset FILE next to --rules IPVSADM-FILE`);
  return { kind: 'iptables', rules: parsed(file, () => parseRules(text)) };
}

function familyOf(side: Side): IPFamily {
  if (side.kind === 'iptables') return side.rules.family;
  if (side.kind === 'nft') return side.rules.tables.some((t) => t.name === 'kube-proxy' && t.family === 'ip6') && !side.rules.tables.some((t) => t.name === 'kube-proxy' && t.family === 'ip') ? 'IPv6' : 'IPv4';
  return side.side.table.virtualServers.some((vs) => vs.address.includes(':')) ? 'IPv6' : 'IPv4';
}

function generated(state: ClusterState, actual: Side, node: string | undefined, version: string | undefined): Side {
  const family = familyOf(actual);
  if (actual.kind === 'iptables') {
    const rules = generatedRules({ state, node, family, mode: 'iptables', version });
    // A restore payload (no built-in chains) is kube-proxy's alone: leave out the chains kubelet owns on old nodes.
    const builtins = [...actual.rules.tables.values()].some((t) => ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].some((c) => t.chains.has(c)));
    const kubelet = builtins ? undefined : kubeletIPTables(version, family);
    for (const c of kubelet?.chains ?? []) rules.tables.get(c.table)?.chains.delete(c.chain);
    return { kind: 'iptables', rules };
  }
  try {
    if (actual.kind === 'nft') {
      const profile = checkNftVersion(version);
      return { kind: 'nft', rules: parseNft(renderNftables(state, { family, node, profile }).text) };
    }
    checkIpvsVersion(version);
    return { kind: 'ipvs', side: ipvsDiffSide(renderIpvs(state, { family, node })) };
  } catch (e) {
    if (e instanceof UnknownNodeError || e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
}

function compare(expected: Side, actual: Side): RulesDiff {
  if (expected.kind === 'iptables' && actual.kind === 'iptables') return diffRules(expected.rules, actual.rules);
  if (expected.kind === 'nft' && actual.kind === 'nft') return diffNftRules(expected.rules, actual.rules);
  if (expected.kind === 'ipvs' && actual.kind === 'ipvs') return diffIpvs(expected.side, actual.side);
  throw new CliError(`--expected holds ${expected.kind} rules but --rules holds ${actual.kind} rules: compare dumps of the same kind`);
}

/** When the node's nftables table is another release's layout than the one compared against, say so. */
function nftVersionHint(rules: NftRuleset, version: string | undefined): string | undefined {
  const compared = nftProfile(version);
  const family = rules.tables.some((t) => t.name === 'kube-proxy' && t.family === 'ip') ? 'ip' : 'ip6';
  const seen = nftLayoutOf(rules, family);
  if (!seen || seen.id === compared.id) return undefined;
  const advice = seen.version ? `pass --kube-proxy-version ${seen.version} to compare like with like` : 'that layout is not rendered, so differences are expected; compare two dumps of it with --expected instead';
  return `Note: the node's table has the layout of kube-proxy ${seen.id} (${seen.evidence}), but was compared with the ${compared.id} layout; ${advice}.`;
}

const WHAT: Record<Side['kind'], string> = { iptables: 'KUBE-* chains', nft: 'chains, sets and maps of the kube-proxy table', ipvs: 'virtual servers and ipsets' };

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { rules: { value: true }, ipset: { value: true }, node: { value: true }, 'kube-proxy-version': { value: true }, expected: { value: true }, json: { value: false } });
  const file = flagString(args, 'rules');
  if (!file) throw new UsageError('ksd diff needs --rules FILE (the node\'s iptables-save output, iptables -L listing, nft list ruleset or ipvsadm -Ln output)');
  const expectedFile = flagString(args, 'expected');
  if (!expectedFile && !args.positionals.length) throw new UsageError('ksd diff needs PATHS (manifests) to compute the expected rules, or --expected FILE');
  const actual = await readSide('rules', file);
  const ipsetFile = flagString(args, 'ipset');
  if (ipsetFile) {
    if (actual.kind !== 'ipvs') throw new UsageError(`--ipset goes with ipvsadm -Ln output in --rules; ${file} holds ${actual.kind} rules`);
    const text = await readText('ipset', ipsetFile);
    const family = familyOf(actual);
    const sets = parsed(ipsetFile, () => parseIpset(text));
    // A dual-stack node has both families' sets; compare the family of the IPVS table.
    for (const name of [...sets.keys()]) if (name.startsWith('KUBE-6-') !== (family === 'IPv6')) sets.delete(name);
    actual.side.ipsets = sets;
  }
  let expected: Side;
  let version = flagString(args, 'kube-proxy-version');
  let versionNote: string | undefined;
  if (expectedFile) expected = await readSide('expected', expectedFile);
  else {
    const { state } = await loadState(args.positionals);
    // No --kube-proxy-version: the cluster's (kube-proxy DaemonSet image, else the node's kubelet), said in a note.
    const resolved = resolveProxyVersion(state, actual.kind === 'nft' ? 'nftables' : actual.kind, { version, node: flagString(args, 'node') });
    version = resolved.version;
    versionNote = resolved.note;
    expected = generated(state, actual, flagString(args, 'node'), version);
  }
  const d = compare(expected, actual);
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ missing: d.missing, extra: d.extra, stale: d.stale, missingChains: d.missingChains, extraChains: d.extraChains }, null, 2) + '\n');
    return diffIsEmpty(d) ? 0 : 1;
  }
  const noted = versionNote ? `Note: ${versionNote}.\n` : '';
  if (diffIsEmpty(d)) {
    io.out(`The node's rules match the expected ones (${d.compared} ${WHAT[actual.kind]} compared).\n${noted}`);
    return 0;
  }
  io.out(diffText(d, actual.kind, (r) => (r.table === 'ipset' ? ipsetFile : file), expectedFile) + noted);
  if (!expectedFile && actual.kind === 'nft') {
    const hint = nftVersionHint(actual.rules, version);
    if (hint) io.out(hint + '\n');
  }
  return 1;
}

/** A row: iptables rules and virtual-server lines name their chain; nft rules, real servers and set entries get it in front. */
function rowText(r: DiffRule, where?: string): string {
  const self = r.rule.startsWith(`-A ${r.chain} `) || r.rule.startsWith(r.chain.replace(' ', '  '));
  const at = where && r.line ? `   (${where} line ${r.line})` : '';
  return `  ${r.table} ${self ? r.rule : `${r.chain}: ${r.rule}`}${at}`;
}

function diffText(d: RulesDiff, kind: Side['kind'], fileOf: (r: DiffRule) => string | undefined, expectedFile: string | undefined): string {
  const unit = kind === 'ipvs' ? 'Virtual servers or ipsets' : kind === 'nft' ? 'Chains, sets or maps' : 'Chains';
  const items = kind === 'ipvs' ? 'Entries' : kind === 'nft' ? 'Rules and elements' : 'Rules';
  const out: string[] = [];
  if (d.missingChains.length) out.push(`${unit} missing on the node (${d.missingChains.length}):`, ...d.missingChains.map((c) => `  ${c}`), '');
  if (d.extraChains.length) out.push(`${unit} on the node that kube-proxy would not write (${d.extraChains.length}):`, ...d.extraChains.map((c) => `  ${c}`), '');
  if (d.missing.length) out.push(`${items} missing on the node (${d.missing.length}):`, ...d.missing.map((r) => rowText(r, expectedFile)), '');
  if (d.extra.length) out.push(`${items} on the node that are not expected (${d.extra.length}):`, ...d.extra.map((r) => rowText(r, fileOf(r))), '');
  if (d.stale.length) {
    out.push(`Stale endpoints (${d.stale.length}): kube-proxy on the node has not caught up with the Service's endpoints`);
    for (const s of d.stale) {
      const n = s.rules.length;
      const count = kind === 'iptables' ? `${n} rule${n === 1 ? '' : 's'}` : `${n} ${n === 1 ? 'entry' : 'entries'}`;
      out.push(`  ${s.service} ${s.endpoint}: ${s.kind === 'in-rules-only' ? 'still in the node\'s rules, but no longer an endpoint' : 'an endpoint now, but not in the node\'s rules yet'} (${count})`);
    }
    out.push('');
  }
  return out.join('\n');
}
