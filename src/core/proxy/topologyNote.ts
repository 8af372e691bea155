/**
 * The trace's sentence about topology: which endpoints kube-proxy on this node kept for cluster traffic
 * because of EndpointSlice hints, or why hints the endpoints carry are not used by this release.
 */
import type { ProxiedServicePort } from './types';
import { hintsAllowed, type TopologyInput } from './topology';

export function topologyNote(sp: ProxiedServicePort, topo: TopologyInput, minor: number | undefined): string | undefined {
  const c = sp.categorized;
  const ready = sp.endpoints.filter((e) => e.ready);
  if (!ready.length || !sp.info.usesClusterEndpoints) return undefined;
  const release = minor === undefined ? 'kube-proxy' : `kube-proxy 1.${minor}`;
  if (c.topologyMode === 'PreferSameZone' || c.topologyMode === 'PreferSameNode') {
    const kept = c.clusterEndpoints.length;
    const where = c.topologyMode === 'PreferSameNode' ? `node ${topo.nodeName}` : `zone ${topo.zone}`;
    return `Topology (${c.topologyMode}): ${release} on node ${topo.nodeName} sends cluster traffic only to the ${kept} of ${ready.length} ready endpoints hinted for ${where}.`;
  }
  const zoneHinted = ready.filter((e) => e.zoneHints.length).length;
  const nodeHinted = ready.filter((e) => e.nodeHints.length).length;
  if (!zoneHinted && !nodeHinted) {
    // topology-mode Auto: the controller's topology cache would hint the endpoints (by each zone's share of CPU).
    const svc = sp.info.service;
    const auto = svc.topologyAwareHints !== undefined ? svc.topologyAwareHints : svc.topologyMode;
    if (auto !== 'Auto' && auto !== 'auto') return undefined;
    const key = svc.topologyAwareHints !== undefined ? 'service.kubernetes.io/topology-aware-hints' : 'service.kubernetes.io/topology-mode';
    return `The Service is annotated ${key}: ${auto}, but its endpoints carry no topology hints: the EndpointSlice controller allots them by each zone's share of the nodes' CPU, which is not simulated here, so traffic goes to every ready endpoint (EndpointSlices read from the cluster carry the real hints).`;
  }
  const gate = topo.hints ?? 'always';
  if (gate === 'never') return `The endpoints carry topology hints, but ${release} does not use them (the TopologyAwareHints feature gate is off by default before 1.24).`;
  if (!hintsAllowed(sp.info, gate)) {
    const key = gate === 'auto' ? 'service.kubernetes.io/topology-aware-hints: Auto' : 'service.kubernetes.io/topology-mode: Auto';
    return `The endpoints carry topology hints, but ${release} uses them only when the Service is annotated ${key} (from 1.31 hints are used without it): traffic goes to every ready endpoint.`;
  }
  if (zoneHinted < ready.length && nodeHinted < ready.length) return `Topology hints are ignored: ${ready.length - Math.max(zoneHinted, nodeHinted)} of ${ready.length} ready endpoints have none, so traffic goes to every ready endpoint.`;
  if (zoneHinted === ready.length && !topo.zone) return `Topology hints are ignored: node ${topo.nodeName} has no topology.kubernetes.io/zone label, so traffic goes to every ready endpoint.`;
  if (zoneHinted === ready.length) return `Topology hints are ignored on node ${topo.nodeName}: no ready endpoint is hinted for zone ${topo.zone}, so traffic goes to every ready endpoint.`;
  return undefined;
}
