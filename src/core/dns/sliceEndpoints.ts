/** The endpoints CoreDNS publishes for a Service: ready ones from its EndpointSlices (given or computed). */
import { serviceEndpoints } from '../endpoints/service';
import type { ClusterState, ServiceModel } from '../model/types';

export interface DnsEndpoint {
  ip: string;
  hostname?: string;
  pod?: string;
  /** The slice's ports; a slice without ports gives CoreDNS's sentinel port -1. */
  ports: { name: string; port: number; protocol: string }[];
}

/**
 * As CoreDNS's EndpointSlice conversion: endpoints whose `ready` is unset or true (publishNotReadyAddresses
 * already made them ready), every address, the hostname, and the pod name when it fits a DNS label.
 */
export function readyEndpoints(state: ClusterState, svc: ServiceModel): DnsEndpoint[] {
  const out: DnsEndpoint[] = [];
  for (const slice of serviceEndpoints(state, svc).slices) {
    const ports = slice.ports?.length
      ? slice.ports.map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol ?? '' }))
      : [{ name: '', port: -1, protocol: '' }];
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      const pod = e.targetRef?.name && e.targetRef.name.length < 64 ? e.targetRef.name : undefined;
      for (const ip of e.addresses ?? []) {
        if (typeof ip !== 'string' || !ip) continue;
        out.push({ ip, ports, ...(e.hostname ? { hostname: e.hostname } : {}), ...(pod ? { pod } : {}) });
      }
    }
  }
  return out;
}
