import { diffIsEmpty, resolveProxyVersion, RulesParseError, RulesRequestError, UnknownNodeError, UnknownVersionError, } from '../../core';
import { compareDumps, DIFF_UNITS, formatDumpDiff, dumpScopeNote, expectedDump, ImportedRulesError, nftLayoutHint, parseDump, withIpsets, type RulesDump } from '../../tracing/importedRules';
import { readInputFile, stdinOnce } from '../inputFile';
import { flagString, parseArgs, UsageError } from '../args';
import { CliError, type CliIO } from '../io';
import { printRuleWarnings } from '../ruleWarnings';
import { loadState, maxFileSize, PATH_FLAGS } from '../state';

export const diffHelp = `ksd diff PATHS --rules FILE [--ipset FILE] [--node NAME] [--kube-proxy-version X.Y] [--expected FILE] [--json]
  Compares a node's real rules with the rules kube-proxy should have written for the Services in PATHS:
  missing, extra, and stale (endpoints kube-proxy has not caught up with). FILE is detected:
  iptables-save output or iptables -L listings (iptables mode; only KUBE-* chains are compared),
  \`nft list ruleset\` output or an nft transaction (nftables mode; the kube-proxy table), or
  \`ipvsadm -Ln\` output (IPVS mode; --ipset FILE adds the node's \`ipset save\` or \`ipset list\`,
  which may also follow the ipvsadm output in FILE itself).
  Compared by meaning, not spelling or whitespace. --expected FILE compares against a saved dump of
  the same kind instead of generated rules. Exit 0 when they agree, 1 when they differ. Without
  --kube-proxy-version the release comes from PATHS (kube-proxy DaemonSet image, else the kube-proxy
  Pod's on the node, else the node's kubeletVersion; see ksd rules --help) and a Note line says which.`;

function readText(flag: string, file: string): Promise<string> {
  return readInputFile(flag, file);
}

function parsed<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RulesParseError) throw new CliError(`${file}: line ${e.line}: ${e.detail}`);
    throw e;
  }
}

async function readSide(flag: string, file: string): Promise<RulesDump> {
  const text = await readText(flag, file);
  try {
    return parsed(file, () => parseDump(text));
  } catch (e) {
    if (e instanceof ImportedRulesError) throw new CliError(`--${flag} ${file} holds ipset output; pass it as --ipset FILE next to --rules IPVSADM-FILE`);
    throw e;
  }
}

/** The core's request errors (unknown node, unmodelled version) are the user's to fix: plain messages. */
function asCliError<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof UnknownNodeError || e instanceof RulesRequestError || e instanceof UnknownVersionError || e instanceof ImportedRulesError) throw new CliError(e.message);
    throw e;
  }
}

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { rules: { value: true }, ipset: { value: true }, node: { value: true }, 'kube-proxy-version': { value: true }, expected: { value: true }, json: { value: false }, ...PATH_FLAGS });
  const file = flagString(args, 'rules');
  if (!file) throw new UsageError('ksd diff needs --rules FILE (the node\'s iptables-save output, iptables -L listing, nft list ruleset or ipvsadm -Ln output)');
  const expectedFile = flagString(args, 'expected');
  if (!expectedFile && !args.positionals.length) throw new UsageError('ksd diff needs PATHS (manifests) to compute the expected rules, or --expected FILE');
  const ipsetName = flagString(args, 'ipset');
  const twice = stdinOnce([args.positionals.some((p) => p === '-' || p === '/dev/stdin') ? 'PATHS -' : undefined, `--rules ${file}`, ipsetName && `--ipset ${ipsetName}`, expectedFile && `--expected ${expectedFile}`]);
  if (twice) throw new UsageError(twice);
  let actual = await readSide('rules', file);
  const ipsetFile = flagString(args, 'ipset');
  if (ipsetFile) {
    if (actual.kind !== 'ipvs') throw new UsageError(`--ipset goes with ipvsadm -Ln output in --rules; ${file} holds ${actual.kind} rules`);
    if (actual.side.ipsets) throw new UsageError(`${file} already holds the node's ipset output; leave out --ipset ${ipsetFile}`);
    const text = await readText('ipset', ipsetFile);
    actual = parsed(ipsetFile, () => withIpsets(actual, text));
  }
  let expected: RulesDump;
  let version = flagString(args, 'kube-proxy-version');
  let versionNote: string | undefined;
  if (expectedFile) expected = await readSide('expected', expectedFile);
  else {
    const { state } = await loadState(args.positionals, {}, io, maxFileSize(args));
    // No --kube-proxy-version: the cluster's (kube-proxy DaemonSet image, else the node's kubelet), said in a note.
    const resolved = resolveProxyVersion(state, actual.kind, { version, node: flagString(args, 'node') });
    version = resolved.version;
    versionNote = resolved.note;
    expected = asCliError(() => expectedDump(state, actual, flagString(args, 'node'), version));
  }
  if (actual.kind === 'iptables') printRuleWarnings(io, file, actual.rules.warnings);
  if (expectedFile && expected.kind === 'iptables') printRuleWarnings(io, expectedFile, expected.rules.warnings);
  if (expected.kind !== actual.kind) throw new CliError(`--expected holds ${expected.kind === 'nftables' ? 'nft' : expected.kind} rules but --rules holds ${actual.kind === 'nftables' ? 'nft' : actual.kind} rules: compare dumps of the same kind`);
  const d = compareDumps(expected, actual);
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ missing: d.missing, extra: d.extra, stale: d.stale, missingChains: d.missingChains, extraChains: d.extraChains }, null, 2) + '\n');
    return diffIsEmpty(d) ? 0 : 1;
  }
  const scope = expectedFile ? undefined : dumpScopeNote(actual);
  const noted = (versionNote ? `Note: ${versionNote}.\n` : '') + (scope ? `Note: ${scope}.\n` : '');
  if (diffIsEmpty(d)) {
    io.out(`The node's rules match the expected ones (${d.compared} ${DIFF_UNITS[actual.kind]} compared).\n${noted}`);
    return 0;
  }
  io.out(formatDumpDiff(d, actual.kind, (r) => (r.table === 'ipset' ? (ipsetFile ?? file) : file), expectedFile) + noted);
  if (!expectedFile && actual.kind === 'nftables') {
    const hint = nftLayoutHint(actual.rules, version, (v) => (v ? `pass --kube-proxy-version ${v} to compare like with like` : 'that layout is not rendered, so differences are expected; compare two dumps of it with --expected instead'));
    if (hint) io.out(`Note: ${hint}.\n`);
  }
  return 1;
}
