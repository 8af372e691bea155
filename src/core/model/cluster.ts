/** Builds the cluster state every analysis reads, from loaded objects. */
import type { LoadedObject } from '../manifest/load';
import { parseYaml } from '../yaml/parse';
import { canonicalCIDR } from '../net/ip';
import { assignAddresses, reassignService } from './allocate';
import { indexFrom } from './indexes';
import { givenSlice, nodeModel, podModel, serviceModel, workloadModel } from './memo';
import { mirrorEndpoints, shouldMirror } from './mirror';
import { bool, dig, int, rec, str, strList } from './read';
import { keepSamePods, resimulateWorkload } from './resimulate';
import { assumeRunning, runAssumed, simulatePods } from './simulate';
import { matchesLabelSelector } from '../selectors';
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
 * by `added`: equal to `buildClusterState(objects, options)`. When one object was edited in place (same
 * kind, namespace and name, same place in the list), only what it feeds is derived again, when that provably
 * leaves the rest as a full build would: a workload's simulated pods (`resimulateWorkload`), a Service's
 * addresses (`reassignService`), a Pod's assumed runtime state, a given EndpointSlice's normalised copy;
 * objects the state only lists (policies, Ingresses, routes, ConfigMaps...) are swapped. Otherwise it
 * builds anew.
 */
export function updateClusterState(prev: ClusterState, objects: LoadedObject[], removed: readonly LoadedObject[], added: readonly LoadedObject[], options: ClusterOptions = {}): ClusterState {
  const build = builds.get(prev);
  const next = build && build.options === JSON.stringify(options) && options.simulatePods !== false ? derive(prev, build, objects, removed, added) : undefined;
  if (!next) return buildClusterState(objects, options);
  builds.set(next, build!);
  indexFrom(next, prev);
  return next;
}

/** Kinds the build reads besides listing them (workloads are told by their model). */
const READ_KINDS = new Set(['Service', 'Pod', 'Node', 'ServiceCIDR', 'EndpointSlice', 'Endpoints', 'Namespace', 'KubeProxyConfiguration']);
const ROUTE = /^(HTTP|GRPC|TCP|UDP|TLS)Route$/;

function derive(prev: ClusterState, build: Build, objects: LoadedObject[], removed: readonly LoadedObject[], added: readonly LoadedObject[]): ClusterState | undefined {
  if (removed.length !== 1 || added.length !== 1) return undefined;
  const was = removed[0]!;
  const now = added[0]!;
  if (was.partial || now.partial || was.kind !== now.kind || was.name !== now.name || was.namespace !== now.namespace) return undefined;
  if (!replacedInPlace(prev.objects, objects, was, now)) return undefined;
  if (now.kind === 'Service') return updateService(prev, objects, was, now);
  if (now.kind === 'Pod') return updatePod(prev, build, objects, was, now);
  if (now.kind === 'EndpointSlice') return updateSlice(prev, objects, was, now);
  const before = workloadModel(was);
  const after = workloadModel(now);
  if (before || after) return before && after ? updateWorkload(prev, build, objects, before, after) : undefined;
  if (READ_KINDS.has(now.kind) || (now.kind === 'ConfigMap' && now.name === 'kube-proxy' && (now.namespace ?? 'default') === 'kube-system')) return undefined;
  // Only listed: the same state with the object swapped.
  const swap = (list: LoadedObject[]) => (list.includes(was) ? list.map((o) => (o === was ? now : o)) : list);
  return { ...prev, objects, ingresses: now.kind === 'Ingress' ? swap(prev.ingresses) : prev.ingresses, routes: ROUTE.test(now.kind) ? swap(prev.routes) : prev.routes };
}

/** Is `objects` the previous list with `was` replaced by `now` at its place? */
function replacedInPlace(prev: readonly LoadedObject[], objects: readonly LoadedObject[], was: LoadedObject, now: LoadedObject): boolean {
  if (objects.length !== prev.length) return false;
  let at = -1;
  for (let i = 0; i < objects.length; i++) {
    if (objects[i] === prev[i]) continue;
    if (at >= 0 || objects[i] !== now || prev[i] !== was) return false;
    at = i;
  }
  return at >= 0;
}

/** The one index in `list` (before `end`) of an item that `match`es (-1 when none or several do). */
function onlyIndex<T>(list: readonly T[], match: (x: T) => boolean, end = list.length): number {
  let at = -1;
  for (let i = 0; i < end; i++) {
    if (!match(list[i]!)) continue;
    if (at >= 0) return -1;
    at = i;
  }
  return at;
}

