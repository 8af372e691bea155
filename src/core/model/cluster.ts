/** Builds the cluster state every analysis reads, from loaded objects. */
import type { LoadedObject } from '../manifest/load';
import { parseYaml } from '../yaml/parse';
import { canonicalCIDR } from '../net/ip';
import { assignAddresses } from './allocate';
import { givenSlice, nodeModel, podModel, serviceModel, workloadModel } from './memo';
import { mirrorEndpoints, shouldMirror } from './mirror';
import { bool, dig, int, rec, str, strList } from './read';
import { assumeRunning, resimulateWorkload, simulatePods } from './simulate';
import {
  DEFAULT_CLUSTER_CIDR,
  DEFAULT_NODE_PORT_RANGE,
  DEFAULT_SERVICE_CIDR,
  type ClusterOptions,
  type ClusterState,
  type GivenSlice,
  type ProxySettings,
  type WorkloadModel,
} from './types';

/** How a state was built: its options and how many of its pods are given Pods (the rest are simulated). */
interface Build {
  options: string;
  realPods: number;
}
const builds = new WeakMap<ClusterState, Build>();

export function buildClusterState(objects: LoadedObject[], options: ClusterOptions = {}): ClusterState {
  const { state, realPods } = buildState(objects, options);
  builds.set(state, { options: JSON.stringify(options), realPods });
  return state;
}

/**
 * The state of `objects` derived from `prev`, the state of the same list before `removed` were replaced
 * by `added`: equal to `buildClusterState(objects, options)`. When one workload was edited in place (same
 * namespace, kind and name, same place in the list), the other models, addresses, slices and the
 * simulated pods of the other workloads are kept (see `resimulateWorkload`); otherwise it builds anew.
 */
export function updateClusterState(prev: ClusterState, objects: LoadedObject[], removed: readonly LoadedObject[], added: readonly LoadedObject[], options: ClusterOptions = {}): ClusterState {
  const next = updateWorkload(prev, objects, removed, added, options);
  return next ?? buildClusterState(objects, options);
}

function updateWorkload(prev: ClusterState, objects: LoadedObject[], removed: readonly LoadedObject[], added: readonly LoadedObject[], options: ClusterOptions): ClusterState | undefined {
  const build = builds.get(prev);
  if (!build || build.options !== JSON.stringify(options) || options.simulatePods === false) return undefined;
  if (removed.length !== 1 || added.length !== 1) return undefined;
  const was = removed[0]!;
  const now = added[0]!;
  if (was.partial || now.partial || was.kind !== now.kind || was.name !== now.name || was.namespace !== now.namespace) return undefined;
  // The list is the previous one with that one object replaced in place.
  if (objects.length !== prev.objects.length) return undefined;
  let at = -1;
  for (let i = 0; i < objects.length; i++) {
    if (objects[i] === prev.objects[i]) continue;
    if (at >= 0 || objects[i] !== now || prev.objects[i] !== was) return undefined;
    at = i;
  }
  if (at < 0) return undefined;
  const before = workloadModel(was);
  const after = workloadModel(now);
  if (!before || !after) return undefined;
  const w = prev.workloads.indexOf(before);
  if (w < 0 || prev.workloads.indexOf(before, w + 1) >= 0) return undefined;
  const workloads = prev.workloads.slice();
  workloads[w] = after;
  const realPods = prev.pods.slice(0, build.realPods);
  const podCIDRs = prev.proxy.clusterCIDRs.length ? prev.proxy.clusterCIDRs : [DEFAULT_CLUSTER_CIDR];
  const simulated = resimulateWorkload(prev.pods.slice(build.realPods), before, after, workloads, realPods, prev.nodes, podCIDRs);
  if (!simulated) return undefined;
  const state: ClusterState = { ...prev, objects, workloads, pods: [...realPods, ...simulated] };
  builds.set(state, build);
  return state;
}

