/**
 * EndpointSlices as the EndpointSlice controller computes them (pkg/controller/endpointslice and
 * staging/src/k8s.io/endpointslice): which matched pods are endpoints, their conditions and ports, and
 * for every matched pod that is not served, why.
 */
import { matchesServiceSelector } from '../selectors';
import { ipFamily } from '../net/ip';
import type { V1Endpoint, V1EndpointSlice } from '../model/k8s';
import type { IPFamily, NodeModel, PodModel, ServiceModel } from '../model/types';
import { findPort, portNotFoundReason } from './findPort';
import { nameSuffix } from '../model/hash';

export const MAX_ENDPOINTS_PER_SLICE = 100;

export type ExclusionCode = 'no-ip' | 'terminal' | 'not-ready' | 'readiness-gate' | 'node-not-ready' | 'node-missing' | 'terminating' | 'port-not-found' | 'family-mismatch' | 'not-in-slices';

export interface Exclusion {
  pod: PodModel;
  code: ExclusionCode;
  reason: string;
  /** The Service port concerned, for port-level exclusions ("" for an unnamed port). */
  port?: string;
  /** Still listed, but not ready (serving or not): traffic reaches it only as a fallback or never. */
  listed: boolean;
}

export interface ComputedEndpoints {
  slices: V1EndpointSlice[];
  matched: PodModel[];
  excluded: Exclusion[];
}

/*
 * The loops below are indexed and take no callbacks: a first analysis runs them once per Service (a
 * thousand times in a large file) before V8 optimises them, and there a callback per pod, port and family,
 * or a for-of (an iterator and a result object per element), cost more than the comparisons they make.
 */

export function isPodReady(pod: PodModel): boolean {
  const conditions = pod.conditions;
  for (let i = 0; i < conditions.length; i++) if (conditions[i]!.type === 'Ready' && conditions[i]!.status === 'True') return true;
  return false;
}

export function matchedPods(svc: ServiceModel, pods: readonly PodModel[]): PodModel[] {
  const out: PodModel[] = [];
  const selector = svc.selector;
  if (!selector) return out;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    if (p.namespace === svc.namespace && matchesServiceSelector(selector, p.labels)) out.push(p);
  }
  return out;
}

/** The pod's Node among `nodes`, if it names one that is there. */
function nodeOf(pod: PodModel, nodes: readonly NodeModel[]): NodeModel | undefined {
  if (!pod.nodeName) return undefined;
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.name === pod.nodeName) return nodes[i];
  return undefined;
}

/** Why a pod is not Ready, in the user's terms. */
export function notReadyReason(pod: PodModel, nodes: readonly NodeModel[], node: NodeModel | undefined = nodeOf(pod, nodes)): { code: ExclusionCode; reason: string } | undefined {
  if (node && !node.ready) return { code: 'node-not-ready', reason: `node ${node.name} is NotReady, so the node lifecycle controller marks its pods not ready` };
  if (isPodReady(pod)) return undefined;
  const gates = pod.readinessGates.filter((g) => !pod.conditions.some((c) => c.type === g && c.status === 'True'));
  if (gates.length) return { code: 'readiness-gate', reason: `readiness gate ${gates.map((g) => `"${g}"`).join(', ')} is not True` };
  const ready = pod.conditions.find((c) => c.type === 'Ready');
  const detail = ready?.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : pod.phase && pod.phase !== 'Running' ? ` (phase ${pod.phase})` : '';
  return { code: 'not-ready', reason: `pod is not Ready${detail}` };
}

