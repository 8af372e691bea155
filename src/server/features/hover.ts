/** Hovers: on a Service's selector, ports and name; markdown built from core results only. */
import { byCloseness, formatSelector, matchesServiceSelector, selectorMiss, serviceEndpoints, type ClusterState, type ServiceModel } from '../../core';
import { endpointCounts, labelOwners, podCountsText, resolvePort, selects, serviceOf } from './lookup';
import { groupByWorkload } from './ownerGroups';
import { startsWith, type Located } from './locate';
import { dnsNames, envVariables } from './serviceFacts';
import { code, text } from './markdown';

const MAX_LIST = 20;

export function hoverMarkdown(state: ClusterState, at: Located): string | undefined {
  if (at.object.kind !== 'Service') return undefined;
  const svc = serviceOf(state, at.object);
  if (!svc) return undefined;
  if (startsWith(at.path, ['spec', 'selector'])) return selectorHover(state, svc);
  if (startsWith(at.path, ['spec', 'ports']) && typeof at.path[2] === 'number') return portHover(state, svc, at.path[2]);
  if (at.path.length === 2 && at.path[0] === 'metadata' && at.path[1] === 'name') return nameHover(state, svc);
  return undefined;
}

function selectorHover(state: ClusterState, svc: ServiceModel): string {
  const lines = [`**Selector** ${code(formatSelector(svc.selector))}`, ''];
  if (!svc.selector) {
    lines.push('No selector: the endpoints of this Service are managed outside Kubernetes (EndpointSlices or Endpoints you write).');
    return lines.join('\n');
  }
  const owners = groupByWorkload(state, labelOwners(state, svc.namespace).filter((o) => selects(svc, o)).map((o) => ({ o })));
  lines.push(owners.length ? `Matches ${owners.length} workload template${owners.length === 1 ? '' : 's'} / pod${owners.length === 1 ? '' : 's'}:` : `Matches no workload template or Pod in namespace ${code(svc.namespace)}.`);
  for (const { label } of owners.slice(0, MAX_LIST)) lines.push(`- ${text(label)}`);
  const eps = serviceEndpoints(state, svc);
  const reasons = new Map<string, string[]>();
  for (const x of eps.excluded) reasons.set(x.pod.name, [...(reasons.get(x.pod.name) ?? []), x.reason]);
  if (eps.matched.length) {
    const c = endpointCounts(state, svc);
    lines.push('', `**Pods**: ${eps.matched.length} matched, ${c.ready} ready${eps.source === 'slices' ? ' (from the given EndpointSlices)' : ''}`);
    for (const p of eps.matched.slice(0, MAX_LIST)) {
      const why = reasons.get(p.name);
      lines.push(`- ${why ? '✗' : '✓'} ${code(p.name)}${p.ip ? ` ${text(p.ip)}` : ''}${p.simulated ? ' _(simulated from its workload)_' : ''}${why ? `: ${text(why.join('; '))}` : ''}`);
    }
    if (eps.matched.length > MAX_LIST) lines.push(`- … and ${eps.matched.length - MAX_LIST} more`);
  }
  // "Why not that one": the workloads and pods that come closest, with the pairs they miss.
  const selector = svc.selector;
  const ungrouped = labelOwners(state, svc.namespace)
    .filter((o) => !selects(svc, o))
    .map((o) => ({ o, miss: selectorMiss(selector, o.labels) }))
    .filter((x): x is { o: (typeof x)['o']; miss: NonNullable<(typeof x)['miss']> } => !!x.miss && (!eps.matched.length || x.miss.satisfied > 0))
    .sort(byCloseness);
  // A likely typo crowds out the unrelated label sets; otherwise list the nearest few of what exists.
  const best = ungrouped[0]?.miss;
  if (best && best.distance <= 3) ungrouped.splice(0, ungrouped.length, ...ungrouped.filter((x) => x.miss.satisfied === best.satisfied && x.miss.distance <= best.distance + 2));
  // A workload's Pods carry its template's labels: one line for the workload, not one per Pod too.
  const near = groupByWorkload(state, ungrouped);
  if (near.length) {
    lines.push('', owners.length ? 'Not selected (closest first):' : 'Closest label sets in this namespace (closest first):');
    for (const { label, o, miss } of near.slice(0, 5)) lines.push(`- ${text(label)}: ${text(miss.reasons.join('; '))} (labels ${code(formatSelector(o.labels))})`);
    if (near.length > 5) lines.push(`- … and ${near.length - 5} more`);
  }
  return lines.join('\n');
}

