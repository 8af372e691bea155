import type { LoadedObject } from '../manifest/load';
import type { KubeProxyConfiguration, V1EndpointSlice, V1LabelSelector, V1PodTemplateSpec } from './k8s';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type IPFamily = 'IPv4' | 'IPv6';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ObjRef {
  namespace: string;
  name: string;
}

/** A Service port after API-server defaulting and address assignment. */
export interface ServicePortModel {
  /** Index in spec.ports (for source ranges). */
  index: number;
  name: string;
  protocol: Protocol;
  port: number;
  /** A number, or a container port name. Defaults to `port`. */
  targetPort: number | string;
  targetPortDefaulted: boolean;
  /** 0 when the Service has no node port. */
  nodePort: number;
  /** True when the manifest left nodePort out and we picked it as the API server would. */
  nodePortAssigned: boolean;
  appProtocol?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  /** `VIP` (default) or `Proxy`. */
  ipMode?: string;
}

/** A Service as the API server stores it (defaults applied, addresses assigned). */
export interface ServiceModel extends ObjRef {
  uid?: string;
  labels: Record<string, string>;
  type: ServiceType;
  /** undefined: no selector (endpoints managed elsewhere). An empty map counts as no selector too. */
  selector: Record<string, string> | undefined;
  /** "None" for headless; the first of clusterIPs otherwise ("" for ExternalName). */
  clusterIP: string;
  clusterIPs: string[];
  clusterIPAssigned: boolean;
  headless: boolean;
  ipFamilies: IPFamily[];
  ipFamilyPolicy: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  ports: ServicePortModel[];
  externalIPs: string[];
  loadBalancerIngress: LoadBalancerIngress[];
  loadBalancerSourceRanges: string[];
  loadBalancerClass?: string;
  allocateLoadBalancerNodePorts: boolean;
  sessionAffinity: 'None' | 'ClientIP';
  /** ClientIP affinity timeout (API default 10800). */
  affinityTimeoutSeconds: number;
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  /** 0 unless type LoadBalancer with externalTrafficPolicy Local. */
  healthCheckNodePort: number;
  healthCheckNodePortAssigned: boolean;
  publishNotReadyAddresses: boolean;
  externalName?: string;
  trafficDistribution?: string;
  /** The service.kubernetes.io/topology-aware-hints annotation (deprecated), when present. */
  topologyAwareHints?: string;
  /** The service.kubernetes.io/topology-mode annotation, when present. */
  topologyMode?: string;
  loaded?: LoadedObject;
}

export interface ContainerPortModel {
  container: string;
  /** A native sidecar: an init container with restartPolicy Always. */
  sidecar: boolean;
  name?: string;
  containerPort: number;
  protocol: Protocol;
  hostPort?: number;
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PodModel extends ObjRef {
  uid?: string;
  labels: Record<string, string>;
  /** Primary IP ("" when none). */
  ip: string;
  ips: string[];
  nodeName?: string;
  phase?: string;
  conditions: PodCondition[];
  readinessGates: string[];
  terminating: boolean;
  hostname?: string;
  subdomain?: string;
  hostNetwork: boolean;
  enableServiceLinks: boolean;
  ports: ContainerPortModel[];
  /** The workload that owns (or would own) the pod. */
  owner?: { kind: string; name: string };
  /** Generated from a workload template because no real Pod was given. */
  simulated: boolean;
  /** Where the pod is written: the Pod itself, or the template of the workload that simulates it. */
  loaded?: LoadedObject;
}

export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'ReplicationController' | 'Job' | 'CronJob';

export interface WorkloadModel extends ObjRef {
  kind: WorkloadKind;
  /** LabelSelector (ReplicationController's map selector is converted to matchLabels). */
  selector: V1LabelSelector | undefined;
  templateLabels: Record<string, string>;
  template: V1PodTemplateSpec | undefined;
  /** Path to the pod template inside the object, for ranges and edits. */
  templatePath: string[];
  replicas: number;
  /** For StatefulSet: the governing Service. */
  serviceName?: string;
  loaded?: LoadedObject;
}

export interface NodeModel {
  name: string;
  labels: Record<string, string>;
  addresses: { type: string; address: string }[];
  /** InternalIP and ExternalIP addresses: the node's local IPs. */
  ips: string[];
  ready: boolean;
  zone?: string;
  podCIDRs: string[];
  /** status.nodeInfo.kubeletVersion as written (e.g. "v1.33.2"); kube-proxy follows its minor in practice. */
  kubeletVersion?: string;
  loaded?: LoadedObject;
}

/** An EndpointSlice given in the inputs, with where it was written. */
export interface GivenSlice {
  slice: V1EndpointSlice;
  loaded?: LoadedObject;
  /** Mirrored from a legacy Endpoints object. */
  mirroredFrom?: LoadedObject;
}

export interface ProxySettings {
  mode: 'iptables' | 'nftables' | 'ipvs';
  /** Pod network CIDRs (clusterCIDR, comma-separated in config). */
  clusterCIDRs: string[];
  detectLocalMode: 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | '';
  bridgeInterface?: string;
  interfaceNamePrefix?: string;
  nodePortAddresses: string[];
  masqueradeAll: boolean;
  masqueradeBit: number;
  localhostNodePorts: boolean;
  tcpBeLiberal: boolean;
  config?: KubeProxyConfiguration;
  loaded?: LoadedObject;
}

/** Everything the analyses need, whatever the source (manifests, live cluster, both). */
export interface ClusterState {
  objects: LoadedObject[];
  services: ServiceModel[];
  pods: PodModel[];
  workloads: WorkloadModel[];
  slices: GivenSlice[];
  nodes: NodeModel[];
  namespaces: string[];
  /** Service CIDRs (ServiceCIDR objects, or the default 10.96.0.0/12). */
  serviceCIDRs: string[];
  serviceCIDRsDefaulted: boolean;
  nodePortRange: { min: number; max: number };
  proxy: ProxySettings;
  ingresses: LoadedObject[];
  routes: LoadedObject[];
}

export interface ClusterOptions {
  serviceCIDRs?: string[];
  clusterCIDRs?: string[];
  nodePortRange?: { min: number; max: number };
  proxyMode?: ProxySettings['mode'];
  /** Generate pods from workload templates when no real Pod matches (default true). */
  simulatePods?: boolean;
}

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = { min: 30000, max: 32767 };