export function computeEndpoints(svc: ServiceModel, pods: readonly PodModel[], nodes: readonly NodeModel[]): ComputedEndpoints {
  const matched = matchedPods(svc, pods);
  const excluded: Exclusion[] = [];
  const families: IPFamily[] = svc.ipFamilies.length ? svc.ipFamilies : ['IPv4'];
  // Endpoints grouped by their resolved port list, then by family: pods with different ports get different slices.
  const groups = new Map<string, EndpointGroup>();
  // The group the last endpoint joined: the next pod with the same family and ports joins it without a key.
  let lastGroup: EndpointGroup | undefined;
  const hinting = trafficDistributionHints(svc);
  for (let m = 0; m < matched.length; m++) {
    const pod = matched[m]!;
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') {
      excluded.push({ pod, code: 'terminal', reason: `pod has finished (phase ${pod.phase})`, listed: false });
      continue;
    }
    if (!pod.ips.length) {
      excluded.push({ pod, code: 'no-ip', reason: pod.nodeName ? 'pod has no IP yet (still starting)' : 'pod has no IP: it is not scheduled to a node yet', listed: false });
      continue;
    }
    // The reconciler skips a pod whose Node does not exist, unless the Service publishes not-ready addresses.
    // (Without any Node in the inputs we cannot tell, so nothing is skipped.)
    const node = nodeOf(pod, nodes);
    if (nodes.length && pod.nodeName && !node && !svc.publishNotReadyAddresses) {
      excluded.push({ pod, code: 'node-missing', reason: `pod runs on node ${pod.nodeName}, which does not exist`, listed: false });
      continue;
    }
    const notReady = notReadyReason(pod, nodes, node);
    const serving = !notReady;
    const terminating = pod.terminating;
    const ready = svc.publishNotReadyAddresses || (serving && !terminating);
    const ports: NonNullable<V1EndpointSlice['ports']> = [];
    for (let s = 0; s < svc.ports.length; s++) {
      const sp = svc.ports[s]!;
      const num = findPort(pod, sp);
      if (num === undefined) {
        excluded.push({ pod, code: 'port-not-found', reason: portNotFoundReason(pod, sp), port: sp.name, listed: false });
        continue;
      }
      ports.push({ name: sp.name, port: num, protocol: sp.protocol, appProtocol: sp.appProtocol });
    }
    if (!ready) {
      if (terminating) excluded.push({ pod, code: 'terminating', reason: serving ? 'pod is terminating (still serving: used only when no ready endpoint is left)' : 'pod is terminating and no longer serving', listed: true });
      else if (notReady) excluded.push({ pod, ...notReady, listed: true });
    }
    let placed = false;
    // Pods with the same resolved ports share a group; the key is built once per pod, not per family, and
    // only when the pod does not join the group the previous endpoint joined.
    let portsKey: string | undefined;
    const podFamilies: (IPFamily | undefined)[] = [];
    for (let i = 0; i < pod.ips.length; i++) podFamilies.push(ipFamily(pod.ips[i]!));
    for (let f = 0; f < families.length; f++) {
      const family = families[f]!;
      const ip = pod.ips[podFamilies.indexOf(family)];
      if (!ip) continue;
      placed = true;
      const zone = node?.zone;
      const ep: V1Endpoint = {
        addresses: [ip],
        conditions: { ready, serving, terminating },
        targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
        nodeName: pod.nodeName,
        zone,
        hostname: pod.hostname && pod.subdomain === svc.name ? pod.hostname : undefined,
      };
      if (hinting && ready) {
        // trafficdist preferCloseHeuristic.update: a ready endpoint is hinted for its own zone (and, for
        // PreferSameNode, its own node); one with neither gets no hints.
        const forZones = zone ? [{ name: zone }] : undefined;
        const forNodes = hinting === 'node' && pod.nodeName ? [{ name: pod.nodeName }] : undefined;
        if (forZones || forNodes) ep.hints = { ...(forZones ? { forZones } : {}), ...(forNodes ? { forNodes } : {}) } as V1Endpoint['hints'];
      }
      let g = lastGroup && lastGroup.family === family && samePorts(lastGroup.ports, ports) ? lastGroup : undefined;
      if (!g) {
        portsKey ??= portsKeyOf(ports);
        const key = `${family}|${portsKey}`;
        g = groups.get(key);
        if (!g) groups.set(key, (g = { family, ports, endpoints: [] }));
      }
      g.endpoints.push(ep);
      lastGroup = g;
    }
    if (!placed) excluded.push({ pod, code: 'family-mismatch', reason: `pod has no ${families.join('/')} address (it has ${pod.ips.join(', ')})`, listed: false });
  }
  const slices: V1EndpointSlice[] = [];
  for (const family of families) {
    const before = slices.length;
    for (const g of groups.values()) {
      if (g.family !== family) continue;
      for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
        slices.push(makeSlice(svc, g.family, g.ports, g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE), slices.length));
      }
    }
    // reconcileByAddressType: an address type left without slices gets one empty placeholder slice.
    if (slices.length === before && svc.selector) slices.push(makeSlice(svc, family, [], [], slices.length));
  }
  return { slices, matched, excluded };
}

