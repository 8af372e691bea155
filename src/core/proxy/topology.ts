/** CategorizeEndpoints, as pkg/proxy/topology.go decides which endpoints a node uses. */
import { compareStrings } from './endpointsCache';
import type { CategorizedEndpoints, ProxyEndpoint, ServicePortInfo } from './types';

export interface TopologyInput {
  nodeName: string;
  /** The node's topology.kubernetes.io/zone label ("" when unset). */
  zone: string;
  /** The PreferSameTrafficDistribution feature gate (node hints). */
  preferSameNode: boolean;
  /** When the release reads zone hints at all (default 'always'): see topologyGates. */
  hints?: HintsGate;
  /** The kube-proxy minor release these gates are for (undefined: the newest); other release gates read it (isVIPMode). */
  minor?: number;
}

/**
 * When a kube-proxy release uses EndpointSlice hints, its feature gates at their defaults:
 * - 'never': before 1.24 (TopologyAwareHints alpha in 1.21-1.22 and beta but off in 1.23);
 * - 'auto': 1.24-1.26, only for a Service whose service.kubernetes.io/topology-aware-hints annotation is
 *   "Auto" or "auto" (canUseTopology of those releases);
 * - 'annotation': 1.27-1.30, any value of the hints annotation (service.kubernetes.io/topology-aware-hints,
 *   else service.kubernetes.io/topology-mode) but "", "disabled" and "Disabled" (canUseTopology);
 * - 'always': 1.31 on (ServiceTrafficDistribution beta, on by default): hints are used whatever the
 *   annotation says (KEP-4444 "Changes within kube-proxy"; topologyModeFromHints of 1.33+).
 */
export type HintsGate = 'never' | 'auto' | 'annotation' | 'always';

export interface TopologyGates {
  hints: HintsGate;
  /** Node hints (PreferSameNode): PreferSameTrafficDistribution, on by default from 1.34 (alpha, off, in 1.33). */
  preferSameNode: boolean;
}

/** The topology gates of kube-proxy 1.<minor> (undefined: the newest release). */
export function topologyGates(minor?: number): TopologyGates {
  if (minor === undefined) return { hints: 'always', preferSameNode: true };
  const hints: HintsGate = minor < 24 ? 'never' : minor < 27 ? 'auto' : minor < 31 ? 'annotation' : 'always';
  return { hints, preferSameNode: minor >= 34 };
}

/** Does the release let this Service's hints count (the annotation test of canUseTopology before 1.31)? */
export function hintsAllowed(info: ServicePortInfo, gate: HintsGate): boolean {
  if (gate === 'always') return true;
  if (gate === 'never') return false;
  const { topologyAwareHints, topologyMode } = info.service;
  if (gate === 'auto') return topologyAwareHints === 'Auto' || topologyAwareHints === 'auto';
  // The deprecated annotation wins when it is present, even empty (serviceport.go hintsAnnotation).
  const a = topologyAwareHints ?? topologyMode ?? '';
  return a !== '' && a !== 'disabled' && a !== 'Disabled';
}

export function categorizeEndpoints(endpoints: readonly ProxyEndpoint[], info: ServicePortInfo, topo: TopologyInput): CategorizedEndpoints {
  const result: CategorizedEndpoints = { clusterEndpoints: [], localEndpoints: [], allReachableEndpoints: [], hasAnyEndpoints: false, topologyMode: '' };
  if (!endpoints.length) return result;
  let useServingTerminating = false;
  if (info.usesClusterEndpoints) {
    result.topologyMode = hintsAllowed(info, topo.hints ?? 'always') ? topologyModeFromHints(endpoints, topo) : '';
    result.clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, result.topologyMode, topo));
    // No ready endpoint anywhere: fall back to serving-terminating ones (topology no longer applies).
    if (!result.clusterEndpoints.length) result.clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (result.clusterEndpoints.length) result.hasAnyEndpoints = true;
  }
  if (!info.usesLocalEndpoints) {
    result.allReachableEndpoints = result.clusterEndpoints;
    return result;
  }
  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      result.hasAnyEndpoints = true;
      if (ep.isLocal) localReady = true;
    } else if (ep.serving && ep.terminating) {
      result.hasAnyEndpoints = true;
      if (ep.isLocal) localServingTerminating = true;
    }
  }
  if (localReady) result.localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (localServingTerminating) {
    useServingTerminating = true;
    result.localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  }
  if (!info.usesClusterEndpoints) {
    result.allReachableEndpoints = result.localEndpoints;
    return result;
  }
  if (result.topologyMode === '' && !useServingTerminating) {
    result.allReachableEndpoints = result.clusterEndpoints;
    return result;
  }
  const union = new Map<string, ProxyEndpoint>();
  for (const ep of [...result.clusterEndpoints, ...result.localEndpoints]) union.set(ep.hostPort, ep);
  result.allReachableEndpoints = [...union.values()].sort((a, b) => compareStrings(a.hostPort, b.hostPort));
  return result;
}

/** "PreferSameNode", "PreferSameZone" or "" from the hints of the ready endpoints. */
export function topologyModeFromHints(endpoints: readonly ProxyEndpoint[], topo: TopologyInput): string {
  let hasReady = false;
  let forNode = false;
  let allNodeHints = true;
  let forZone = false;
  let allZoneHints = true;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    hasReady = true;
    if (!ep.nodeHints.length) allNodeHints = false;
    else if (ep.nodeHints.includes(topo.nodeName)) forNode = true;
    if (!ep.zoneHints.length) allZoneHints = false;
    else if (ep.zoneHints.includes(topo.zone)) forZone = true;
  }
  if (!hasReady) return '';
  if (topo.preferSameNode && allNodeHints && forNode) return 'PreferSameNode';
  if (allZoneHints && forZone) return 'PreferSameZone';
  return '';
}

function availableForTopology(ep: ProxyEndpoint, mode: string, topo: TopologyInput): boolean {
  if (mode === '') return true;
  if (mode === 'PreferSameNode') return ep.nodeHints.includes(topo.nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.includes(topo.zone);
  return false;
}
