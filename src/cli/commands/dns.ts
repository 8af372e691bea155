import { podSpecOf, resolveName, type DnsRecord, type RecordType, type Resolution } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { findPod } from '../findPod';
import type { CliIO } from '../io';
import { loadState, maxFileSize, PATH_FLAGS } from '../state';

export const dnsHelp = `ksd dns NAME PATHS [--namespace NS | --pod NS/NAME] [--type A|AAAA|SRV|PTR] [--cluster-domain D] [--json]
  What NAME resolves to from a pod in NS (default "default"), as cluster DNS (CoreDNS) answers it:
  the search list tried in order, then the records. NAME may be short (web), qualified
  (web.shop, _http._tcp.web) or an address (PTR). Exit 1 when cluster DNS has no answer.`;

const TYPES = ['A', 'AAAA', 'SRV', 'PTR'] as const;

export async function dnsCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    namespace: { value: true },
    pod: { value: true },
    type: { value: true, choices: TYPES },
    'cluster-domain': { value: true },
    json: { value: false },
    ...PATH_FLAGS,
  });
  const [name, ...paths] = args.positionals;
  if (!name || !paths.length) throw new UsageError('ksd dns needs a NAME and at least one PATH');
  if (args.flags.has('namespace') && args.flags.has('pod')) throw new UsageError('give --namespace or --pod, not both');
  const clusterDomain = flagString(args, 'cluster-domain');
  if (clusterDomain !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(clusterDomain)) {
    throw new UsageError(`--cluster-domain "${clusterDomain}" is not a DNS name`);
  }
  const { state } = await loadState(paths, {}, io, maxFileSize(args));
  const podRef = flagString(args, 'pod');
  const pod = podRef ? findPod(state, podRef) : undefined;
  const namespace = pod?.namespace ?? flagString(args, 'namespace') ?? 'default';
  const type = flagString(args, 'type') as RecordType | undefined;
  const r = resolveName(state, name, { namespace, podSpec: pod ? podSpecOf(state, pod) : undefined, types: type ? [type] : undefined }, { clusterDomain });
  const code = r.answer || r.upstream ? 0 : 1;
  if (args.flags.has('json')) {
    io.out(JSON.stringify(toJson(r, pod ? `${pod.namespace}/${pod.name}` : null), null, 2) + '\n');
    return code;
  }
  io.out(`${r.query} from ${pod ? `pod ${pod.namespace}/${pod.name}` : `a pod in namespace ${namespace}`} (dnsPolicy ${r.config.dnsPolicy}; search ${r.config.search.join(' ') || '-'}; ndots:${r.config.ndots})\n`);
  for (const n of r.config.notes) io.out(`  note: ${n}\n`);
  for (const a of r.attempts) io.out(`  ${a.outcome.toUpperCase().padEnd(8)} ${a.name}${a.note && a.outcome !== 'answer' ? `  (${a.note})` : ''}\n`);
  if (r.answer) {
    for (const rec of r.answer.records) io.out(`${formatRecord(rec)}\n`);
    if (r.answer.note) io.out(`  note: ${r.answer.note}\n`);
  } else if (r.upstream) {
    io.out(`${r.upstream} leaves the cluster: ${r.config.clusterDNS ? 'CoreDNS forwards it upstream' : 'the node\'s resolver answers it'}; it cannot be answered from manifests.\n`);
  } else {
    io.out(`no answer: cluster DNS has no ${r.types.join('/')} record for any name tried\n`);
  }
  return code;
}

function formatRecord(r: DnsRecord): string {
  const data = r.type === 'SRV' ? `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${r.value}` : r.value;
  const who = [r.service ? `Service ${r.service.namespace}/${r.service.name}` : '', r.pod ? `pod ${r.pod}` : '', r.assigned ? 'cluster IP assigned by ksd (not in the manifest)' : '']
    .filter(Boolean)
    .join(', ');
  return `${r.name}\t${r.type}\t${data}${who ? `\t; ${who}` : ''}`;
}

function toJson(r: Resolution, pod: string | null) {
  return {
    query: r.query,
    namespace: r.namespace,
    pod,
    dnsPolicy: r.config.dnsPolicy,
    search: r.config.search,
    ndots: r.config.ndots,
    notes: r.config.notes,
    types: r.types,
    attempts: r.attempts.map((a) => ({ name: a.name, outcome: a.outcome, note: a.note ?? null })),
    answer: r.answer
      ? {
          name: r.answer.name,
          records: r.answer.records.map((x) => ({
            name: x.name,
            type: x.type,
            value: x.value,
            port: x.port ?? null,
            priority: x.priority ?? null,
            weight: x.weight ?? null,
            service: x.service ? `${x.service.namespace}/${x.service.name}` : null,
            pod: x.pod ?? null,
            assigned: x.assigned ?? false,
          })),
        }
      : null,
    upstream: r.upstream ?? null,
  };
}
