/**
 * Service data as the tree and the panel show it, computed from the core's cluster state. Pure: depends on
 * src/core and src/protocol only, so it is unit-tested in plain Node.
 */
import { endpointRows, rangeOf, serviceEndpoints, type ClusterState, type LoadedObject, type ServiceModel } from '../core';
import type { EndpointView, ExcludedView, Health, ServiceRef, ServiceView, SourceLocation, TraceChoices } from '../protocol/webview';

export function findService(state: ClusterState, ref: ServiceRef): ServiceModel | undefined {
  return state.services.find((s) => s.namespace === ref.namespace && s.name === ref.name);
}

/** Where an object is written: its metadata.name (or the object's start when it has none). */
export function objectLocation(loaded: LoadedObject | undefined): SourceLocation | null {
  const src = loaded?.source;
  if (!src) return null;
  const p = rangeOf(src, ['metadata', 'name']).start;
  return { file: src.file, line: p.line, character: p.character };
}

export function serviceLocation(svc: ServiceModel): SourceLocation | null {
  return objectLocation(svc.loaded);
}

/** The Service's health in one word and one sentence. */
export function healthOf(svc: ServiceModel, endpoints: EndpointView[], excluded: ExcludedView[], source: ServiceView['endpointSource']): { health: Health; text: string } {
  if (svc.type === 'ExternalName') return { health: 'none', text: `ExternalName: a DNS alias for ${svc.externalName ?? '(no externalName)'}; kube-proxy writes no rules for it` };
  if (source === 'none') return { health: 'none', text: 'No selector and no EndpointSlices: endpoints are managed outside these manifests' };
  const ready = new Set(endpoints.filter((e) => e.ready).map((e) => e.ip));
  const all = new Set(endpoints.map((e) => e.ip));
  if (!ready.size) {
    if (all.size) return { health: 'error', text: `No ready endpoint: ${all.size} listed but none ready, so requests are rejected` };
    return { health: 'error', text: excluded.length ? `No endpoint: ${excluded.length} matched pod${excluded.length === 1 ? ' is' : 's are'} left out` : 'No endpoint: the selector matches no pod, so requests are rejected' };
  }
  const served = `${ready.size} ready endpoint${ready.size === 1 ? '' : 's'}`;
  if (excluded.length) return { health: 'warning', text: `${served}; ${excluded.length} matched pod${excluded.length === 1 ? '' : 's'} not served` };
  return { health: 'ok', text: served };
}

/** Every displayed string comes from the manifests: the views must render them as text, never as markup. */
export function toServiceView(state: ClusterState, svc: ServiceModel): ServiceView {
  const eps = serviceEndpoints(state, svc);
  const endpoints: EndpointView[] = endpointRows(state, eps).map((r) => ({ ...r }));
  const excluded: ExcludedView[] = eps.excluded.map((x) => ({ pod: `${x.pod.namespace}/${x.pod.name}${x.pod.simulated ? ' [simulated]' : ''}`, code: x.code, reason: x.reason }));
  const { health, text } = healthOf(svc, endpoints, excluded, eps.source);
  return {
    ref: { namespace: svc.namespace, name: svc.name },
    type: svc.type,
    clusterIP: svc.clusterIP,
    clusterIPs: svc.clusterIPs,
    clusterIPAssigned: svc.clusterIPAssigned,
    ports: svc.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: String(p.targetPort), nodePort: p.nodePort })),
    externalIPs: svc.externalIPs,
    loadBalancerIPs: svc.loadBalancerIngress.flatMap((i) => (i.ip ? [i.ip] : [])),
    selector: svc.selector ?? null,
    sessionAffinity: svc.sessionAffinity,
    externalTrafficPolicy: svc.externalTrafficPolicy,
    internalTrafficPolicy: svc.internalTrafficPolicy,
    endpointSource: eps.source,
    endpoints,
    excluded,
    health,
    healthText: text,
    location: serviceLocation(svc),
  };
}

/** Sources and nodes the trace form offers. */
export function traceChoices(state: ClusterState): TraceChoices {
  return {
    pods: state.pods.filter((p) => p.ip).map((p) => ({ label: `${p.namespace}/${p.name}${p.simulated ? ' [simulated]' : ''}`, ip: p.ip })),
    nodes: state.nodes.map((n) => ({ name: n.name, ip: n.ips[0] ?? '' })),
  };
}

/** "ADDRESS:PORT", bracketing IPv6 as `ksd trace --to` expects. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
