/**
 * kube-proxy's view of Services and endpoints, shared by every renderer (iptables, nftables, IPVS)
 * and the tracer. Mirrors pkg/proxy (serviceport.go, endpoint.go, endpointslicecache.go, topology.go).
 */
import type { IPFamily, Protocol, ServiceModel } from '../model/types';

/** The node whose rules are computed (kube-proxy's hostname, node IP and topology labels). */
export interface ProxyNode {
  name: string;
  /** The node's addresses (InternalIP, ExternalIP), canonical. */
  ips: string[];
  /** kube-proxy's node IP for a family (the first address of that family), if any. */
  primaryIP: Partial<Record<IPFamily, string>>;
  zone?: string;
  podCIDRs: string[];
  /** True when no Node object was given and a stand-in node is used. */
  placeholder: boolean;
}

/** How kube-proxy tells pod traffic from other traffic (pkg/proxy/util/localdetector.go). */
export interface LocalDetector {
  mode: 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | 'None';
  /** iptables match words for "from a local pod", e.g. ["-s", "10.0.0.0/8"]; empty when not implemented. */
  ifLocal: string[];
  ifNotLocal: string[];
  /** The CIDR, bridge or prefix the detector uses (for other renderers). */
  cidr?: string;
  iface?: string;
  /** Why the detector is a no-op, when it is. */
  reason?: string;
}

/** One Service port for one IP family, as BaseServicePortInfo holds it. */
export interface ServicePortInfo {
  service: ServiceModel;
  namespace: string;
  name: string;
  /** The Service port name ("" when unnamed). */
  portName: string;
  /** ServicePortName.String(): "ns/svc" plus ":port" when the port is named. */
  nameString: string;
  protocol: Protocol;
  family: IPFamily;
  clusterIP: string;
  port: number;
  nodePort: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress IPs of this family with ipMode VIP (or unset). */
  loadBalancerVIPs: string[];
  /** spec.loadBalancerSourceRanges of this family, trimmed and canonical (IPNet.String()). */
  loadBalancerSourceRanges: string[];
  sessionAffinity: 'None' | 'ClientIP';
  /** ClientIP affinity timeout; 0 without ClientIP affinity. */
  stickyMaxAgeSeconds: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  healthCheckNodePort: number;
  externallyAccessible: boolean;
  usesClusterEndpoints: boolean;
  usesLocalEndpoints: boolean;
}

/** One endpoint of a Service port as kube-proxy keeps it (BaseEndpointInfo). */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** net.JoinHostPort(ip, port): "10.0.0.1:80", "[fd00::1]:80". */
  hostPort: string;
  isLocal: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  zoneHints: string[];
  nodeHints: string[];
  nodeName?: string;
  zone?: string;
  /** The pod behind the endpoint, when the slice names one. */
  pod?: string;
}

/** The result of CategorizeEndpoints for one Service port on one node. */
export interface CategorizedEndpoints {
  clusterEndpoints: ProxyEndpoint[];
  localEndpoints: ProxyEndpoint[];
  /** Union of the two, sorted by "ip:port" (kube-proxy builds it from a Go map: its order is unspecified). */
  allReachableEndpoints: ProxyEndpoint[];
  hasAnyEndpoints: boolean;
  /** "", "PreferSameZone" or "PreferSameNode". */
  topologyMode: string;
}

/** A Service port with its endpoints and what this node does with them. */
export interface ProxiedServicePort {
  info: ServicePortInfo;
  /** Every endpoint (deduplicated, sorted by "ip:port"). */
  endpoints: ProxyEndpoint[];
  categorized: CategorizedEndpoints;
}

export interface ProxyOptions {
  family: IPFamily;
  /** Node name; default the first Node given, else a placeholder. */
  node?: string;
  /** The kube-proxy minor release (1.x) whose topology gates apply (topologyGates); default the newest. */
  kubeProxyMinor?: number;
}

/** Everything a single-family proxier needs for one sync. */
export interface ProxyModel {
  family: IPFamily;
  node: ProxyNode;
  detector: LocalDetector;
  /** Sorted by service-port name then protocol (kube-proxy iterates a Go map). */
  ports: ProxiedServicePort[];
  /** Sum of endpoints over all service ports (large-cluster mode threshold). */
  totalEndpoints: number;
}
