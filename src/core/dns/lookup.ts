/**
 * One DNS question answered as the CoreDNS kubernetes plugin answers it (plugin/kubernetes: parseRequest,
 * findServices, findPods, Reverse), from the cluster state instead of informers.
 */
import { servicesNamed, servicesWithMaster } from '../model/master';
import { ipFamily } from '../net/ip';
import type { ClusterState, ServiceModel } from '../model/types';
import { absolute, clusterZone, endpointHostname, isDomainName, labelsBelow, podLabelIP, reverseToIP, serviceName } from './names';
import { readyEndpoints } from './sliceEndpoints';
import type { DnsOptions, DnsRecord, LookupResult, RecordType } from './types';

/** A matched answer before it becomes records: an address and port (CoreDNS msg.Service), or a CNAME. */
interface Hit {
  host: string;
  port: number;
  /** SRV target for this hit. */
  target: string;
  service: ServiceModel;
  pod?: string;
  cname?: boolean;
}

const MAX_LABEL = 63;

export function lookup(state: ClusterState, name: string, types: readonly RecordType[], options: DnsOptions = {}): LookupResult {
  const qname = absolute(name);
  const zone = clusterZone(options);
  const reverseIP = reverseToIP(qname);
  if (reverseIP) return reverseLookup(state, qname, reverseIP, types, zone, options);
  const labels = labelsBelow(qname, zone);
  if (!labels) return { name: qname, rcode: 'NOERROR', records: [], upstream: true, note: `outside the cluster domain ${zone}: CoreDNS forwards it to the upstream resolver` };
  if (labels.some((l) => l === '' || l.length > MAX_LABEL)) return nx(qname, 'not a valid DNS name');
  const kind = labels[labels.length - 1];
  if (kind === undefined) return nodata(qname, 'the cluster zone apex');
  if (kind !== 'svc' && kind !== 'pod') return nx(qname, `names in ${zone} are SERVICE.NAMESPACE.svc.${zone} or IP.NAMESPACE.pod.${zone}`);
  const namespace = labels[labels.length - 2];
  if (namespace === undefined) return nodata(qname, `the ${kind}.${zone} apex`);
  if (!state.namespaces.includes(namespace)) return nx(qname, `namespace "${namespace}" does not exist`);
  const service = labels[labels.length - 3];
  if (service === undefined) return nodata(qname, `namespace "${namespace}" exists but the name has no ${kind === 'svc' ? 'Service' : 'pod'} part`);
  const extra = labels.slice(0, -3);
  if (extra.length > 2) return nx(qname, 'too many labels for a cluster name');
  const req = { port: '', protocol: '', endpoint: '' };
  if (extra.length === 1) req.endpoint = extra[0]!;
  if (extra.length === 2) {
    req.port = extra[0]!.replace(/^_/, '');
    req.protocol = extra[1]!.replace(/^_/, '');
  }
  if (kind === 'pod') return podLookup(state, qname, namespace, service, types, options);
  const hits = findServices(state, namespace, service, req, zone, options);
  if (!hits.length) return nx(qname, noServiceNote(state, namespace, service, req));
  return { name: qname, rcode: 'NOERROR', records: toRecords(qname, hits, types), upstream: false };
}

function nx(name: string, note: string): LookupResult {
  return { name, rcode: 'NXDOMAIN', records: [], upstream: false, note };
}
function nodata(name: string, note: string): LookupResult {
  return { name, rcode: 'NOERROR', records: [], upstream: false, note };
}

function findServices(state: ClusterState, namespace: string, name: string, req: { port: string; protocol: string; endpoint: string }, zone: string, options: DnsOptions): Hit[] {
  const hits: Hit[] = [];
  for (const svc of servicesNamed(state, namespace, name)) {
    const fqdn = serviceName(svc, zone);
    if (svc.type === 'ExternalName') {
      // An ExternalName Service has no endpoints; an address as externalName makes no CNAME at all.
      if (req.endpoint || !svc.externalName || !isDomainName(svc.externalName)) continue;
      hits.push({ host: absolute(svc.externalName), port: 0, target: absolute(svc.externalName), service: svc, cname: true });
      continue;
    }
    if (svc.headless || req.endpoint) {
      for (const ep of readyEndpoints(state, svc)) {
        const host = endpointHostname(ep.ip, ep.hostname, ep.pod, options).toLowerCase();
        if (req.endpoint && req.endpoint !== host) continue;
        for (const p of ep.ports) {
          if (!portMatches(req, p.name, p.protocol)) continue;
          hits.push({ host: ep.ip, port: p.port, target: `${host}.${fqdn}`, service: svc, pod: ep.pod });
        }
      }
      continue;
    }
    for (const p of svc.ports) {
      if (!portMatches(req, p.name, p.protocol)) continue;
      for (const ip of svc.clusterIPs) hits.push({ host: ip, port: p.port, target: fqdn, service: svc });
    }
  }
  return hits;
}

/** matchPortAndProtocol: an empty request part matches anything; names compare case-insensitively. */
function portMatches(req: { port: string; protocol: string }, name: string, protocol: string): boolean {
  return (req.port === '' || req.port === name.toLowerCase()) && (req.protocol === '' || req.protocol === protocol.toLowerCase());
}

