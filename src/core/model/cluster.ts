/** Builds the cluster state every analysis reads, from loaded objects. */
import type { LoadedObject } from '../manifest/load';
import { parseYaml } from '../yaml/parse';
import { canonicalCIDR } from '../net/ip';
import { assignAddresses } from './allocate';
import { givenSlice, nodeModel, podModel, serviceModel, workloadModel } from './memo';
import { mirrorEndpoints, shouldMirror } from './mirror';
import { bool, dig, int, rec, str, strList } from './read';
import { assumeRunning, simulatePods } from './simulate';
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

export function buildClusterState(objects: LoadedObject[], options: ClusterOptions = {}): ClusterState {
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
  return {
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


