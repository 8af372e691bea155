/**
 * A node's real rules as the user pastes or imports them (iptables-save / iptables -L, `nft list ruleset`,
 * `ipvsadm -Ln`), read, compared with what kube-proxy would write and traced through. One implementation
 * for `ksd diff`, `ksd trace --rules` and the extension's Import Node Rules: callers read the file and turn
 * the errors thrown here (RulesParseError, RulesRequestError, UnknownNodeError, UnknownVersionError,
 * ImportedRulesError) into their own messages.
 */
import {
  checkIpvsVersion,
  checkNftVersion,
  compileRules,
  detectNftForm,
  diffIpvs,
  diffNftRules,
  diffRules,
  ipvsDiffSide,
  kubeletIPTables,
  kubeProxyMinor,
  looksLikeIpset,
  looksLikeIpvsadm,
  nftLayoutOf,
  nftProfile,
  parseIpset,
  parseIpvsadm,
  parseNft,
  parseRules,
  renderIPTablesRules,
  renderIpvs,
  renderNftables,
  RulesParseError,
  stripPasted,
  isFragment,
  scopeToServices,
  servicesInComments,
  traceCompiled,
  traceIpvs,
  traceNft,
  type ClusterState,
  type DiffRule,
  type IPFamily,
  type IpvsDiffSide,
  type NftRuleset,
  type RulesDiff,
  type RuleSet,
  type TraceContext,
  type TraceDetail,
  type TracePacket,
} from '../core';

/** The proxy mode a dump belongs to. */
export type DumpKind = 'iptables' | 'nftables' | 'ipvs';

export type RulesDump = { kind: 'iptables'; rules: RuleSet } | { kind: 'nftables'; rules: NftRuleset } | { kind: 'ipvs'; side: IpvsDiffSide };

/** Input that is rules of a kind the caller cannot use here (ipset output given as the rules, kinds mixed). */
export class ImportedRulesError extends Error {}

/** What a dump is, in words: "nftables rules (nft list ruleset output)". */
export const DUMP_WORDS: Record<DumpKind, string> = {
  iptables: 'iptables rules (iptables-save or iptables -L output)',
  nftables: 'nftables rules (nft list ruleset output or an nft transaction)',
  ipvs: 'an IPVS table (ipvsadm -Ln output)',
};

/** What a diff of each kind compares. */
export const DIFF_UNITS: Record<DumpKind, string> = { iptables: 'KUBE-* chains', nftables: 'chains, sets and maps of the kube-proxy table', ipvs: 'virtual servers and ipsets' };

/**
 * Detects the dump's kind and parses it (a RulesParseError names the line of what is wrong). An IPVS dump
 * may carry the node's ipset output in the same file (`ipvsadm -Ln; ipset save`, in either order).
 */
export function parseDump(input: string): RulesDump {
  const text = stripPasted(input);
  if (detectNftForm(text)) return { kind: 'nftables', rules: parseNft(text) };
  const both = splitIpvsIpset(text);
  if (both) return withIpsets({ kind: 'ipvs', side: { table: parseIpvsadm(both.ipvsadm) } }, both.ipset);
  if (looksLikeIpvsadm(text)) return { kind: 'ipvs', side: { table: parseIpvsadm(text) } };
  if (looksLikeIpset(text)) throw new ImportedRulesError('this is ipset output (ipset save / ipset list), which only adds to an ipvsadm -Ln dump');
  return { kind: 'iptables', rules: parseRules(text) };
}

const IPVSADM_START = /^(?:IP Virtual Server version |Prot LocalAddress:Port)/;
const IPSET_START = /^(?:create \S+ (?:hash|bitmap|list):\S+|Name: \S+$)/;

/**
 * A file holding both `ipvsadm -Ln` and `ipset save`/`ipset list` output, one after the other: each part with
 * the other's lines blanked, so line numbers stay those of the file. Undefined unless both are there.
 */
export function splitIpvsIpset(text: string): { ipvsadm: string; ipset: string } | undefined {
  const lines = text.split('\n');
  const starts = (re: RegExp) => lines.findIndex((l) => re.test(l.replace(/\r$/, '')));
  const v = starts(IPVSADM_START);
  const s = starts(IPSET_START);
  if (v < 0 || s < 0) return undefined;
  // The ipset part runs from its first line to the ipvsadm header when that comes later, else to the end.
  const setEnd = v > s ? v : lines.length;
  const inSets = (i: number) => i >= s && i < setEnd;
  return { ipvsadm: lines.map((l, i) => (inSets(i) ? '' : l)).join('\n'), ipset: lines.map((l, i) => (inSets(i) ? l : '')).join('\n') };
}

/**
 * The IPVS dump with the node's ipsets from `ipset save` / `ipset list` text; a dual-stack node lists both
 * families' sets, and only those of the IPVS table's family are kept. Throws RulesParseError on bad text.
 */
