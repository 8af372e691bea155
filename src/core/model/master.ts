/**
 * The `default/kubernetes` Service every cluster has (the API server creates it at the first address of the
 * primary Service CIDR, port 443 named https). Manifests rarely include it, yet every pod sees it through
 * DNS and KUBERNETES_SERVICE_* variables, so DNS and env views add it when it is missing.
 */
import { cidrAt, parseCIDR } from '../net/ip';
import type { ClusterState, ServiceModel } from './types';

export const MASTER_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;

/** The Services of the state, plus an assumed `default/kubernetes` when none was given. */
export function servicesWithMaster(state: ClusterState): { services: ServiceModel[]; assumedMaster?: ServiceModel } {
  // Memoised so the assumed Service stays one object (analyses cache per Service object).
  let hit = cache.get(state);
  if (!hit) cache.set(state, (hit = computeServicesWithMaster(state)));
  return hit;
}

const cache = new WeakMap<ClusterState, { services: ServiceModel[]; assumedMaster?: ServiceModel }>();

function computeServicesWithMaster(state: ClusterState): { services: ServiceModel[]; assumedMaster?: ServiceModel } {
  const given = state.services.find((s) => s.namespace === MASTER_SERVICE.namespace && s.name === MASTER_SERVICE.name);
  if (given) return { services: state.services };
  const cidr = state.serviceCIDRs.map(parseCIDR).find((c) => !!c);
  if (!cidr) return { services: state.services };
  const ip = cidrAt(cidr, 1n);
  const master: ServiceModel = {
    ...MASTER_SERVICE,
    labels: { component: 'apiserver', provider: 'kubernetes' },
    type: 'ClusterIP',
    selector: undefined,
    clusterIP: ip,
    clusterIPs: [ip],
    clusterIPAssigned: true,
    headless: false,
    ipFamilies: [cidr.family],
    ipFamilyPolicy: 'SingleStack',
    ports: [{ index: 0, name: 'https', protocol: 'TCP', port: 443, targetPort: 6443, targetPortDefaulted: false, nodePort: 0, nodePortAssigned: false }],
    externalIPs: [],
    loadBalancerIngress: [],
    loadBalancerSourceRanges: [],
    allocateLoadBalancerNodePorts: true,
    sessionAffinity: 'None',
    affinityTimeoutSeconds: 10800,
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    healthCheckNodePort: 0,
    healthCheckNodePortAssigned: false,
    publishNotReadyAddresses: false,
  };
  return { services: [...state.services, master], assumedMaster: master };
}

const byNameCache = new WeakMap<ClusterState, Map<string, ServiceModel[]>>();

/** Services (with the assumed master) by lower-cased `namespace/name`, as DNS looks them up. */
export function servicesNamed(state: ClusterState, namespace: string, name: string): readonly ServiceModel[] {
  let m = byNameCache.get(state);
  if (!m) {
    m = new Map();
    for (const s of servicesWithMaster(state).services) {
      const k = `${s.namespace}/${s.name}`.toLowerCase();
      const list = m.get(k);
      if (list) list.push(s);
      else m.set(k, [s]);
    }
    byNameCache.set(state, m);
  }
  return m.get(`${namespace}/${name}`.toLowerCase()) ?? [];
}
