/** Endpoints of one Service port, merged from EndpointSlices as pkg/proxy/endpointslicecache.go does. */
import { addressOfFamily } from './address';
import type { V1EndpointSlice } from '../model/k8s';
import type { ServicePortInfo, ProxyEndpoint } from './types';

/**
 * For each slice port whose name and protocol match the Service port: each endpoint's first address
 * (of this family), deduplicated by "ip:port" with a local endpoint winning, sorted by that string.
 * A slice port without a port number is skipped; an unset name means "" (the API server's default).
 */
export function endpointsForServicePort(slices: readonly V1EndpointSlice[], info: ServicePortInfo, nodeName: string): ProxyEndpoint[] {
  const all: ProxyEndpoint[] = [];
  for (const slice of slices) {
    if (slice.metadata?.labels?.['kubernetes.io/service-name'] !== info.name) continue;
    for (const port of slice.ports ?? []) {
      const portNum = port.port;
      if (typeof portNum !== 'number' || portNum === 0) continue;
      if ((port.name ?? '') !== info.portName || (port.protocol ?? 'TCP') !== info.protocol) continue;
      for (const ep of slice.endpoints ?? []) {
        const ip = addressOfFamily(ep.addresses?.[0], info.family);
        if (ip === undefined) continue;
        const isLocal = typeof ep.nodeName === 'string' && ep.nodeName === nodeName;
        const c = ep.conditions ?? {};
        const hostPort = info.family === 'IPv4' ? `${ip}:${portNum}` : `[${ip}]:${portNum}`;
        all.push({
          ip,
          port: portNum,
          hostPort,
          isLocal,
          ready: c.ready === undefined || c.ready === null || c.ready === true,
          serving: c.serving === undefined || c.serving === null || c.serving === true,
          terminating: c.terminating === true,
          zoneHints: ep.hints ? hintNames(ep.hints.forZones) : NONE,
          nodeHints: ep.hints ? hintNames((ep.hints as { forNodes?: { name: string }[] }).forNodes) : NONE,
          nodeName: ep.nodeName ?? undefined,
          zone: ep.zone ?? undefined,
          pod: ep.targetRef?.name ? `${ep.targetRef.namespace ?? slice.metadata?.namespace ?? ''}/${ep.targetRef.name}` : undefined,
        });
      }
    }
  }
  if (all.length < 2) return all;
  // Sorted (stably), then deduplicated: of the endpoints with one "ip:port" the first is kept unless a
  // later one is local (the last local one wins), as a map filled in slice order would keep.
  all.sort(byHostPort);
  let kept = 0;
  for (let i = 0; i < all.length; ) {
    let pick = all[i]!;
    let j = i + 1;
    for (; j < all.length && all[j]!.hostPort === pick.hostPort; j++) if (all[j]!.isLocal) pick = all[j]!;
    all[kept++] = pick;
    i = j;
  }
  all.length = kept;
  return all;
}

function byHostPort(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return compareStrings(a.hostPort, b.hostPort);
}

const NONE: string[] = [];

function hintNames(hints: { name: string }[] | undefined): string[] {
  if (!Array.isArray(hints) || !hints.length) return NONE;
  return hints.map((h) => h?.name).filter((n): n is string => typeof n === 'string');
}

/** Byte-wise string order, as Go's sort on strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
