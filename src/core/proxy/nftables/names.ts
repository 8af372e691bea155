/** nftables object names kube-proxy derives from service-port and endpoint names (pkg/proxy/nftables/proxier.go). */
import { hashBase32 } from '../sha256';
import type { ProxyEndpoint, ServicePortInfo } from '../types';

/** knftables.NameLengthMax (256) minus the longest chain-name prefix (16). */
const BASE_MAX = 256 - 16;

/** `base32(sha256(name))[:8] + "-" + name`, cut to 240 characters with "..." when longer. */
export function hashAndTruncate(name: string): string {
  let out = `${hashBase32(name).slice(0, 8)}-${name}`;
  if (out.length > BASE_MAX) out = out.slice(0, BASE_MAX - 3) + '...';
  return out;
}

/** `ns/svc/tcp/portName` hashed: the base of service-, local-, external- and firewall- chain names. */
export function servicePortChainBase(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'protocol' | 'portName'>): string {
  return hashAndTruncate(`${info.namespace}/${info.name}/${info.protocol.toLowerCase()}/${info.portName}`);
}

/** `ns/svc/tcp/portName__ip/port` hashed (IPv6 colons become dots): the base of endpoint- and affinity- names. */
export function endpointChainBase(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'protocol' | 'portName'>, ep: Pick<ProxyEndpoint, 'ip' | 'port'>): string {
  const ip = ep.ip.includes(':') ? ep.ip.replace(/:/g, '.') : ep.ip;
  return hashAndTruncate(`${info.namespace}/${info.name}/${info.protocol.toLowerCase()}/${info.portName}__${ip}/${ep.port}`);
}

export interface NftChainNames {
  cluster: string;
  local: string;
  external: string;
  firewall: string;
}

export function serviceChainNames(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'protocol' | 'portName'>): NftChainNames {
  const base = servicePortChainBase(info);
  return { cluster: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

export function endpointNames(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'protocol' | 'portName'>, ep: Pick<ProxyEndpoint, 'ip' | 'port'>): { chain: string; affinitySet: string } {
  const base = endpointChainBase(info, ep);
  return { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
}