export function withIpsets(dump: RulesDump, text: string): RulesDump {
  if (dump.kind !== 'ipvs') throw new ImportedRulesError(`ipset output goes with an ipvsadm -Ln dump, not with ${DUMP_WORDS[dump.kind]}`);
  const sets = parseIpset(text);
  const v6 = dumpFamily(dump) === 'IPv6';
  for (const name of [...sets.keys()]) if (name.startsWith('KUBE-6-') !== v6) sets.delete(name);
  return { kind: 'ipvs', side: { ...dump.side, ipsets: sets } };
}

/** A node's rules picked as files: one dump and, with an ipvsadm dump, at most one file of ipset output. */
export interface DumpFile {
  name: string;
  text: string;
}

/** Reads the files picked together (the editor's Import Node Rules): which is the dump, which the ipsets. */
export function parseDumpFiles(files: readonly DumpFile[]): { dump: RulesDump; rulesFile: string; ipsetFile?: string } {
  if (!files.length) throw new ImportedRulesError('no file picked');
  const isSets = (f: DumpFile) => looksLikeIpset(f.text) && !splitIpvsIpset(f.text) && !looksLikeIpvsadm(f.text);
  const sets = files.filter(isSets);
  const rules = files.filter((f) => !isSets(f));
  if (rules.length !== 1) {
    throw new ImportedRulesError(
      rules.length
        ? `pick one node's rules at a time (${rules.map((f) => f.name).join(', ')} are all rule dumps)`
        : `${sets.map((f) => f.name).join(', ')} ${sets.length === 1 ? 'holds' : 'hold'} ipset output, which only adds to an ipvsadm -Ln dump: pick the node's ipvsadm -Ln output with it`,
    );
  }
  const rulesFile = rules[0]!;
  // Parse errors name the file they are in: two files are read here.
  const read = <T>(f: DumpFile, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (e instanceof RulesParseError) throw new ImportedRulesError(`${f.name}: line ${e.line}: ${e.detail}`);
      throw e;
    }
  };
  const dump = read(rulesFile, () => parseDump(rulesFile.text));
  if (!sets.length) return { dump, rulesFile: rulesFile.name };
  if (sets.length > 1) throw new ImportedRulesError(`pick one file of ipset output (got ${sets.map((f) => f.name).join(', ')})`);
  const setFile = sets[0]!;
  if (dump.kind !== 'ipvs') throw new ImportedRulesError(`${setFile.name} holds ipset output, which goes with ipvsadm -Ln output; ${rulesFile.name} holds ${DUMP_WORDS[dump.kind]}`);
  if (dump.side.ipsets) throw new ImportedRulesError(`${rulesFile.name} already holds the node's ipset output; ${setFile.name} would be a second copy`);
  return { dump: read(setFile, () => withIpsets(dump, setFile.text)), rulesFile: rulesFile.name, ipsetFile: setFile.name };
}

/** The IP family the dump's rules are for (a dual-stack nft dump: IPv4 unless only the ip6 table is there). */
export function dumpFamily(d: RulesDump): IPFamily {
  if (d.kind === 'iptables') return d.rules.family;
  if (d.kind === 'nftables') return d.rules.tables.some((t) => t.name === 'kube-proxy' && t.family === 'ip6') && !d.rules.tables.some((t) => t.name === 'kube-proxy' && t.family === 'ip') ? 'IPv6' : 'IPv4';
  return d.side.table.virtualServers.some((vs) => vs.address.includes(':')) ? 'IPv6' : 'IPv4';
}

/** The rules kube-proxy of `version` would write on the node, as a dump of the same kind and family as `actual`. */
export function expectedDump(state: ClusterState, actual: RulesDump, node: string | undefined, version: string | undefined): RulesDump {
  const family = dumpFamily(actual);
  if (actual.kind === 'iptables') {
    const text = renderIPTablesRules({ state, node, version, format: 'save', families: [family] });
    let rules: RuleSet;
    try {
      rules = parseRules(text);
    } catch (e) {
      // The renderer's output failing our parser is a bug on one side or the other: say so plainly.
      if (e instanceof RulesParseError) throw new Error(`generated rules do not parse (line ${e.line}: ${e.detail})`);
      throw e;
    }
    // A restore payload (no built-in chains) is kube-proxy's alone: leave out the chains kubelet owns on old nodes.
    const builtins = [...actual.rules.tables.values()].some((t) => ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].some((c) => t.chains.has(c)));
    const kubelet = builtins ? undefined : kubeletIPTables(version, family);
    for (const c of kubelet?.chains ?? []) rules.tables.get(c.table)?.chains.delete(c.chain);
    // A grep'd fragment shows only its Services' rules: compare just those.
    if (isFragment(actual.rules)) rules = scopeToServices(rules, servicesInComments(actual.rules));
    return { kind: 'iptables', rules };
  }
  if (actual.kind === 'nftables') {
    const legacy = iptablesNftTables(actual.rules);
    if (legacy) throw new ImportedRulesError(`the nft ruleset has no kube-proxy table, but has KUBE-* chains in ${legacy}: those are kube-proxy's iptables mode written through iptables-nft. Compare the node's \`iptables-save\` output instead`);
    return { kind: 'nftables', rules: parseNft(renderNftables(state, { family, node, profile: checkNftVersion(version), kubeProxyMinor: kubeProxyMinor(version) }).text) };
  }
  checkIpvsVersion(version);
  return { kind: 'ipvs', side: ipvsDiffSide(renderIpvs(state, { family, node, kubeProxyMinor: kubeProxyMinor(version) })) };
}

