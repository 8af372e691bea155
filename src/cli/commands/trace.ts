import { promises as fs } from 'node:fs';
import { buildClusterState, compileRules, traceCompiled, traceResult, type ClusterState, type TraceDetail } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { describeFsError } from '../../node/loadPaths';
import { generatedTracer, type ProxyMode } from '../../tracing/generated';
import { CliError, type CliIO } from '../io';
import { loadState } from '../state';
import { mergeWithLive } from '../../live/merge';
import { LIVE_FLAGS, liveFlags, loadLiveState } from '../liveState';
import { chooseNode, familyOf, FROM_SYNTAX, parseProtocol, readRulesFile, resolveDestination, resolveSource, traceContext } from '../traceInput';
import { formatTrace } from '../format/trace';
import { JsonArrayText } from '../format/jsonArray';
import { modeTracer } from '../traceModes';
import { printRuleWarnings } from '../ruleWarnings';

export const traceHelp = `ksd trace PATHS --from SRC --to DST:PORT [--protocol TCP|UDP|SCTP] [--node NAME]
          [--mode iptables|nftables|ipvs] [--kube-proxy-version X.Y] [--rules FILE] [--node-ip IP,...] [--json]
ksd trace PATHS --batch FLOWS.json [same options]
ksd trace [PATHS] --live [--context NAME] [--kubeconfig FILE] --from SRC --to DST:PORT [same options]
  Where the first packet of a new connection goes through kube-proxy's rules on a node: every
  endpoint it can be DNATed to with its probability, masquerade, drops and rejects, and each rule
  on the way. --rules FILE traces a node's real rules (iptables-save output, iptables -L -n [-v]
  listings, nft list ruleset output or ipvsadm -Ln output, detected); PATHS may then be empty. DST is
  an IP ([v6]:port), a Service NS/NAME (its ClusterIP) or node:NAME. --node defaults to the node owning
  DST, else the first Node (give --node for the view from the source pod's own node). --node-ip gives the node's
  own addresses when no Node manifest is given. Without --kube-proxy-version the release comes from the
  cluster (kube-proxy DaemonSet image, else the kube-proxy Pod's on the traced node, else its
  kubeletVersion; see ksd rules --help) and
  the explanation ends with a Note saying which. --batch takes a JSON array of {from, to, protocol} and
  prints an array of results. --live traces on the cluster of the kubeconfig's current context (or
  --context), read-only: its Services, EndpointSlices, pods, nodes, kube-proxy ConfigMap (mode and
  clusterCIDR) and kube-proxy DaemonSet (the release, when readable); with PATHS, the manifests
  replace the live objects they define (what applying them would do).
  ${FROM_SYNTAX}`;

interface Flow {
  from: string;
  to: string;
  protocol?: string;
}

export async function traceCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    from: { value: true },
    to: { value: true },
    protocol: { value: true },
    node: { value: true },
    mode: { value: true, choices: ['iptables', 'nftables', 'ipvs'] },
    'kube-proxy-version': { value: true },
    rules: { value: true },
    'node-ip': { value: true },
    batch: { value: true },
    json: { value: false },
    ...LIVE_FLAGS,
  });
  const live = liveFlags(args);
  const batch = flagString(args, 'batch');
  const rulesFile = flagString(args, 'rules');
  const mode = flagString(args, 'mode') ?? 'iptables';
  if (!args.positionals.length && !rulesFile && !live) throw new UsageError('ksd trace needs PATHS (manifests), --live, or --rules FILE');
  let flows: Flow[];
  if (batch) {
    if (args.flags.has('from') || args.flags.has('to')) throw new UsageError('--batch takes the flows from its file: leave out --from and --to');
    flows = await readFlows(batch);
  } else {
    const from = flagString(args, 'from');
    const to = flagString(args, 'to');
    if (!from || !to) throw new UsageError('ksd trace needs --from SRC and --to DST:PORT (or --batch FLOWS.json)');
    flows = [{ from, to, protocol: flagString(args, 'protocol') }];
  }
  const state = await traceState(args.positionals, live);
  const other = await modeTracer(mode, rulesFile);
  const imported = rulesFile && !other ? await readRulesFile(rulesFile) : undefined;
  if (imported && rulesFile) printRuleWarnings(io, rulesFile, imported.warnings);
  const extraLocal = (flagString(args, 'node-ip') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const importedRules = imported ? compileRules(imported) : undefined;
  const generated = generatedTracer(mode as ProxyMode, flagString(args, 'kube-proxy-version'));
  const results: TraceDetail[] = [];
  // A batch keeps each result as its JSON text: the trace objects are let go as soon as they are printed.
  const json = batch ? new JsonArrayText() : undefined;
  const done = (d: TraceDetail) => (json ? json.add(traceResult(d)) : results.push(d));
  for (const [i, flow] of flows.entries()) {
    const where = flows.length > 1 || batch ? `flow ${i + 1}: ` : '';
    try {
      const src = resolveSource(state, flow.from, state.proxy.clusterCIDRs);
      const dst = resolveDestination(state, flow.to);
      const protocol = parseProtocol(flow.protocol ?? flagString(args, 'protocol'));
      const family = familyOf(dst.ip);
      if (familyOf(src.ip) !== family) throw new CliError(`source ${src.ip} and destination ${dst.ip} are of different IP families`);
      const node = chooseNode(state, flagString(args, 'node'), src, dst);
      const packet = { from: src.ip, to: dst.ip, port: dst.port, protocol };
      const ctx = traceContext(state, node, src, extraLocal, family);
      if (other) {
        done(other(state, node?.name, family, packet, ctx));
      } else if (importedRules) {
        done(traceCompiled(importedRules, packet, ctx));
      } else {
        done(generated(state, node?.name, family, packet, ctx));
      }
    } catch (e) {
      if (e instanceof CliError) throw new CliError(where + e.message, e.exitCode);
      if (e instanceof Error && /IP families|not an IP address|not between 1 and 65535|fan out too far/.test(e.message)) throw new CliError(where + e.message);
      throw e;
    }
  }
  if (json) for (const piece of json.pieces()) io.out(piece);
  else if (args.flags.has('json')) io.out(JSON.stringify(traceResult(results[0]!), null, 2) + '\n');
  else io.out(formatTrace(results[0]!, flows[0]!));
  return 0;
}

/** The manifests, the live cluster, or the manifests over the live cluster. */
async function traceState(paths: string[], live: ReturnType<typeof liveFlags>): Promise<ClusterState> {
  if (!live) return (await loadState(paths)).state;
  const snap = await loadLiveState(undefined, live);
  if (!paths.length) return snap.state;
  const { files } = await loadState(paths);
  return buildClusterState(mergeWithLive(files.flatMap((f) => f.objects), snap.state.objects, snap.defaultNamespace));
}

async function readFlows(file: string): Promise<Flow[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`--batch ${file}: ${describeFsError(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--batch ${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(data)) throw new CliError(`--batch ${file}: expected a JSON array of {from, to, protocol}`);
  return data.map((f: unknown, i) => {
    const o = f as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o.from !== 'string' || typeof o.to !== 'string' || (o.protocol !== undefined && typeof o.protocol !== 'string'))
      throw new CliError(`--batch ${file}: flow ${i + 1} must be {"from": string, "to": "DST:PORT", "protocol"?: "TCP"|"UDP"|"SCTP"}`);
    return { from: o.from, to: o.to, protocol: o.protocol as string | undefined };
  });
}