function buildState(objects: LoadedObject[], options: ClusterOptions): { state: ClusterState; realPods: number } {
  const whole = objects.filter((o) => !o.partial);
  const of = (kind: string) => whole.filter((o) => o.kind === kind);
  const services = of('Service').map(serviceModel);
  const realPods = of('Pod').map(podModel);
  const workloads = whole.map(workloadModel).filter((w): w is WorkloadModel => !!w);
  const nodes = of('Node').map(nodeModel);
  const proxy = proxySettings(whole, options);
  const cidrObjects = of('ServiceCIDR').flatMap((o) => strList(dig(o.object, 'spec', 'cidrs')));
  const serviceCIDRs = (options.serviceCIDRs?.length ? options.serviceCIDRs : cidrObjects.length ? cidrObjects : [DEFAULT_SERVICE_CIDR]).map((c) => canonicalCIDR(c) ?? c);
  const nodePortRange = options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  assignAddresses(services, serviceCIDRs, nodePortRange);
  const podCIDRs = proxy.clusterCIDRs.length ? proxy.clusterCIDRs : [DEFAULT_CLUSTER_CIDR];
  if (options.simulatePods !== false) assumeRunning(realPods, nodes, podCIDRs);
  const simulated = options.simulatePods === false ? [] : simulatePods(workloads, realPods, nodes, podCIDRs);
  const slices: GivenSlice[] = of('EndpointSlice').map(givenSlice);
  for (const o of of('Endpoints')) {
    const svcName = o.name;
    const ns = o.namespace ?? 'default';
    // The mirroring controller only mirrors Endpoints of selectorless Services.
    const svc = services.find((s) => s.namespace === ns && s.name === svcName);
    if (!shouldMirror(o, svc)) continue;
    const hasSlice = slices.some((s) => (s.loaded?.namespace ?? 'default') === ns && dig(s.slice, 'metadata', 'labels', 'kubernetes.io/service-name') === svcName);
    if (hasSlice) continue;
    slices.push(...mirrorEndpoints(o, svc));
  }
  const nsNames = new Set<string>(of('Namespace').map((o) => o.name));
  for (const o of whole) if (o.namespace) nsNames.add(o.namespace);
  nsNames.add('default');
  const state: ClusterState = {
    objects,
    services,
    pods: [...realPods, ...simulated],
    workloads,
    slices,
    nodes,
    namespaces: [...nsNames].sort(),
    serviceCIDRs,
    serviceCIDRsDefaulted: !options.serviceCIDRs?.length && !cidrObjects.length,
    nodePortRange,
    proxy,
    ingresses: of('Ingress'),
    routes: whole.filter((o) => /^(HTTP|GRPC|TCP|UDP|TLS)Route$/.test(o.kind)),
  };
  return { state, realPods: realPods.length };
}

function proxySettings(objects: LoadedObject[], options: ClusterOptions): ProxySettings {
  let loaded = objects.find((o) => o.kind === 'KubeProxyConfiguration');
  let config = loaded?.object;
  if (!config) {
    // kubeadm keeps the configuration in the kube-system/kube-proxy ConfigMap under config.conf.
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.name === 'kube-proxy' && (o.namespace ?? 'default') === 'kube-system');
    const text = str(dig(cm?.object, 'data', 'config.conf'));
    if (cm && text) {
      const parsed = parseYaml(text).documents[0]?.value;
      if (parsed && rec(parsed)['kind'] === 'KubeProxyConfiguration') {
        config = rec(parsed);
        loaded = cm;
      }
    }
  }
  const c = rec(config);
  const modeRaw = options.proxyMode ?? str(c['mode']);
  const mode = modeRaw === 'nftables' || modeRaw === 'ipvs' ? modeRaw : 'iptables';
  const clusterCIDRText = str(c['clusterCIDR']);
  // Without a configuration, assume the common kubeadm/kind set-up: a cluster CIDR and ClusterCIDR detection.
  const clusterCIDRs = options.clusterCIDRs ?? (config ? (clusterCIDRText ? clusterCIDRText.split(',').map((s) => s.trim()).filter(Boolean) : []) : [DEFAULT_CLUSTER_CIDR]);
  const detect = str(c['detectLocalMode']);
  const detectLocalMode =
    detect === 'NodeCIDR' || detect === 'BridgeInterface' || detect === 'InterfaceNamePrefix' ? detect : clusterCIDRs.length ? 'ClusterCIDR' : '';
  const modeSection = rec(mode === 'nftables' ? c['nftables'] : c['iptables']);
  return {
    mode,
    clusterCIDRs,
    detectLocalMode,
    bridgeInterface: str(dig(c, 'detectLocal', 'bridgeInterface')),
    interfaceNamePrefix: str(dig(c, 'detectLocal', 'interfaceNamePrefix')),
    nodePortAddresses: strList(c['nodePortAddresses']),
    masqueradeAll: bool(modeSection['masqueradeAll']) ?? bool(rec(c['iptables'])['masqueradeAll']) ?? false,
    masqueradeBit: int(modeSection['masqueradeBit']) ?? int(rec(c['iptables'])['masqueradeBit']) ?? 14,
    localhostNodePorts: bool(rec(c['iptables'])['localhostNodePorts']) ?? true,
    tcpBeLiberal: bool(rec(c['conntrack'])['tcpBeLiberal']) ?? false,
    config: config ? (config as unknown as ProxySettings['config']) : undefined,
    loaded,
  };
}


