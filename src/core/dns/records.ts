/** Every record cluster DNS holds for one Service (for views: hover, tree, `ksd dns`). */
import type { ClusterState, ServiceModel } from '../model/types';
import { lookup } from './lookup';
import { clusterZone, endpointHostname, hasClusterIP, reverseName, serviceName } from './names';
import { readyEndpoints } from './sliceEndpoints';
import type { DnsOptions, DnsRecord } from './types';

export function serviceRecords(state: ClusterState, svc: ServiceModel, options: DnsOptions = {}): DnsRecord[] {
  const zone = clusterZone(options);
  const fqdn = serviceName(svc, zone);
  const out: DnsRecord[] = [];
  const add = (records: DnsRecord[]) => {
    for (const r of records) if (!out.some((o) => o.name === r.name && o.type === r.type && o.value === r.value && o.port === r.port)) out.push(r);
  };
  add(lookup(state, fqdn, ['A', 'AAAA'], options).records);
  if (svc.type === 'ExternalName') return out;
  // SRV names exist only for named ports (`_name._proto.SERVICE...`).
  for (const p of svc.ports) if (p.name) add(lookup(state, `_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`, ['SRV'], options).records);
  // Endpoint names: every ready endpoint of a headless Service; endpoints with a hostname for others.
  const hosts = new Set<string>();
  for (const ep of readyEndpoints(state, svc)) {
    if (!svc.headless && !ep.hostname) continue;
    const host = endpointHostname(ep.ip, ep.hostname, ep.pod, options).toLowerCase();
    if (host) hosts.add(host);
  }
  for (const h of hosts) add(lookup(state, `${h}.${fqdn}`, ['A', 'AAAA'], options).records);
  if (hasClusterIP(svc)) {
    for (const ip of svc.clusterIPs) {
      const rev = reverseName(ip);
      if (rev) add(lookup(state, rev, ['PTR'], options).records);
    }
  }
  return out;
}
