/**
 * Kubernetes object types, taken from @kubernetes/client-node as types only (the core stays pure).
 * Manifests are JSON-shaped, so timestamps arrive as strings where the client types say Date.
 */
export type {
  V1Service,
  V1ServicePort,
  V1ServiceSpec,
  V1Pod,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Container,
  V1ContainerPort,
  V1EndpointSlice,
  V1Endpoint,
  V1EndpointConditions,
  CoreV1EndpointPort,
  DiscoveryV1EndpointPort,
  V1Endpoints,
  V1Deployment,
  V1ReplicaSet,
  V1StatefulSet,
  V1DaemonSet,
  V1ReplicationController,
  V1Job,
  V1CronJob,
  V1Node,
  V1Namespace,
  V1Ingress,
  V1LabelSelector,
  V1LabelSelectorRequirement,
  V1ObjectMeta,
  V1NetworkPolicy,
  KubernetesObject,
} from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/** networking.k8s.io/v1 ServiceCIDR (not in the client's generated models at the pinned version). */
export interface V1ServiceCIDR {
  apiVersion: string;
  kind: 'ServiceCIDR';
  metadata?: { name?: string };
  spec?: { cidrs?: string[] };
}

/** kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration: the fields the simulator uses. */
export interface KubeProxyConfiguration {
  apiVersion: string;
  kind: 'KubeProxyConfiguration';
  mode?: string;
  clusterCIDR?: string;
  detectLocalMode?: string;
  detectLocal?: { bridgeInterface?: string; interfaceNamePrefix?: string };
  nodePortAddresses?: string[];
  hostnameOverride?: string;
  iptables?: { masqueradeAll?: boolean; masqueradeBit?: number; localhostNodePorts?: boolean; syncPeriod?: string; minSyncPeriod?: string };
  nftables?: { masqueradeAll?: boolean; masqueradeBit?: number };
  ipvs?: { scheduler?: string; strictARP?: boolean; excludeCIDRs?: string[] };
  conntrack?: { tcpBeLiberal?: boolean; maxPerCore?: number };
  featureGates?: Record<string, boolean>;
}

/** gateway.networking.k8s.io HTTPRoute: the backend references we check. */
export interface HTTPRoute {
  apiVersion: string;
  kind: 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'UDPRoute' | 'TLSRoute';
  metadata?: { name?: string; namespace?: string };
  spec?: {
    rules?: { backendRefs?: { group?: string; kind?: string; name?: string; namespace?: string; port?: number; weight?: number }[] }[];
  };
}
