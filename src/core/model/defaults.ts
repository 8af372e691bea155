/** API-server defaulting of the objects we analyse (pkg/apis/core/v1/defaults.go and friends). */
import type { LoadedObject } from '../manifest/load';
import { canonicalIP, ipFamily } from '../net/ip';
import { COUNT_PATHS, isWorkloadKind, TEMPLATE_PATHS } from './templatePaths';
import type { V1LabelSelector, V1PodTemplateSpec } from './k8s';
import { arr, bool, dig, int, rec, str, strList, strMap } from './read';
import type { ContainerPortModel, IPFamily, NodeModel, PodModel, Protocol, ServiceModel, ServicePortModel, ServiceType, WorkloadKind, WorkloadModel } from './types';

export const DEFAULT_AFFINITY_TIMEOUT = 10800;

export function protocolOf(v: unknown): Protocol {
  const s = str(v);
  return s === 'UDP' || s === 'SCTP' ? s : 'TCP';
}

export function namespaceOf(o: LoadedObject, fallback = 'default'): string {
  return o.namespace ?? fallback;
}

export function serviceFrom(o: LoadedObject, defaultNamespace = 'default'): ServiceModel {
  const spec = rec(o.object['spec']);
  const status = rec(o.object['status']);
  const rawType = str(spec['type']);
  const type: ServiceType = rawType === 'NodePort' || rawType === 'LoadBalancer' || rawType === 'ExternalName' ? rawType : 'ClusterIP';
  const selectorRaw = spec['selector'];
  const selector = selectorRaw && typeof selectorRaw === 'object' ? strMap(selectorRaw) : undefined;
  const clusterIPRaw = str(spec['clusterIP']) ?? '';
  const clusterIPsRaw = strList(spec['clusterIPs']);
  const headless = clusterIPRaw === 'None' || clusterIPsRaw[0] === 'None';
  let clusterIPs = headless ? ['None'] : clusterIPsRaw.length ? clusterIPsRaw : clusterIPRaw ? [clusterIPRaw] : [];
  clusterIPs = clusterIPs.map((ip) => (ip === 'None' ? ip : canonicalIP(ip) ?? ip));
  let ipFamilies = strList(spec['ipFamilies']).filter((f): f is IPFamily => f === 'IPv4' || f === 'IPv6');
  if (!ipFamilies.length) {
    const fams = clusterIPs.map(ipFamily).filter((f): f is IPFamily => !!f);
    ipFamilies = fams.length ? fams : ['IPv4'];
  }
  const policyRaw = str(spec['ipFamilyPolicy']);
  const ipFamilyPolicy = policyRaw === 'PreferDualStack' || policyRaw === 'RequireDualStack' ? policyRaw : 'SingleStack';
  if (ipFamilyPolicy === 'RequireDualStack' && ipFamilies.length === 1) ipFamilies.push(ipFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  const ports: ServicePortModel[] = arr(spec['ports']).map((p, index) => {
    const r = rec(p);
    const port = int(r['port']) ?? 0;
    const tpRaw = r['targetPort'];
    // A quoted number is a string to the API (and an invalid port name); keep it as written for the checks.
    const tpInt = typeof tpRaw === 'number' && Number.isInteger(tpRaw) ? tpRaw : undefined;
    const tpStr = typeof tpRaw === 'string' && tpRaw !== '' ? tpRaw : undefined;
    const targetPortDefaulted = tpInt === undefined && !tpStr ? true : tpInt === 0;
    return {
      index,
      name: str(r['name']) ?? '',
      protocol: protocolOf(r['protocol']),
      port,
      targetPort: targetPortDefaulted ? port : (tpStr ?? tpInt ?? port),
      targetPortDefaulted,
      nodePort: int(r['nodePort']) ?? 0,
      nodePortAssigned: false,
      appProtocol: str(r['appProtocol']),
    };
  });
  const affinity = str(spec['sessionAffinity']) === 'ClientIP' ? 'ClientIP' : 'None';
  const etp = str(spec['externalTrafficPolicy']);
  const itp = str(spec['internalTrafficPolicy']);
  const lbIngress = arr(status['loadBalancer'] && rec(status['loadBalancer'])['ingress']).map((i) => {
    const r = rec(i);
    const ip = str(r['ip']);
    return { ip: ip ? canonicalIP(ip) ?? ip : undefined, hostname: str(r['hostname']), ipMode: str(r['ipMode']) };
  });
  return {
    namespace: namespaceOf(o, defaultNamespace),
    name: o.name,
    uid: str(dig(o.object, 'metadata', 'uid')),
    labels: strMap(dig(o.object, 'metadata', 'labels')),
    type,
    selector: selector && Object.keys(selector).length ? selector : undefined,
    clusterIP: type === 'ExternalName' ? '' : clusterIPs[0] ?? '',
    clusterIPs: type === 'ExternalName' ? [] : clusterIPs,
    clusterIPAssigned: false,
    headless,
    ipFamilies,
    ipFamilyPolicy,
    ports,
    externalIPs: strList(spec['externalIPs']).map((ip) => canonicalIP(ip) ?? ip),
    loadBalancerIngress: type === 'LoadBalancer' ? lbIngress : [],
    loadBalancerSourceRanges: strList(spec['loadBalancerSourceRanges']).map((s) => s.trim()),
    loadBalancerClass: str(spec['loadBalancerClass']),
    allocateLoadBalancerNodePorts: bool(spec['allocateLoadBalancerNodePorts']) ?? true,
    sessionAffinity: affinity,
    affinityTimeoutSeconds: int(dig(spec, 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds')) ?? DEFAULT_AFFINITY_TIMEOUT,
    externalTrafficPolicy: etp === 'Local' || etp === 'OnlyLocal' ? 'Local' : 'Cluster',
    internalTrafficPolicy: itp === 'Local' ? 'Local' : 'Cluster',
    healthCheckNodePort: int(spec['healthCheckNodePort']) ?? 0,
    healthCheckNodePortAssigned: false,
    publishNotReadyAddresses: bool(spec['publishNotReadyAddresses']) ?? false,
    externalName: str(spec['externalName']),
    trafficDistribution: str(spec['trafficDistribution']),
    ...topologyAnnotations(dig(o.object, 'metadata', 'annotations')),
    loaded: o,
  };
}

/** The two topology annotations kube-proxy and the EndpointSlice controller read, when present as text. */
function topologyAnnotations(annotations: unknown): Pick<ServiceModel, 'topologyAwareHints' | 'topologyMode'> {
  const a = rec(annotations);
  const out: Pick<ServiceModel, 'topologyAwareHints' | 'topologyMode'> = {};
  const hints = a['service.kubernetes.io/topology-aware-hints'];
  const mode = a['service.kubernetes.io/topology-mode'];
  if (typeof hints === 'string') out.topologyAwareHints = hints;
  if (typeof mode === 'string') out.topologyMode = mode;
  return out;
}

/** True when kube-proxy (and the API server) treat the Service as reachable from outside. */
export function externallyAccessible(svc: ServiceModel): boolean {
  return svc.type === 'LoadBalancer' || svc.type === 'NodePort' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
}

export function containerPortsOf(podSpec: unknown): ContainerPortModel[] {
  const out: ContainerPortModel[] = [];
  const add = (c: unknown, sidecar: boolean) => {
    const cr = rec(c);
    for (const p of arr(cr['ports'])) {
      const pr = rec(p);
      const containerPort = int(pr['containerPort']);
      if (containerPort === undefined) continue;
      out.push({ container: str(cr['name']) ?? '', sidecar, name: str(pr['name']), containerPort, protocol: protocolOf(pr['protocol']), hostPort: int(pr['hostPort']) });
    }
  };
  const spec = rec(podSpec);
  for (const c of arr(spec['containers'])) add(c, false);
  for (const c of arr(spec['initContainers'])) if (str(rec(c)['restartPolicy']) === 'Always') add(c, true);
  return out;
}

export function podFrom(o: LoadedObject, defaultNamespace = 'default'): PodModel {
  const spec = rec(o.object['spec']);
  const status = rec(o.object['status']);
  const ips = arr(status['podIPs'])
    .map((x) => str(rec(x)['ip']))
    .filter((x): x is string => !!x)
    .map((ip) => canonicalIP(ip) ?? ip);
  const podIP = str(status['podIP']);
  if (podIP && !ips.length) ips.push(canonicalIP(podIP) ?? podIP);
  const owner = arr(dig(o.object, 'metadata', 'ownerReferences')).map(rec).find((r) => bool(r['controller']) !== false);
  return {
    namespace: namespaceOf(o, defaultNamespace),
    name: o.name,
    uid: str(dig(o.object, 'metadata', 'uid')),
    labels: strMap(dig(o.object, 'metadata', 'labels')),
    ip: ips[0] ?? '',
    ips,
    nodeName: str(spec['nodeName']),
    phase: str(status['phase']),
    conditions: arr(status['conditions']).map((c) => {
      const r = rec(c);
      return { type: str(r['type']) ?? '', status: str(r['status']) ?? '', reason: str(r['reason']), message: str(r['message']) };
    }),
    readinessGates: arr(spec['readinessGates'])
      .map((g) => str(rec(g)['conditionType']))
      .filter((g): g is string => !!g),
    terminating: dig(o.object, 'metadata', 'deletionTimestamp') !== undefined && dig(o.object, 'metadata', 'deletionTimestamp') !== null,
    hostname: str(spec['hostname']),
    subdomain: str(spec['subdomain']),
    hostNetwork: bool(spec['hostNetwork']) ?? false,
    enableServiceLinks: bool(spec['enableServiceLinks']) ?? true,
    ports: containerPortsOf(spec),
    owner: owner ? { kind: str(owner['kind']) ?? '', name: str(owner['name']) ?? '' } : undefined,
    simulated: false,
    loaded: o,
  };
}

export { isWorkloadKind };
export const WORKLOAD_KINDS = Object.keys(TEMPLATE_PATHS) as WorkloadKind[];

export function workloadFrom(o: LoadedObject, defaultNamespace = 'default'): WorkloadModel | undefined {
  if (!isWorkloadKind(o.kind)) return undefined;
  const kind = o.kind;
  const templatePath = [...TEMPLATE_PATHS[kind]];
  const template = dig(o.object, ...templatePath) as V1PodTemplateSpec | undefined;
  const templateLabels = strMap(dig(template, 'metadata', 'labels'));
  const spec = rec(o.object['spec']);
  let selector: V1LabelSelector | undefined;
  if (kind === 'ReplicationController') {
    const m = strMap(spec['selector']);
    selector = { matchLabels: Object.keys(m).length ? m : templateLabels };
  } else if (kind === 'Job' || kind === 'CronJob') {
    const manual = kind === 'Job' ? bool(spec['manualSelector']) : bool(dig(spec, 'jobTemplate', 'spec', 'manualSelector'));
    const sel = kind === 'Job' ? spec['selector'] : dig(spec, 'jobTemplate', 'spec', 'selector');
    // Without manualSelector the Job controller generates a selector that always matches its template.
    selector = manual && sel ? labelSelectorFrom(sel) : { matchLabels: templateLabels };
  } else if (spec['selector'] !== undefined) {
    selector = labelSelectorFrom(spec['selector']);
  }
  const countPath = COUNT_PATHS[kind];
  const replicas = countPath ? podCount(dig(o.object, ...countPath)) : 1;
  return {
    kind,
    namespace: namespaceOf(o, defaultNamespace),
    name: o.name,
    selector,
    templateLabels,
    template,
    templatePath,
    replicas: Math.max(0, replicas),
    serviceName: kind === 'StatefulSet' ? str(spec['serviceName']) : undefined,
    loaded: o,
  };
}

/** The largest value of an int32 field (replicas, parallelism). */
export const INT32_MAX = 2147483647;

/**
 * A replicas/parallelism count as the API server takes it: absent means 1; a count it rejects (not an integer,
 * negative, beyond int32) means the object is never stored, so it runs no pods (KSD403 says why).
 */
export function podCount(v: unknown): number {
  if (v === undefined || v === null) return 1;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= INT32_MAX ? v : 0;
}

export function labelSelectorFrom(v: unknown): V1LabelSelector {
  const r = rec(v);
  return {
    matchLabels: r['matchLabels'] !== undefined ? strMap(r['matchLabels']) : undefined,
    matchExpressions: r['matchExpressions'] !== undefined
      ? arr(r['matchExpressions']).map((e) => {
          const er = rec(e);
          return { key: str(er['key']) ?? '', operator: str(er['operator']) ?? '', values: er['values'] !== undefined ? strList(er['values']) : undefined };
        })
      : undefined,
  };
}

export function nodeFrom(o: LoadedObject): NodeModel {
  const status = rec(o.object['status']);
  const labels = strMap(dig(o.object, 'metadata', 'labels'));
  const addresses = arr(status['addresses']).map((a) => ({ type: str(rec(a)['type']) ?? '', address: str(rec(a)['address']) ?? '' }));
  const ready = arr(status['conditions']).map(rec).find((c) => c['type'] === 'Ready');
  const podCIDRs = strList(dig(o.object, 'spec', 'podCIDRs'));
  const podCIDR = str(dig(o.object, 'spec', 'podCIDR'));
  if (podCIDR && !podCIDRs.length) podCIDRs.push(podCIDR);
  return {
    name: o.name,
    labels,
    addresses,
    ips: addresses.filter((a) => (a.type === 'InternalIP' || a.type === 'ExternalIP') && ipFamily(a.address)).map((a) => canonicalIP(a.address)!),
    // A node without status (a plain manifest) is taken as Ready.
    ready: ready ? ready['status'] === 'True' : true,
    zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'],
    podCIDRs,
    kubeletVersion: str(dig(status, 'nodeInfo', 'kubeletVersion')),
    loaded: o,
  };
}
