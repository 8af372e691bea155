import { endpointRows, serviceEndpoints } from '../../core';
import type { CliIO } from '../io';
import { parseArgs, UsageError } from '../args';
import { LIVE_FLAGS, liveFlags, loadLiveState } from '../liveState';
import { findService, loadState, maxFileSize, PATH_FLAGS } from '../state';

export const endpointsHelp = `ksd endpoints NAMESPACE/NAME PATHS [--json]
ksd endpoints NAMESPACE/NAME --live [--context NAME] [--kubeconfig FILE] [--json]
  The Service's endpoints as the EndpointSlice controller (or the given EndpointSlices) lists them,
  and every pod the selector matches that is not served, with the reason. --live reads them from
  the cluster of the kubeconfig's current context (or --context), read-only.`;

export async function endpointsCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { json: { value: false }, ...LIVE_FLAGS, ...PATH_FLAGS });
  const [ref, ...paths] = args.positionals;
  const flags = liveFlags(args);
  const live = flags !== undefined;
  if (!ref) throw new UsageError('ksd endpoints needs NAMESPACE/NAME');
  if (live && paths.length) throw new UsageError('--live reads the cluster; give no PATHS with it');
  if (!live && !paths.length) throw new UsageError('ksd endpoints needs at least one PATH (or --live)');
  const namespace = ref.includes('/') ? ref.split('/', 1)[0]! : 'default';
  const loaded = flags ? await loadLiveState(namespace, flags) : await loadState(paths, {}, io, maxFileSize(args));
  const state = loaded.state;
  const svc = findService(state, ref, 'context' in loaded ? `in namespace ${namespace} of context "${loaded.context}"` : undefined);
  const eps = serviceEndpoints(state, svc);
  const rows = endpointRows(state, eps);
  const excluded = eps.excluded.map((x) => ({ pod: `${x.pod.namespace}/${x.pod.name}`, reason: x.reason }));
  if (args.flags.has('json')) {
    const endpoints = rows.map((r) => ({ ip: r.ip, port: r.port, protocol: r.protocol, ready: r.ready, serving: r.serving, terminating: r.terminating, pod: r.pod, node: r.node, zone: r.zone }));
    io.out(JSON.stringify({ endpoints, excluded }, null, 2) + '\n');
    return 0;
  }
  io.out(`Service ${svc.namespace}/${svc.name} (${describeSource(eps.source, live)})\n`);
  if (!rows.length) io.out('  no endpoints\n');
  for (const r of rows) {
    const state = r.ready ? 'ready' : r.serving ? 'serving' : 'not ready';
    io.out(`  ${r.ip}:${r.port}/${r.protocol}${r.portName ? ` (${r.portName})` : ''}  ${state}${r.terminating ? ', terminating' : ''}  pod=${r.pod ?? '-'} node=${r.node ?? '-'}${r.zone ? ` zone=${r.zone}` : ''}${r.simulated ? '  [simulated]' : ''}\n`);
  }
  for (const x of excluded) io.out(`  excluded ${x.pod}: ${x.reason}\n`);
  return 0;
}

function describeSource(s: string, live: boolean): string {
  return s === 'slices' ? (live ? "from the cluster's EndpointSlices" : 'from the given EndpointSlices') : s === 'computed' ? 'computed from pods, as the EndpointSlice controller would' : 'no selector and no EndpointSlices';
}
