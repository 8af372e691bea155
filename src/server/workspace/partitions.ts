/**
 * Checks run per namespace (Service selectors, ports and endpoints never cross one), plus one partition for
 * cluster-scoped objects. A change re-runs only the partitions it can affect.
 */
import type { ClusterState, LoadedObject, PodModel, ServiceModel } from '../../core';

export const CLUSTER_PARTITION = '';

/** Kinds whose change can affect every Service (addresses, proxy settings, nodes). */
const CLUSTER_WIDE = new Set(['Node', 'KubeProxyConfiguration', 'ServiceCIDR', 'Namespace', 'ConfigMap']);

export function partitionsOf(state: ClusterState): string[] {
  return [CLUSTER_PARTITION, ...state.namespaces];
}

/** The state as seen from one namespace: its Services, pods, workloads and slices; cluster-scoped parts whole. */
export function scopedState(state: ClusterState, partition: string): ClusterState {
  if (partition === CLUSTER_PARTITION) {
    return { ...state, services: [], pods: [], workloads: [], slices: [], ingresses: [], routes: [], objects: state.objects.filter((o) => !o.namespace && !isNamespacedKind(o.kind)) };
  }
  const inNs = (ns: string | undefined) => (ns ?? 'default') === partition;
  return {
    ...state,
    objects: state.objects.filter((o) => inNs(o.namespace)),
    services: state.services.filter((s) => s.namespace === partition),
    pods: state.pods.filter((p) => p.namespace === partition),
    workloads: state.workloads.filter((w) => w.namespace === partition),
    slices: state.slices.filter((s) => (s.slice.metadata?.namespace ?? 'default') === partition),
    ingresses: state.ingresses.filter((o) => inNs(o.namespace)),
    routes: state.routes.filter((o) => inNs(o.namespace)),
  };
}

function isNamespacedKind(kind: string): boolean {
  return !['Node', 'Namespace', 'ServiceCIDR', 'KubeProxyConfiguration', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'IngressClass'].includes(kind);
}

/**
 * The partitions a change can affect: namespaces of the objects before and after, namespaces whose
 * Services or pods came out different (addresses are allocated cluster-wide, simulated pod IPs shift), or
 * all of them when a cluster-scoped object changed.
 */
export function affectedPartitions(changed: readonly LoadedObject[], prev: ClusterState | undefined, next: ClusterState): Set<string> | 'all' {
  if (!prev) return 'all';
  const out = new Set<string>();
  for (const o of changed) {
    if (CLUSTER_WIDE.has(o.kind) || (!o.namespace && !isNamespacedKind(o.kind))) return 'all';
    out.add(o.namespace ?? 'default');
  }
  if (prev.serviceCIDRs.join() !== next.serviceCIDRs.join() || prev.namespaces.join() !== next.namespaces.join()) return 'all';
  diffModels(prev.services, next.services, serviceFingerprint, out);
  diffModels(prev.pods, next.pods, podFingerprint, out);
  return out;
}

function diffModels<T extends { namespace: string; name: string }>(a: readonly T[], b: readonly T[], fp: (x: T) => string, out: Set<string>): void {
  const before = new Map<string, string>();
  for (const x of a) before.set(`${x.namespace}/${x.name}`, fp(x));
  const seen = new Set<string>();
  for (const x of b) {
    const k = `${x.namespace}/${x.name}`;
    seen.add(k);
    if (before.get(k) !== fp(x)) out.add(x.namespace);
  }
  for (const x of a) if (!seen.has(`${x.namespace}/${x.name}`)) out.add(x.namespace);
}

function serviceFingerprint(s: ServiceModel): string {
  return `${s.clusterIPs.join(',')}|${s.ports.map((p) => `${p.port}/${p.nodePort}`).join(',')}|${s.healthCheckNodePort}`;
}
function podFingerprint(p: PodModel): string {
  return `${p.ips.join(',')}|${p.nodeName ?? ''}`;
}
