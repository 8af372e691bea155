/**
 * What the cluster state says about a destination no kube-proxy rule matched: a load-balancer ingress IP
 * kube-proxy leaves alone because its ipMode is Proxy, or a Service address asked on a port it lacks.
 */
import { canonicalIP } from '../net/ip';
import type { ClusterState, ServiceModel } from '../model/types';
import { serviceEndpoints } from '../endpoints/service';
import { slicesOfService } from '../model/indexes';
import { endpointsForServicePort } from './endpointsCache';
import { isVIPMode, servicePortInfos, skipReason } from './servicePort';

interface AddressUse {
  svc: ServiceModel;
  role: 'ClusterIP' | 'external IP' | 'load-balancer ingress IP';
  ipMode?: string;
}

const indexes = new WeakMap<ClusterState, Map<string, AddressUse[]>>();

function addressIndex(state: ClusterState): Map<string, AddressUse[]> {
  let index = indexes.get(state);
  if (index) return index;
  index = new Map();
  const add = (ip: string | undefined, use: AddressUse) => {
    const key = ip ? canonicalIP(ip) : undefined;
    if (!key) return;
    const list = index!.get(key);
    if (list) list.push(use);
    else index!.set(key, [use]);
  };
  for (const svc of state.services) {
    if (skipReason(svc)) continue;
    for (const ip of svc.clusterIPs) add(ip, { svc, role: 'ClusterIP' });
    for (const ip of svc.externalIPs) add(ip, { svc, role: 'external IP' });
    for (const ing of svc.loadBalancerIngress) add(ing.ip, { svc, role: 'load-balancer ingress IP', ipMode: ing.ipMode });
  }
  indexes.set(state, index);
  return index;
}

/**
 * pkg/proxy/healthcheck (service_health.go): for a LoadBalancer Service with externalTrafficPolicy Local,
 * kube-proxy on every node serves HTTP on the healthCheckNodePort, answering 200 while the node has ready
 * local endpoints for it (and kube-proxy is healthy) and 503 otherwise; the load balancer steers by it.
 */
function healthCheckNotes(state: ClusterState, to: string, port: number, protocol: string, nodeName: string | undefined): string[] {
  if (protocol !== 'TCP') return [];
  // Only a packet to a node's own address (or loopback) reaches the node's health-check server.
  const ip = canonicalIP(to);
  if (!ip || !(ip.startsWith('127.') || ip === '::1' || state.nodes.some((n) => n.ips.some((a) => canonicalIP(a) === ip)))) return [];
  const notes: string[] = [];
  for (const svc of state.services) {
    if (svc.type !== 'LoadBalancer' || svc.externalTrafficPolicy !== 'Local' || svc.healthCheckNodePort !== port || skipReason(svc)) continue;
    const name = `${svc.namespace}/${svc.name}`;
    let local: number | undefined;
    if (nodeName) {
      const given = slicesOfService(state, svc.namespace, svc.name);
      const slices = given.length ? given.map((g) => g.slice) : serviceEndpoints(state, svc).slices;
      const seen = new Set<string>();
      for (const family of svc.ipFamilies.length ? svc.ipFamilies : (['IPv4'] as const)) {
        for (const info of servicePortInfos(svc, family)) {
          for (const ep of endpointsForServicePort(slices, info, nodeName)) if (ep.isLocal && ep.ready) seen.add(ep.hostPort);
        }
      }
      local = seen.size;
    }
    const answer = local === undefined ? '' : local ? ` Node ${nodeName} has ${local} ready local endpoint${local === 1 ? '' : 's'}, so it answers 200.` : ` Node ${nodeName} has no ready local endpoint, so it answers 503 and the load balancer should leave this node out.`;
    notes.push(`Port ${port} is the healthCheckNodePort of Service ${name}: kube-proxy itself listens there (no rule is needed) and answers HTTP 200 while the node has ready local endpoints for it, 503 otherwise.${answer}`);
  }
  return notes;
}

/** Sentences for the trace's explanation; `minor` is the kube-proxy release (undefined: the newest), `nodeName` the traced node. */
export function unmatchedDestinationNotes(state: ClusterState, to: string, port: number, protocol: string, minor: number | undefined, nodeName?: string): string[] {
  const key = canonicalIP(to);
  const uses = key ? addressIndex(state).get(key) : undefined;
  if (!uses) return healthCheckNotes(state, to, port, protocol, nodeName);
  const notes: string[] = [];
  for (const use of uses) {
    const name = `${use.svc.namespace}/${use.svc.name}`;
    if (use.role === 'load-balancer ingress IP' && !isVIPMode(use.ipMode, minor)) {
      notes.push(`${to} is a load-balancer ingress IP of Service ${name} with ipMode ${use.ipMode}: kube-proxy writes no rules for it (only ipMode VIP, or none, gets them from 1.30), so traffic to it from the cluster goes out to the load balancer like any other destination.`);
      continue;
    }
    if (!use.svc.ports.some((p) => p.port === port && p.protocol === protocol)) {
      const ports = use.svc.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
      notes.push(`${to} is the ${use.role} of Service ${name}, but the Service has no port ${port}/${protocol} (its ports: ${ports || 'none'}).`);
    }
  }
  return notes;
}