/** What a diff of `actual` leaves out on purpose, in words (a grep'd fragment is compared for its Services only). */
export function dumpScopeNote(actual: RulesDump): string | undefined {
  if (actual.kind !== 'iptables' || !isFragment(actual.rules)) return undefined;
  const names = [...servicesInComments(actual.rules)].sort();
  const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  return names.length
    ? `the node's rules have no "*nat"/"*filter" lines (filtered output such as \`iptables-save | grep NAME\`?), so only the rules of the Services they name were compared: ${shown}`
    : 'the node\'s rules have no "*nat"/"*filter" lines and name no Service in their comments, so no expected rule is in scope';
}

/** "table ip nat" when an nft ruleset without a kube-proxy table has KUBE-* chains elsewhere (iptables-nft's tables). */
function iptablesNftTables(rules: NftRuleset): string | undefined {
  if (rules.tables.some((t) => t.name === 'kube-proxy')) return undefined;
  const named = rules.tables.filter((t) => [...t.chains.keys()].some((c) => /^KUBE-/.test(c)));
  return named.length ? named.map((t) => `table ${t.family} ${t.name}`).join(' and ') : undefined;
}

/** Missing, extra and stale, by meaning (src/core/rules diffRules / diffNftRules / diffIpvs). */
export function compareDumps(expected: RulesDump, actual: RulesDump): RulesDiff {
  if (expected.kind === 'iptables' && actual.kind === 'iptables') return diffRules(expected.rules, actual.rules);
  if (expected.kind === 'nftables' && actual.kind === 'nftables') return diffNftRules(expected.rules, actual.rules);
  if (expected.kind === 'ipvs' && actual.kind === 'ipvs') return diffIpvs(expected.side, actual.side);
  throw new ImportedRulesError(`one side holds ${expected.kind} rules and the other ${actual.kind} rules: compare dumps of the same kind`);
}

/** When a node's nftables table has another release's layout than the one compared against, says so. */
/** `advice` gets the release of the node's layout, or undefined when that layout is one we do not render. */
export function nftLayoutHint(rules: NftRuleset, version: string | undefined, advice: (seenVersion: string | undefined) => string): string | undefined {
  const compared = nftProfile(version);
  const family = rules.tables.some((t) => t.name === 'kube-proxy' && t.family === 'ip') ? 'ip' : 'ip6';
  const seen = nftLayoutOf(rules, family);
  if (!seen || seen.id === compared.id) return undefined;
  return `the node's table has the layout of kube-proxy ${seen.id} (${seen.evidence}), but was compared with the ${compared.id} layout; ${advice(seen.version)}`;
}

export type DumpTracer = (packet: TracePacket, ctx: TraceContext) => TraceDetail;

/** Traces packets through the dump (compiled once): the engine of its kind, as `ksd trace --rules` does. */
export function dumpTracer(d: RulesDump): DumpTracer {
  if (d.kind === 'nftables') return (packet, ctx) => traceNft(d.rules, packet, ctx);
  if (d.kind === 'ipvs') return (packet, ctx) => traceIpvs(d.side.table, packet, ctx);
  const compiled = compileRules(d.rules);
  return (packet, ctx) => traceCompiled(compiled, packet, ctx);
}

/** A row: iptables rules and virtual-server lines name their chain; nft rules, real servers and set entries get it in front. */
function rowText(r: DiffRule, where?: string): string {
  const self = r.rule.startsWith(`-A ${r.chain} `) || r.rule.startsWith(r.chain.replace(' ', '  '));
  const at = where && r.line ? `   (${where} line ${r.line})` : '';
  return `  ${r.table} ${self ? r.rule : `${r.chain}: ${r.rule}`}${at}`;
}

/** The differences in words, as `ksd diff` prints them; `fileOf` names the file a row's line is in. */
export function formatDumpDiff(d: RulesDiff, kind: DumpKind, fileOf: (r: DiffRule) => string | undefined, expectedFile: string | undefined): string {
  const unit = kind === 'ipvs' ? 'Virtual servers or ipsets' : kind === 'nftables' ? 'Chains, sets or maps' : 'Chains';
  const items = kind === 'ipvs' ? 'Entries' : kind === 'nftables' ? 'Rules and elements' : 'Rules';
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