function portHover(state: ClusterState, svc: ServiceModel, index: number): string | undefined {
  const sp = svc.ports[index];
  if (!sp) return undefined;
  const head = `**Port** ${sp.name ? `${code(sp.name)} ` : ''}${sp.port}/${text(sp.protocol)} → targetPort ${code(String(sp.targetPort))}${sp.targetPortDefaulted ? ' (defaulted to port)' : ''}`;
  const lines = [head];
  if (sp.nodePort) lines.push('', `NodePort ${sp.nodePort}${sp.nodePortAssigned ? ' (assigned: the manifest leaves it to the API server)' : ''} on every node → port ${sp.port}`);
  const eps = serviceEndpoints(state, svc);
  if (!eps.matched.length) {
    lines.push('', svc.selector ? 'No pod is selected, so the target port resolves to nothing.' : 'No selector: the target port is whatever the EndpointSlices say.');
    return lines.join('\n');
  }
  // One line per workload (pods of one workload share their ports), one per real Pod otherwise.
  const groups = new Map<string, { label: string; result: string }>();
  for (const pod of eps.matched) {
    const { port, container } = resolvePort(pod, index, svc);
    const owner = pod.owner ? `${pod.owner.kind} ${pod.owner.name}` : `Pod ${pod.name}`;
    const result =
      port === undefined
        ? `✗ no container port named ${code(String(sp.targetPort))} with protocol ${text(sp.protocol)}`
        : `✓ containerPort ${port}${container ? ` (container ${code(container)})` : typeof sp.targetPort === 'number' && !pod.ports.some((p) => p.containerPort === port) ? ' (not declared by any container: fine if the process listens on it)' : ''}`;
    const key = `${owner}|${result}`;
    if (!groups.has(key)) groups.set(key, { label: owner, result });
  }
  lines.push('');
  for (const g of [...groups.values()].slice(0, MAX_LIST)) lines.push(`- ${text(g.label)}: ${sp.port} → ${text(String(sp.targetPort))} → ${g.result}`);
  return lines.join('\n');
}

function nameHover(state: ClusterState, svc: ServiceModel): string {
  const { names, srv } = dnsNames(svc);
  const lines = [`**Service** ${code(`${svc.namespace}/${svc.name}`)} (${text(svc.type)})`, ''];
  if (svc.type === 'ExternalName') lines.push(`CNAME to ${code(svc.externalName ?? '')}`);
  else if (svc.headless) lines.push('Headless (clusterIP None): DNS returns the ready pod IPs directly.');
  else lines.push(`Cluster IP ${code(svc.clusterIPs.join(', '))}${svc.clusterIPAssigned ? ' (assigned: not in the manifest; picked from the Service CIDR as the API server would)' : ''}`);
  lines.push('', '**DNS**', ...names.map((n) => `- ${code(n.replace(' (same namespace)', ''))}${n.endsWith('(same namespace)') ? ' (same namespace)' : ''}`));
  if (srv.length) lines.push('', '**SRV**', ...srv.map((s) => `- ${code(s)}`));
  const env = envVariables(svc);
  if (env.length) {
    lines.push('', `**Environment** (pods in ${code(svc.namespace)} started after the Service, with enableServiceLinks for the link variables)`);
    lines.push(...env.slice(0, 8).map((e) => `- ${code(`${e.name}=${e.value}`)}`));
    if (env.length > 8) lines.push(`- … ${env.length - 8} more: ${env.slice(8).map((e) => code(e.name)).join(', ')}`);
  }
  const c = endpointCounts(state, svc);
  if (svc.selector && matchesSelectorCount(state, svc) === 0) lines.push('', '_The selector matches no pod._');
  else lines.push('', text(podCountsText(c)));
  return lines.join('\n');
}

function matchesSelectorCount(state: ClusterState, svc: ServiceModel): number {
  return state.pods.filter((p) => p.namespace === svc.namespace && matchesServiceSelector(svc.selector, p.labels)).length;
}
