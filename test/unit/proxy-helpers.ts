/** Builds a cluster state from inline YAML for the proxy tests. */
import { buildClusterState, loadManifest, type ClusterOptions, type ClusterState } from '../../src/core';

export function stateOf(yaml: string, options: ClusterOptions = {}): ClusterState {
  const file = loadManifest('test.yaml', yaml);
  return buildClusterState(file.objects, { simulatePods: false, ...options });
}

/** A v1 Service manifest. */
export function service(ns: string, name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec, ...(status ? { status } : {}) });
}

/** A discovery/v1 EndpointSlice manifest for a Service. */
export function slice(ns: string, svc: string, endpoints: unknown[], ports: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${svc}-${Math.abs(hashCode(JSON.stringify(endpoints)))}`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints,
    ports,
    ...extra,
  });
}

export function node(name: string, ips: string[], zone?: string, podCIDRs: string[] = []): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} },
    spec: { podCIDRs },
    status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })), conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

export function docs(...parts: string[]): string {
  return parts.join('\n---\n');
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}
