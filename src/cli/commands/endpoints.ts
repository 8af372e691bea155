import { endpointRows, serviceEndpoints } from '../../core';
import { parseArgs, UsageError } from '../args';
import type { CliIO } from '../io';
import { findService, loadState } from '../state';

export const endpointsHelp = `ksd endpoints NAMESPACE/NAME PATHS [--json]
  The Service's endpoints as the EndpointSlice controller (or the given EndpointSlices) lists them,
  and every pod the selector matches that is not served, with the reason.`;

export async function endpointsCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { json: { value: false } });
  const [ref, ...paths] = args.positionals;
  if (!ref || !paths.length) throw new UsageError('ksd endpoints needs NAMESPACE/NAME and at least one PATH');
  const { state } = await loadState(paths);
  const svc = findService(state, ref);
  const eps = serviceEndpoints(state, svc);
  const rows = endpointRows(state, eps);
  const excluded = eps.excluded.map((x) => ({ pod: `${x.pod.namespace}/${x.pod.name}`, reason: x.reason }));
  if (args.flags.has('json')) {
    const endpoints = rows.map((r) => ({ ip: r.ip, port: r.port, protocol: r.protocol, ready: r.ready, serving: r.serving, terminating: r.terminating, pod: r.pod, node: r.node, zone: r.zone }));
    io.out(JSON.stringify({ endpoints, excluded }, null, 2) + '\n');
    return 0;
  }
  io.out(`Service ${svc.namespace}/${svc.name} (${describeSource(eps.source)})\n`);
  if (!rows.length) io.out('  no endpoints\n');
  for (const r of rows) {
    const state = r.ready ? 'ready' : r.serving ? 'serving' : 'not ready';
    io.out(`  ${r.ip}:${r.port}/${r.protocol}${r.portName ? ` (${r.portName})` : ''}  ${state}${r.terminating ? ', terminating' : ''}  pod=${r.pod ?? '-'} node=${r.node ?? '-'}${r.zone ? ` zone=${r.zone}` : ''}${r.simulated ? '  [simulated]' : ''}\n`);
  }
  for (const x of excluded) io.out(`  excluded ${x.pod}: ${x.reason}\n`);
  return 0;
}

function describeSource(s: string): string {
  return s === 'slices' ? 'from the given EndpointSlices' : s === 'computed' ? 'computed from pods, as the EndpointSlice controller would' : 'no selector and no EndpointSlices';
}
