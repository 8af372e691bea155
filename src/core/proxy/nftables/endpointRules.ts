/**
 * How a service chain reaches its endpoints (pkg/proxy/nftables/proxier.go writeServiceToEndpointDNATs /
 * writeServiceToEndpointJumps). Without session affinity, v1.36 DNATs straight from the service chain
 * through a numgen map of `address . port` (kubernetes #135800/#136499); with ClientIP affinity, every
 * release jumps to per-endpoint chains that record the client in the endpoint's affinity set.
 */
import type { ProxyEndpoint } from '../types';
import type { NftTransaction } from './transaction';

type EndpointNames = (ep: ProxyEndpoint) => { chain: string; affinitySet: string };

/** `meta l4proto tcp dnat ip addr . port to numgen random mod N map { 0 : 10.0.0.1 . 80 , ... }` (v1.36). */
export function writeEndpointDNATs(tx: NftTransaction, protocol: string, chain: string, endpoints: ProxyEndpoint[], ipX: 'ip' | 'ip6'): void {
  const elements = endpoints.map((ep, i) => `${i} : ${ep.ip} . ${ep.port}`).join(' , ');
  tx.addRule(chain, `meta l4proto ${protocol} dnat ${ipX} addr . port to numgen random mod ${endpoints.length} map { ${elements} }`);
}

/** One `ip saddr @affinity-X goto endpoint-X` rule per endpoint, then the numgen vmap over the endpoint chains. */
export function writeEndpointJumps(tx: NftTransaction, chain: string, endpoints: ProxyEndpoint[], ipX: 'ip' | 'ip6', epNames: EndpointNames): void {
  for (const ep of endpoints) {
    const n = epNames(ep);
    tx.addRule(chain, `${ipX} saddr @${n.affinitySet} goto ${n.chain}`);
  }
  tx.addRule(chain, numgenVmap(endpoints, epNames));
}

/** `numgen random mod N vmap { 0 : goto endpoint-A , 1 : goto endpoint-B }`. */
export function numgenVmap(endpoints: ProxyEndpoint[], epNames: (ep: ProxyEndpoint) => { chain: string }): string {
  const elements = endpoints.map((ep, i) => `${i} : goto ${epNames(ep).chain}`).join(' , ');
  return `numgen random mod ${endpoints.length} vmap { ${elements} }`;
}