/** A workload edited in place: its simulated pods handed out again (the others kept when provably the same, else re-simulated). */
function updateWorkload(prev: ClusterState, build: Build, objects: LoadedObject[], before: WorkloadModel, after: WorkloadModel): ClusterState | undefined {
  const w = onlyIndex(prev.workloads, (x) => x === before);
  if (w < 0) return undefined;
  const workloads = prev.workloads.slice();
  workloads[w] = after;
  const realPods = prev.pods.slice(0, build.realPods);
  const podCIDRs = prev.proxy.clusterCIDRs.length ? prev.proxy.clusterCIDRs : [DEFAULT_CLUSTER_CIDR];
  const previous = prev.pods.slice(build.realPods);
  // When keeping the other workloads' pods cannot be shown right, every workload's pods are handed out
  // again from the same inputs a full build reads (the rest of the state does not depend on them).
  const simulated = resimulateWorkload(previous, before, after, workloads, realPods, prev.nodes, podCIDRs) ?? keepSamePods(previous, simulatePods(workloads, realPods, prev.nodes, podCIDRs));
  return { ...prev, objects, workloads, pods: [...realPods, ...simulated] };
}

/**
 * A Service edited in place: a fresh model with its addresses handed out again; every other model is kept
 * when the Service holds the same addresses as before (see `reassignService`). Endpoints mirroring reads
 * the Service of the Endpoints object's name, so a Service with one builds anew.
 */
function updateService(prev: ClusterState, objects: LoadedObject[], was: LoadedObject, now: LoadedObject): ClusterState | undefined {
  const i = onlyIndex(prev.services, (s) => s.loaded === was);
  if (i < 0) return undefined;
  const ns = now.namespace ?? 'default';
  if (prev.objects.some((o) => o.kind === 'Endpoints' && o.name === now.name && (o.namespace ?? 'default') === ns)) return undefined;
  const after = serviceModel(now);
  const services = prev.services.slice();
  services[i] = after;
  if (!reassignService(services, prev.services[i]!, after, prev.serviceCIDRs, prev.nodePortRange)) return undefined;
  return { ...prev, objects, services };
}

/**
 * A Pod edited in place: a fresh model; every other pod (simulated ones included) is kept when the Pod
 * feeds the rest of the build the same: the same written addresses, node and host networking, given or
 * assumed status alike (an assumed Pod then gets the addresses and node it got before), and the same
 * answer to every workload selector of its namespace (whether a workload is simulated depends on it).
 */
function updatePod(prev: ClusterState, build: Build, objects: LoadedObject[], was: LoadedObject, now: LoadedObject): ClusterState | undefined {
  const i = onlyIndex(prev.pods, (p) => p.loaded === was, build.realPods);
  if (i < 0) return undefined;
  const written = podModel(was);
  const after = podModel(now);
  const assumed = (o: LoadedObject) => o.object['status'] === undefined;
  if (assumed(was) !== assumed(now) || written.nodeName !== after.nodeName || written.hostNetwork !== after.hostNetwork || written.ips.join() !== after.ips.join()) return undefined;
  for (const w of prev.workloads) {
    if (w.namespace === after.namespace && w.selector && matchesLabelSelector(w.selector, written.labels) !== matchesLabelSelector(w.selector, after.labels)) return undefined;
  }
  const before = prev.pods[i]!;
  if (assumed(now)) runAssumed(after, before.nodeName, before.ips);
  const pods = prev.pods.slice();
  pods[i] = after;
  return { ...prev, objects, pods };
}

/**
 * A given EndpointSlice edited in place (an endpoint's conditions, addresses, ports): its normalised copy
 * swapped in at its place. Nothing else reads a given slice except Endpoints mirroring, which only asks
 * whether some slice is labelled for the Endpoints object's Service: the same answer while the label is.
 */
function updateSlice(prev: ClusterState, objects: LoadedObject[], was: LoadedObject, now: LoadedObject): ClusterState | undefined {
  const i = onlyIndex(prev.slices, (g) => g.loaded === was);
  if (i < 0) return undefined;
  const after = givenSlice(now);
  const label = (g: GivenSlice) => dig(g.slice, 'metadata', 'labels', 'kubernetes.io/service-name');
  if (label(after) !== label(prev.slices[i]!)) return undefined;
  const slices = prev.slices.slice();
  slices[i] = after;
  return { ...prev, objects, slices };
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


