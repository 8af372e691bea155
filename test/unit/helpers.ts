/** Small builders for core tests: YAML text in, cluster state out. */
import { buildClusterState, loadManifest, type ClusterOptions, type ClusterState } from '../../src/core';

export function stateOf(yaml: string, options: ClusterOptions = {}): ClusterState {
  const f = loadManifest('test.yaml', yaml);
  if (f.diagnostics.some((d) => d.severity === 'error')) throw new Error(f.diagnostics.map((d) => d.message).join('; '));
  return buildClusterState(f.objects, options);
}

/** A Pod manifest with status (running unless told otherwise). */
export function pod(p: {
  name: string;
  ns?: string;
  labels?: Record<string, string>;
  ip?: string;
  ips?: string[];
  node?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  hostname?: string;
  subdomain?: string;
  gates?: string[];
  conditions?: { type: string; status: string }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  sidecarPorts?: { name?: string; containerPort: number; protocol?: string }[];
}): string {
  const ips = p.ips ?? (p.ip ? [p.ip] : []);
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.ns ?? 'default', labels: p.labels ?? { app: 'web' }, ...(p.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      ...(p.node ? { nodeName: p.node } : {}),
      ...(p.hostname ? { hostname: p.hostname } : {}),
      ...(p.subdomain ? { subdomain: p.subdomain } : {}),
      ...(p.gates ? { readinessGates: p.gates.map((g) => ({ conditionType: g })) } : {}),
      containers: [{ name: 'main', image: 'x', ports: p.ports ?? [{ name: 'http', containerPort: 8080 }] }],
      ...(p.sidecarPorts ? { initContainers: [{ name: 'side', image: 'y', restartPolicy: 'Always', ports: p.sidecarPorts }] } : {}),
    },
    status: {
      phase: p.phase ?? 'Running',
      ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: p.conditions ?? [{ type: 'Ready', status: p.ready === false ? 'False' : 'True' }],
    },
  };
  return JSON.stringify(obj) + '\n---\n';
}

export function service(s: {
  name: string;
  ns?: string;
  selector?: Record<string, string> | null;
  ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string; nodePort?: number }[];
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  type?: string;
  externalName?: string;
  publishNotReadyAddresses?: boolean;
}): string {
  const spec: Record<string, unknown> = {
    ...(s.type ? { type: s.type } : {}),
    ...(s.selector === null ? {} : { selector: s.selector ?? { app: 'web' } }),
    ports: s.ports ?? [{ name: 'http', port: 80, targetPort: 'http' }],
    ...(s.clusterIP ? { clusterIP: s.clusterIP } : {}),
    ...(s.clusterIPs ? { clusterIPs: s.clusterIPs } : {}),
    ...(s.ipFamilies ? { ipFamilies: s.ipFamilies } : {}),
    ...(s.ipFamilyPolicy ? { ipFamilyPolicy: s.ipFamilyPolicy } : {}),
    ...(s.externalName ? { externalName: s.externalName } : {}),
    ...(s.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
  };
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: s.ns ?? 'default' }, spec }) + '\n---\n';
}

export function node(name: string, opts: { ready?: boolean; zone?: string; podCIDR?: string } = {}): string {
  return (
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: opts.zone ? { 'topology.kubernetes.io/zone': opts.zone } : {} },
      spec: opts.podCIDR ? { podCIDR: opts.podCIDR, podCIDRs: [opts.podCIDR] } : {},
      status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
    }) + '\n---\n'
  );
}
