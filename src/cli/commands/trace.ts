import { ipFamily, traceResult } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { readInputFile, stdinOnce } from '../inputFile';
import { CliError, type CliIO } from '../io';
import { LIVE_FLAGS, liveFlags } from '../liveState';
import { FROM_SYNTAX } from '../traceInput';
import { formatTrace } from '../format/trace';
import { jsonArrayPieces } from '../format/jsonArray';
import { prepareFlowTracer, type Flow, type TraceOptions } from '../traceFlows';
import { maxFileSize, PATH_FLAGS } from '../state';
import { traceBatch } from '../batch/traceBatch';
import { MAX_JOBS } from '../batch/plan';

export const traceHelp = `ksd trace PATHS --from SRC --to DST:PORT [--protocol TCP|UDP|SCTP] [--node NAME]
          [--mode iptables|nftables|ipvs] [--kube-proxy-version X.Y] [--rules FILE] [--node-ip IP,...] [--json]
ksd trace PATHS --batch FLOWS.json [--jobs N] [same options]
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
  prints an array of results. A large batch is split over worker threads, each loading the inputs
  itself (auto: from 1,000 flows, up to one thread per core, fewer when memory is short); --jobs N
  sets the most threads (1: this thread only). The output is the same either way. --live and
  inputs that cannot be read twice (stdin, a pipe) keep the batch on one thread.
  --live traces on the cluster of the kubeconfig's current context (or --context), read-only: its Services, EndpointSlices, pods, nodes, kube-proxy ConfigMap (mode and
  clusterCIDR) and kube-proxy DaemonSet (the release, when readable); with PATHS, the manifests
  replace the live objects they define (what applying them would do).
  ${FROM_SYNTAX}`;

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
    jobs: { value: true },
    json: { value: false },
    ...LIVE_FLAGS,
    ...PATH_FLAGS,
  });
  const live = liveFlags(args);
  const batch = flagString(args, 'batch');
  const rulesFile = flagString(args, 'rules');
  if (!args.positionals.length && !rulesFile && !live) throw new UsageError('ksd trace needs PATHS (manifests), --live, or --rules FILE');
  const twice = stdinOnce([args.positionals.some((p) => p === '-' || p === '/dev/stdin') ? 'PATHS -' : undefined, rulesFile && `--rules ${rulesFile}`, batch && `--batch ${batch}`]);
  if (twice) throw new UsageError(twice);
  const jobs = parseJobs(flagString(args, 'jobs'), !!batch);
  const options: TraceOptions = {
    paths: args.positionals,
    live,
    mode: flagString(args, 'mode') ?? 'iptables',
    rulesFile,
    node: flagString(args, 'node'),
    protocol: flagString(args, 'protocol'),
    version: flagString(args, 'kube-proxy-version'),
    maxBytes: maxFileSize(args),
    nodeIPs: nodeIPs(flagString(args, 'node-ip')),
  };
  if (batch) {
    if (args.flags.has('from') || args.flags.has('to')) throw new UsageError('--batch takes the flows from its file: leave out --from and --to');
    const flows = await readFlows(batch);
    // Each result is kept as its JSON text, and nothing is printed before every flow has been traced.
    for (const piece of jsonArrayPieces(await traceBatch(flows, options, jobs, io))) io.out(piece);
    return 0;
  }
  const from = flagString(args, 'from');
  const to = flagString(args, 'to');
  if (!from || !to) throw new UsageError('ksd trace needs --from SRC and --to DST:PORT (or --batch FLOWS.json)');
  const flow: Flow = { from, to, protocol: options.protocol };
  const result = (await prepareFlowTracer(options, io))(flow, 0, false);
  if (args.flags.has('json')) io.out(JSON.stringify(traceResult(result), null, 2) + '\n');
  else io.out(formatTrace(result, flow));
  return 0;
}

/** --node-ip IP,...: the node's own addresses; a word that is not an address is a usage error, not ignored. */
function nodeIPs(v: string | undefined): string[] {
  const ips = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ips.filter((ip) => !ipFamily(ip));
  if (bad.length) throw new UsageError(`--node-ip takes IP addresses separated by commas (not ${bad.map((b) => `"${b}"`).join(', ')})`);
  return ips;
}

/** --jobs N: a whole number of threads, only with --batch. */
function parseJobs(v: string | undefined, batch: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (!batch) throw new UsageError('--jobs goes with --batch');
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_JOBS) throw new UsageError(`--jobs must be a whole number from 1 to ${MAX_JOBS} (got "${v}")`);
  return Number(v);
}

async function readFlows(file: string): Promise<Flow[]> {
  const text = await readInputFile('batch', file);
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
