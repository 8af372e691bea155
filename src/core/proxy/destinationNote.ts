/**
 * What the cluster state says about a destination no kube-proxy rule matched: a load-balancer ingress IP
 * kube-proxy leaves alone because its ipMode is Proxy, or a Service address asked on a port it lacks.
 */
import { canonicalIP } from '../net/ip';
import type { ClusterState, ServiceModel } from '../model/types';
import { isVIPMode, skipReason } from './servicePort';

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

/** Sentences for the trace's explanation; `minor` is the kube-proxy release (undefined: the newest). */
export function unmatchedDestinationNotes(state: ClusterState, to: string, port: number, protocol: string, minor: number | undefined): string[] {
  const key = canonicalIP(to);
  const uses = key ? addressIndex(state).get(key) : undefined;
  if (!uses) return [];
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
