/**
 * A generated multi-Service cluster for comparing the iptables renderer's output before and after a
 * change: every feature the hot loops touch (affinity, named and unnamed ports, several ports, NodePort
 * with eTP Local, LoadBalancer with source ranges, external IPs, no endpoints, not-ready and
 * terminating endpoints, the same endpoint in two slices with the local one winning).
 */
import { buildClusterState, loadManifest, type ClusterState } from '../../src/core';

export function generatedState(services: number, endpointsPer: number): ClusterState {
  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'a' } }, spec: { podCIDRs: ['10.244.1.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2', labels: { 'topology.kubernetes.io/zone': 'b' } }, spec: { podCIDRs: ['10.244.2.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.3' }] } },
    { apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'iptables', clusterCIDR: '10.244.0.0/16' },
  ];
  for (let s = 0; s < services; s++) {
    const ns = `ns${s % 4}`;
    const name = `svc${s}`;
    const named = s % 3 !== 0;
    const ports = named ? [{ name: 'http', port: 80, targetPort: 8080 }, ...(s % 4 === 1 ? [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }] : [])] : [{ port: 80, targetPort: 8080 }];
    const spec: Record<string, unknown> = { clusterIP: `10.96.${s >> 8}.${s & 255}`, ports };
    let status: Record<string, unknown> | undefined;
    if (s % 5 === 0) Object.assign(spec, { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 + s } } });
    if (s % 7 === 0) Object.assign(spec, { type: 'NodePort', externalTrafficPolicy: 'Local', ports: ports.map((p, i) => ({ ...p, nodePort: 30000 + s * 2 + i })) });
    if (s % 11 === 0) {
      Object.assign(spec, { type: 'LoadBalancer', ports: ports.map((p, i) => ({ ...p, nodePort: 31000 + s * 2 + i })), loadBalancerSourceRanges: ['203.0.113.0/24', '192.168.0.0/16'], ...(s % 2 ? { externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 + s } : {}) });
      status = { loadBalancer: { ingress: [{ ip: `198.51.100.${s & 255}` }] } };
    }
    if (s % 13 === 0) spec['externalIPs'] = [`192.0.2.${s & 255}`];
    if (s % 17 === 0 && s > 0) spec['internalTrafficPolicy'] = 'Local';
    docs.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec, ...(status ? { status } : {}) });
    if (s % 19 === 18) continue; // no endpoints at all
    const endpoints = [];
    const n = endpointsPer + (s % 4) - 2;
    for (let e = 0; e < n; e++) {
      const k = s * 64 + e;
      endpoints.push({
        addresses: [`10.244.${(k >> 8) & 255}.${k & 255}`],
        nodeName: `node-${(e % 2) + 1}`,
        conditions: { ready: e % 9 !== 4, serving: e % 9 !== 4 || e % 2 === 0, terminating: e % 9 === 4 },
        targetRef: { kind: 'Pod', namespace: ns, name: `${name}-pod-${e}` },
      });
    }
    const slicePorts = named ? [{ name: 'http', port: 8080, protocol: 'TCP' }, ...(s % 4 === 1 ? [{ name: 'dns', port: 5353, protocol: 'UDP' }] : [])] : [{ name: '', port: 8080, protocol: 'TCP' }];
    const half = Math.ceil(endpoints.length / 2);
    const slices = [endpoints.slice(0, half), endpoints.slice(half)];
    // The first endpoint again in the second slice, on this node: the local copy wins.
    if (endpoints.length > 2 && s % 6 === 2) slices[1]!.push({ ...endpoints[0]!, nodeName: 'node-1' });
    slices.forEach((eps, i) =>
      docs.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: ns, name: `${name}-${i}`, labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', endpoints: eps, ports: slicePorts }),
    );
  }
  const file = loadManifest('generated.yaml', docs.map((d) => JSON.stringify(d)).join('\n---\n'));
  return buildClusterState(file.objects, { simulatePods: false });
}
