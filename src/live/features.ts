/**
 * What the views show for a live cluster, computed by the core on the live cluster state: the
 * Services for the tree, their endpoints, and for each pod the selector matches why it is or is not
 * served. Pure functions of a ClusterState, so they work as well on merged manifest+live state.
 */
import {
  byCloseness,
  computeEndpoints,
  endpointRows,
  formatSelector,
  selectorMiss,
  serviceEndpoints,
  type ClusterState,
  type EndpointRow,
  type ExclusionCode,
  type ServiceModel,
} from '../core';

export interface ServiceSummary {
  namespace: string;
  name: string;
  type: ServiceModel['type'];
  clusterIP: string;
  ports: { name: string; port: number; protocol: string; targetPort: number | string; nodePort: number }[];
  /** "app=web,tier=front", or undefined without a selector. */
  selector?: string;
  /** Endpoint addresses (not rows): ready, and listed but not ready. */
  ready: number;
  notReady: number;
  /** Where the endpoints come from: the cluster's EndpointSlices, computed from pods, or none. */
  source: 'slices' | 'computed' | 'none';
}

/** The Services for the tree, sorted by namespace then name. */
export function serviceSummaries(state: ClusterState): ServiceSummary[] {
  return [...state.services]
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((svc) => {
      const eps = serviceEndpoints(state, svc);
      const ready = new Set<string>();
      const notReady = new Set<string>();
      for (const s of eps.slices) for (const e of s.endpoints ?? []) for (const ip of e.addresses.slice(0, 1)) (e.conditions?.ready === false ? notReady : ready).add(ip);
      return {
        namespace: svc.namespace,
        name: svc.name,
        type: svc.type,
        clusterIP: svc.clusterIP,
        ports: svc.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort, nodePort: p.nodePort })),
        selector: svc.selector ? formatSelector(svc.selector) : undefined,
        ready: ready.size,
        notReady: notReady.size,
        source: eps.source,
      };
    });
}

export function findService(state: ClusterState, namespace: string, name: string): ServiceModel | undefined {
  return state.services.find((s) => s.namespace === namespace && s.name === name);
}

export interface PodVerdict {
  /** namespace/name */
  pod: string;
  ip: string;
  node?: string;
  /** Listed as a ready endpoint for every Service port. */
  served: boolean;
  /** Why not (empty when served). The core's exclusion codes and words. */
  reasons: { code: ExclusionCode; reason: string; port?: string }[];
}

export interface EndpointsReport {
  service: string;
  source: 'slices' | 'computed' | 'none';
  endpoints: EndpointRow[];
  /** One entry per pod the selector matches. */
  pods: PodVerdict[];
  /** When the Service has no ready endpoint, the reason in one sentence. */
  summary?: string;
}

/**
 * The endpoints of a Service and, per matched pod, why it is (not) served. With the cluster's
 * EndpointSlices as the truth, the reasons come from the core's EndpointSlice-controller model
 * (not ready, readiness gate, named port not found...), which explains what the slices show.
 */
export function endpointsReport(state: ClusterState, svc: ServiceModel): EndpointsReport {
  const eps = serviceEndpoints(state, svc);
  const rows = endpointRows(state, eps);
  const computed = svc.selector && svc.type !== 'ExternalName' ? computeEndpoints(svc, state.pods, state.nodes) : undefined;
  const readyIPs = new Set(rows.filter((r) => r.ready).map((r) => r.ip));
  const pods: PodVerdict[] = eps.matched.map((pod) => {
    const reasons: PodVerdict['reasons'] = [];
    const add = (code: ExclusionCode, reason: string, port?: string) => {
      if (!reasons.some((r) => r.code === code && r.port === port)) reasons.push({ code, reason, port });
    };
    for (const x of computed?.excluded ?? []) if (x.pod === pod) add(x.code, x.reason, x.port);
    for (const x of eps.excluded) if (x.pod === pod && !reasons.length) add(x.code, x.reason, x.port);
    const served = pod.ips.some((ip) => readyIPs.has(ip)) && !reasons.some((r) => !r.port);
    if (!served && !reasons.length) add('not-in-slices', 'not listed as a ready endpoint');
    return { pod: `${pod.namespace}/${pod.name}`, ip: pod.ip, node: pod.nodeName, served, reasons };
  });
  return { service: `${svc.namespace}/${svc.name}`, source: eps.source, endpoints: rows, pods, summary: readyIPs.size ? undefined : noEndpointsSummary(state, svc, pods) };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "; closest: Deployment storefront (app=storefront, not storefrnt)" for a likely typo, as the selector hover says it. */
function closest(selector: Readonly<Record<string, string>>, pods: ClusterState['pods']): string {
  const near = pods
    .map((p) => ({ p, miss: selectorMiss(selector, p.labels) }))
    .filter((x): x is { p: (typeof pods)[number]; miss: NonNullable<ReturnType<typeof selectorMiss>> } => !!x.miss)
    .sort(byCloseness)[0];
  if (!near || near.miss.distance > 3) return '';
  const who = near.p.owner ? `${near.p.owner.kind} ${near.p.owner.name}` : `pod ${near.p.name}`;
  return `; closest: ${who} (${near.miss.reasons.join('; ')})`;
}

function noEndpointsSummary(state: ClusterState, svc: ServiceModel, pods: PodVerdict[]): string {
  if (svc.type === 'ExternalName') return `an ExternalName Service has no endpoints; it is a DNS alias for ${svc.externalName ?? '(no externalName)'}`;
  if (!svc.selector) return 'the Service has no selector, so its EndpointSlices are managed by hand or by another controller, and none lists a ready address';
  if (!pods.length) {
    const inNs = state.pods.filter((p) => p.namespace === svc.namespace);
    return `the selector ${formatSelector(svc.selector)} matches none of the ${plural(inNs.length, 'pod')} in namespace ${svc.namespace}${closest(svc.selector, inNs)}`;
  }
  return `none of the ${plural(pods.length, 'matched pod')} is ready: ${[...new Set(pods.flatMap((p) => p.reasons.map((r) => r.reason)))].slice(0, 3).join('; ')}`;
}
