/** Cluster DNS as the CoreDNS kubernetes plugin serves it (kubernetes/dns docs/specification.md). */
import type { ObjRef } from '../model/types';

export type RecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'PTR';

/** How the cluster's DNS is set up. */
export interface DnsOptions {
  /** The cluster domain (kubelet --cluster-domain, CoreDNS zone). Default `cluster.local`. */
  clusterDomain?: string;
  /**
   * CoreDNS `pods` mode for `a-b-c-d.NS.pod.ZONE` names: `insecure` (kubeadm's Corefile: any IP answers),
   * `verified` (a pod with that IP must exist in NS) or `disabled`. Default `insecure`.
   */
  podMode?: 'insecure' | 'verified' | 'disabled';
  /** CoreDNS `endpoint_pod_names`: endpoints without a hostname are named after their pod, not their IP. */
  endpointPodNames?: boolean;
}

export interface DnsRecord {
  /** Owner name, fully qualified, with the trailing dot. */
  name: string;
  type: RecordType;
  /** A/AAAA: the address; CNAME/PTR: the target name; SRV: the target name. */
  value: string;
  /** SRV only. */
  port?: number;
  priority?: number;
  weight?: number;
  /** The Service the record belongs to. */
  service?: ObjRef;
  /** For endpoint records: the pod behind the address, when the EndpointSlice names one. */
  pod?: string;
  /** The address is one ksd assigned (the manifest leaves the cluster IP out), not one read from it. */
  assigned?: boolean;
}

export type Rcode = 'NOERROR' | 'NXDOMAIN';

/** The answer cluster DNS gives to one fully qualified name. */
export interface LookupResult {
  name: string;
  rcode: Rcode;
  /** Records of the asked types (empty with NOERROR: the name exists but has no such record, NODATA). */
  records: DnsRecord[];
  /** True when the name is outside the cluster domain: CoreDNS forwards it upstream; we cannot answer offline. */
  upstream: boolean;
  /** Why, in words, when there is no answer. */
  note?: string;
}

/** A pod's resolver settings (its /etc/resolv.conf). */
export interface ResolverConfig {
  /** `ClusterFirst` and friends, as written or defaulted. */
  dnsPolicy: string;
  /** Whether queries go to cluster DNS at all (false: the node's resolver, which knows no Service names). */
  clusterDNS: boolean;
  search: string[];
  ndots: number;
  /** Notes on how the config was derived (hostNetwork fallbacks, dnsConfig merges). */
  notes: string[];
}

export interface ResolveAttempt {
  name: string;
  outcome: 'answer' | 'nxdomain' | 'nodata' | 'upstream';
  /** Why the name gave no answer (from the lookup). */
  note?: string;
}

/** A name resolved as a pod would: through the search list, first answer wins. */
export interface Resolution {
  query: string;
  namespace: string;
  config: ResolverConfig;
  types: RecordType[];
  attempts: ResolveAttempt[];
  /** The lookup that answered (undefined when none did or the name left the cluster). */
  answer?: LookupResult;
  /** The candidate forwarded upstream, when the search reached a name outside the cluster domain. */
  upstream?: string;
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
