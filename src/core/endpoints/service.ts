/** The endpoints of a Service: given EndpointSlices when there are any (the truth), else computed. */
import type { V1EndpointSlice } from '../model/k8s';
import type { ClusterState, GivenSlice, PodModel, Protocol, ServiceModel } from '../model/types';
import { computeEndpoints, matchedPods, notReadyReason, type Exclusion } from './controller';
import { podByName, podsWithLabels, slicesOfService } from '../model/indexes';

export interface ServiceEndpoints {
  service: ServiceModel;
  /** `slices`: EndpointSlices were given; `computed`: from Pods (real or simulated); `none`: neither. */
  source: 'slices' | 'computed' | 'none';
  slices: V1EndpointSlice[];
  given: GivenSlice[];
  matched: PodModel[];
  excluded: Exclusion[];
}

/** One row per endpoint and Service port, as `ksd endpoints` prints. */
export interface EndpointRow {
  ip: string;
  port: number;
  /** The Service port name ("" when unnamed). */
  portName: string;
  protocol: Protocol;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod: string | null;
  node: string | null;
  zone: string | null;
  simulated: boolean;
}

export function slicesFor(state: ClusterState, svc: ServiceModel): GivenSlice[] {
  return [...slicesOfService(state, svc.namespace, svc.name)];
}

/** Memoised per state object: views ask for the same Service many times. */
const cache = new WeakMap<ClusterState, Map<ServiceModel, ServiceEndpoints>>();

export function serviceEndpoints(state: ClusterState, svc: ServiceModel): ServiceEndpoints {
  let perState = cache.get(state);
  if (!perState) cache.set(state, (perState = new Map()));
  const hit = perState.get(svc);
  if (hit) return hit;
  const result = computeServiceEndpoints(state, svc);
  perState.set(svc, result);
  return result;
}

function computeServiceEndpoints(state: ClusterState, svc: ServiceModel): ServiceEndpoints {
  const given = slicesFor(state, svc);
  if (svc.type === 'ExternalName') return { service: svc, source: 'none', slices: [], given: [], matched: [], excluded: [] };
  if (given.length) {
    const matched = svc.selector ? matchedPods(svc, podsWithLabels(state, svc.namespace, svc.selector)) : [];
    const listed = new Set(given.flatMap((g) => (g.slice.endpoints ?? []).map((e) => `${e.targetRef?.namespace ?? svc.namespace}/${e.targetRef?.name ?? ''}`)));
    const listedIPs = new Set(given.flatMap((g) => (g.slice.endpoints ?? []).flatMap((e) => e.addresses)));
    const excluded: Exclusion[] = [];
    for (const pod of matched) {
      if (listed.has(`${pod.namespace}/${pod.name}`) || pod.ips.some((ip) => listedIPs.has(ip))) continue;
      const nr = notReadyReason(pod, state.nodes);
      excluded.push({
        pod,
        code: 'not-in-slices',
        reason: nr ? `not in the EndpointSlices: ${nr.reason}` : 'not in the EndpointSlices (the controller may not have caught up yet)',
        listed: false,
      });
    }
    for (const g of given) {
      for (const e of g.slice.endpoints ?? []) {
        if (e.conditions?.ready !== false) continue;
        const pod = e.targetRef?.name ? podByName(state, e.targetRef.namespace ?? svc.namespace, e.targetRef.name) : undefined;
        if (!pod) continue;
        const nr = notReadyReason(pod, state.nodes);
        const terminating = e.conditions?.terminating === true;
        excluded.push({
          pod,
          code: terminating ? 'terminating' : nr?.code ?? 'not-ready',
          reason: terminating ? (e.conditions?.serving ? 'pod is terminating (still serving)' : 'pod is terminating and no longer serving') : nr?.reason ?? 'endpoint is not ready',
          listed: true,
        });
      }
    }
    return { service: svc, source: 'slices', slices: given.map((g) => g.slice), given, matched, excluded };
  }
  if (!svc.selector) return { service: svc, source: 'none', slices: [], given: [], matched: [], excluded: [] };
  const c = computeEndpoints(svc, podsWithLabels(state, svc.namespace, svc.selector), state.nodes);
  return { service: svc, source: 'computed', slices: c.slices, given: [], matched: c.matched, excluded: c.excluded };
}

export function endpointRows(state: ClusterState, eps: ServiceEndpoints): EndpointRow[] {
  const rows: EndpointRow[] = [];
  for (const slice of eps.slices) {
    for (const port of slice.ports ?? []) {
      if (port.port === undefined || port.port === 0 || port.name === undefined) continue;
      for (const e of slice.endpoints ?? []) {
        const ip = e.addresses[0];
        if (!ip) continue;
        const podName = e.targetRef?.kind === 'Pod' || e.targetRef?.name ? e.targetRef?.name ?? null : null;
        const pod = podName ? podByName(state, e.targetRef?.namespace ?? eps.service.namespace, podName) : undefined;
        rows.push({
          ip,
          port: port.port,
          portName: port.name,
          protocol: (port.protocol as Protocol | undefined) ?? 'TCP',
          ready: e.conditions?.ready !== false,
          serving: e.conditions?.serving ?? e.conditions?.ready !== false,
          terminating: e.conditions?.terminating === true,
          pod: podName,
          node: e.nodeName ?? null,
          zone: e.zone ?? null,
          simulated: pod?.simulated ?? false,
        });
      }
    }
  }
  return rows;
}
