/** One proxier's input for one sync: every Service port of a family, with endpoints, on one node. */
import { serviceEndpoints } from '../endpoints/service';
import { slicesOfService } from '../model/indexes';
import type { ClusterState, IPFamily, ServiceModel } from '../model/types';
import { compareStrings, endpointsForServicePort } from './endpointsCache';
import { localDetector, proxyNode } from './node';
import { servicePortInfos } from './servicePort';
import { categorizeEndpoints, topologyGates, type TopologyInput } from './topology';
import type { ProxiedServicePort, ProxyModel, ProxyNode, ProxyOptions } from './types';

/**
 * kube-proxy keeps service ports in a Go map, so the real order of the rules is random from sync to
 * sync; we order them by service-port name, then protocol, so the output is stable.
 */
export function buildProxyModel(state: ClusterState, options: ProxyOptions): ProxyModel {
  const node = proxyNode(state, options.node);
  const topo = topologyInput(node, options);
  const ports: ProxiedServicePort[] = [];
  for (const svc of state.services) ports.push(...proxiedPorts(state, svc, options.family, node, topo));
  ports.sort((a, b) => compareStrings(a.info.nameString, b.info.nameString) || compareStrings(a.info.protocol, b.info.protocol));
  const totalEndpoints = ports.reduce((n, p) => n + p.endpoints.length, 0);
  return { family: options.family, node, detector: localDetector(state, node, options.family), ports, totalEndpoints };
}

export function topologyInput(node: ProxyNode, options: Pick<ProxyOptions, 'kubeProxyMinor'>): TopologyInput {
  const gates = topologyGates(options.kubeProxyMinor);
  return { nodeName: node.name, zone: node.zone ?? '', preferSameNode: gates.preferSameNode, hints: gates.hints, minor: options.kubeProxyMinor };
}

/** The ports of one Service (for showing one Service's chains without building the whole model). */
export function proxiedPorts(state: ClusterState, svc: ServiceModel, family: IPFamily, node: ProxyNode, topo: TopologyInput): ProxiedServicePort[] {
  const infos = servicePortInfos(svc, family, topo.minor);
  if (!infos.length) return [];
  // Given EndpointSlices are used as they are; the exclusion analysis serviceEndpoints adds is not needed here.
  const given = slicesOfService(state, svc.namespace, svc.name);
  const slices = given.length ? given.map((g) => g.slice) : serviceEndpoints(state, svc).slices;
  return infos.map((info) => {
    const endpoints = endpointsForServicePort(slices, info, node.name);
    return { info, endpoints, categorized: categorizeEndpoints(endpoints, info, topo) };
  });
}

interface LastPorts {
  state: ClusterState;
  family: IPFamily;
  node: string;
  zone: string;
  preferSameNode: boolean;
  hints: TopologyInput['hints'];
  minor: number | undefined;
  ports: ProxiedServicePort[];
}

const lastPorts = new WeakMap<ServiceModel, LastPorts>();

/**
 * proxiedPorts, kept per Service for the last state, family, node and topology asked: a trace renders a
 * Service's rules and its explanation then reads the same ports. The result is shared: do not change it.
 */
export function proxiedPortsShared(state: ClusterState, svc: ServiceModel, family: IPFamily, node: ProxyNode, topo: TopologyInput): readonly ProxiedServicePort[] {
  const last = lastPorts.get(svc);
  if (last && last.state === state && last.family === family && last.node === node.name && last.zone === topo.zone && last.preferSameNode === topo.preferSameNode && last.hints === topo.hints && last.minor === topo.minor && topo.nodeName === node.name) return last.ports;
  const ports = proxiedPorts(state, svc, family, node, topo);
  if (topo.nodeName === node.name) lastPorts.set(svc, { state, family, node: node.name, zone: topo.zone, preferSameNode: topo.preferSameNode, hints: topo.hints, minor: topo.minor, ports });
  return ports;
}

/** The IP families kube-proxy would run for this state: IPv4, plus IPv6 when any Service has an IPv6 cluster IP. */
export function activeFamilies(state: ClusterState): IPFamily[] {
  const fams = new Set<IPFamily>();
  for (const svc of state.services) for (const f of svc.ipFamilies) fams.add(f);
  const out: IPFamily[] = [];
  if (fams.has('IPv4') || !fams.size) out.push('IPv4');
  if (fams.has('IPv6')) out.push('IPv6');
  return out;
}