interface EndpointGroup {
  family: IPFamily;
  ports: NonNullable<V1EndpointSlice['ports']>;
  endpoints: V1Endpoint[];
}

function portsKeyOf(ports: NonNullable<V1EndpointSlice['ports']>): string {
  let key = '';
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    key += `${p.name}\u0000${p.port}\u0000${p.protocol}\u0000${p.appProtocol ?? ''}\u0001`;
  }
  return key;
}

/** Whether two resolved port lists have the same key (portsKeyOf), compared field by field. */
function samePorts(a: NonNullable<V1EndpointSlice['ports']>, b: NonNullable<V1EndpointSlice['ports']>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.port !== y.port || x.protocol !== y.protocol || (x.appProtocol ?? '') !== (y.appProtocol ?? '')) return false;
  }
  return true;
}

/**
 * Which hints the EndpointSlice controller writes for the Service's trafficDistribution (trafficdist.ReconcileHints):
 * 'zone' for PreferClose and PreferSameZone, 'node' (zone and node) for PreferSameNode, undefined for none.
 * A Service whose topology annotation is "Auto" gets its hints from the controller's topology cache instead
 * (proportional to each zone's CPU), which is not simulated: it gets none here.
 */
export function trafficDistributionHints(svc: ServiceModel): 'zone' | 'node' | undefined {
  const auto = svc.topologyAwareHints !== undefined ? svc.topologyAwareHints : svc.topologyMode;
  if (auto === 'Auto' || auto === 'auto') return undefined;
  const td = svc.trafficDistribution;
  if (td === 'PreferClose' || td === 'PreferSameZone') return 'zone';
  if (td === 'PreferSameNode') return 'node';
  return undefined;
}

function makeSlice(svc: ServiceModel, family: IPFamily, ports: V1EndpointSlice['ports'], endpoints: V1Endpoint[], n: number): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: family,
    metadata: {
      name: `${svc.name}-${nameSuffix(`${svc.namespace}/${svc.name}/${n}`, 5)}`,
      namespace: svc.namespace,
      labels: sliceLabels(svc),
    },
    endpoints,
    ports,
  };
}

const RESERVED_LABELS = new Set(['kubernetes.io/service-name', 'endpointslice.kubernetes.io/managed-by', 'service.kubernetes.io/headless']);

/** setEndpointSliceLabels: the Service's labels (reserved keys aside), the headless marker, the owner labels. */
function sliceLabels(svc: ServiceModel): Record<string, string> {
  const labels: Record<string, string> = {};
  const own = svc.labels;
  for (const k in own) if (!RESERVED_LABELS.has(k)) labels[k] = own[k]!;
  if (svc.headless || !svc.clusterIP) labels['service.kubernetes.io/headless'] = '';
  labels['kubernetes.io/service-name'] = svc.name;
  labels['endpointslice.kubernetes.io/managed-by'] = 'endpointslice-controller.k8s.io';
  return labels;
}