function toRecords(qname: string, hits: Hit[], types: readonly RecordType[]): DnsRecord[] {
  const out: DnsRecord[] = [];
  const ref = (h: Hit) => ({ namespace: h.service.namespace, name: h.service.name });
  const cname = hits.find((h) => h.cname);
  if (cname) return [{ name: qname, type: 'CNAME', value: cname.host, service: ref(cname) }];
  const seen = new Set<string>();
  for (const t of types) {
    if (t === 'A' || t === 'AAAA') {
      for (const h of hits) {
        const fam = ipFamily(h.host);
        if ((t === 'A' && fam !== 'IPv4') || (t === 'AAAA' && fam !== 'IPv6')) continue;
        const key = `${t}|${h.host}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name: qname, type: t, value: h.host, service: ref(h), ...(h.pod ? { pod: h.pod } : {}), ...(!h.pod && h.service.clusterIPAssigned ? { assigned: true } : {}) });
      }
    } else if (t === 'SRV') {
      // CoreDNS skips port -1 (no ports declared) and splits weight 100 evenly (at least 1).
      const srv = hits.filter((h) => h.port >= 0);
      const weight = Math.max(1, Math.floor(100 / Math.max(1, srv.length)));
      for (const h of srv) {
        const key = `SRV|${h.target}|${h.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name: qname, type: 'SRV', value: h.target, port: h.port, priority: 0, weight, service: ref(h), ...(h.pod ? { pod: h.pod } : {}) });
      }
    }
  }
  return out;
}

function podLookup(state: ClusterState, qname: string, namespace: string, label: string, types: readonly RecordType[], options: DnsOptions): LookupResult {
  const mode = options.podMode ?? 'insecure';
  if (mode === 'disabled') return nx(qname, 'pod records are disabled in this CoreDNS configuration');
  const ip = podLabelIP(label);
  if (!ip) return nx(qname, `"${label}" is not an address written with dashes (a-b-c-d)`);
  let pod: string | undefined;
  if (mode === 'verified') {
    const p = state.pods.find((x) => x.namespace === namespace && x.ips.includes(ip));
    if (!p) return nx(qname, `no pod in namespace ${namespace} has IP ${ip} (pods verified)`);
    pod = p.name;
  }
  const t = ipFamily(ip) === 'IPv6' ? 'AAAA' : 'A';
  const records: DnsRecord[] = types.includes(t) ? [{ name: qname, type: t, value: ip, ...(pod ? { pod } : {}) }] : [];
  return { name: qname, rcode: 'NOERROR', records, upstream: false, ...(mode === 'insecure' ? { note: 'pods insecure: any address written this way answers, pod or not' } : {}) };
}

function reverseLookup(state: ClusterState, qname: string, ip: string, types: readonly RecordType[], zone: string, options: DnsOptions): LookupResult {
  if (!types.includes('PTR')) return nodata(qname, 'a reverse name has only PTR records');
  const { services } = servicesWithMaster(state);
  // Cluster IPs first; only when none matches, the endpoints of every Service.
  const svc = services.find((s) => s.type !== 'ExternalName' && !s.headless && s.clusterIPs.includes(ip));
  if (svc) return { name: qname, rcode: 'NOERROR', records: [{ name: qname, type: 'PTR', value: serviceName(svc, zone), service: { namespace: svc.namespace, name: svc.name } }], upstream: false };
  const records: DnsRecord[] = [];
  for (const s of services) {
    if (s.type === 'ExternalName') continue;
    for (const ep of readyEndpoints(state, s)) {
      if (ep.ip !== ip) continue;
      const value = `${endpointHostname(ep.ip, ep.hostname, ep.pod, options).toLowerCase()}.${serviceName(s, zone)}`;
      if (!records.some((r) => r.value === value)) records.push({ name: qname, type: 'PTR', value, service: { namespace: s.namespace, name: s.name }, ...(ep.pod ? { pod: ep.pod } : {}) });
    }
  }
  if (records.length) return { name: qname, rcode: 'NOERROR', records, upstream: false };
  return { name: qname, rcode: 'NOERROR', records: [], upstream: true, note: `${ip} is no cluster IP or ready endpoint: CoreDNS falls through to the upstream resolver` };
}

function noServiceNote(state: ClusterState, namespace: string, name: string, req: { port: string; protocol: string; endpoint: string }): string {
  const { services } = servicesWithMaster(state);
  const svc = services.find((s) => s.namespace.toLowerCase() === namespace && s.name.toLowerCase() === name);
  if (!svc) {
    const elsewhere = services.filter((s) => s.name.toLowerCase() === name).map((s) => s.namespace);
    return `no Service "${name}" in namespace ${namespace}${elsewhere.length ? ` (there is one in ${elsewhere.join(', ')})` : ''}`;
  }
  if (svc.type === 'ExternalName') return req.endpoint ? 'an ExternalName Service has no endpoints' : `externalName "${svc.externalName ?? ''}" is not a DNS name, so there is no CNAME`;
  if (req.port || req.protocol) {
    const ports = svc.ports.filter((p) => p.name).map((p) => `_${p.name}._${p.protocol.toLowerCase()}`);
    return `the Service has no port named "${req.port}" with protocol ${req.protocol.toUpperCase()}${ports.length ? ` (SRV names: ${ports.join(', ')})` : ' (it has no named ports)'}`;
  }
  if (req.endpoint) return `no ready endpoint of the Service is named "${req.endpoint}"`;
  if (svc.headless) return 'the headless Service has no ready endpoints';
  if (!svc.ports.length) return 'the Service declares no ports, and CoreDNS answers only through its ports';
  return 'the Service has no cluster IP';
}


