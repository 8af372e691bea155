/**
 * A Service port whose endpoints all went, or all came, between the node's kube-proxy table and the
 * expected one. Per pkg/proxy/nftables/proxier.go, a port with no endpoints at all gets only
 * `no-endpoint-services` elements (cluster, external and load-balancer IPs) and a `no-endpoint-nodeports`
 * element, each commented with the port's name and verdict `goto reject-chain`, and no service-, local-,
 * external- or endpoint- chains. With endpoints, the same addresses are `service-ips` / `service-nodeports`
 * elements going to its chains (and, with externalTrafficPolicy Local and no endpoint on the node,
 * `drop` elements in the no-endpoint maps). This pairs the two forms by the keys they share.
 */
import type { StaleEndpoint } from '../diff';
import { canonicalWord } from './key';
import { serviceOfName, type NftEndpointRef } from './endpoints';
import type { NftElement, NftTable } from './types';

/** What an element or chain of an all-or-nothing change is filed under. */
export interface NftMove {
  service: string;
  kind: StaleEndpoint['kind'];
  endpoints: NftEndpointRef[];
}

export interface NftTransitions {
  /** Service ports whose endpoint objects count as known to both sides. */
  services: Set<string>;
  elements: { expected: Map<NftElement, NftMove>; actual: Map<NftElement, NftMove> };
  /** The port's service-/local-/external- chains on the side with endpoints. */
  chains: { expected: Map<string, NftMove>; actual: Map<string, NftMove> };
}

/** The maps a captured address is in, by what the no-endpoint form uses instead. */
const PAIRS: Record<string, string> = { 'service-ips': 'no-endpoint-services', 'service-nodeports': 'no-endpoint-nodeports' };
const NO_ENDPOINT_MAPS = new Set(Object.values(PAIRS));

const keyOf = (map: string, e: NftElement) => `${map}|${e.key.map(canonicalWord).join(' . ')}`;
const words = (v: string | undefined) => (v ?? '').trim().split(/\s+/).join(' ');
const isReject = (e: NftElement) => words(e.value) === 'goto reject-chain';

interface Capture {
  /** `no-endpoint-map|key` -> the elements of this port on the side with endpoints. */
  byKey: Map<string, NftElement[]>;
  /** Whether this side rejects the port as having no endpoints. */
  rejects: boolean;
}

/** Per service port: what the side captures for it (entries into its chains, drops for no local endpoint). */
function captures(t: NftTable): Map<string, Capture> {
  const out = new Map<string, Capture>();
  const of = (svc: string) => {
    let c = out.get(svc);
    if (!c) out.set(svc, (c = { byKey: new Map(), rejects: false }));
    return c;
  };
  const add = (svc: string, key: string, e: NftElement) => {
    const c = of(svc);
    c.byKey.set(key, [...(c.byKey.get(key) ?? []), e]);
  };
  for (const [map, noMap] of Object.entries(PAIRS))
    for (const e of t.sets.get(map)?.elements ?? []) {
      const target = /^(?:goto|jump) (\S+)$/.exec(words(e.value))?.[1];
      const svc = target ? serviceOfName(target) : undefined;
      if (svc !== undefined) add(svc, keyOf(noMap, e), e);
    }
  for (const map of NO_ENDPOINT_MAPS)
    for (const e of t.sets.get(map)?.elements ?? []) {
      if (e.comment === undefined) continue;
      if (isReject(e)) of(e.comment).rejects = true;
      add(e.comment, keyOf(map, e), e);
    }
  return out;
}

/**
 * Service ports with endpoints on one side and only `goto reject-chain` elements on the other, paired by
 * the addresses both capture: their elements and chains, for the diff to file under the port's endpoints.
 */
export function nftTransitions(expected: NftTable, actual: NftTable, ek: { endpoints: Set<string> }, ak: { endpoints: Set<string> }): NftTransitions {
  const out: NftTransitions = { services: new Set(), elements: { expected: new Map(), actual: new Map() }, chains: { expected: new Map(), actual: new Map() } };
  const byService = (eps: Set<string>) => {
    const m = new Map<string, NftEndpointRef[]>();
    for (const tag of eps) {
      const bar = tag.indexOf('|');
      const service = tag.slice(0, bar);
      m.set(service, [...(m.get(service) ?? []), { service, endpoint: tag.slice(bar + 1) }]);
    }
    return m;
  };
  const expEps = byService(ek.endpoints);
  const actEps = byService(ak.endpoints);
  const expCap = captures(expected);
  const actCap = captures(actual);
  const portChains = (t: NftTable) => {
    const m = new Map<string, string[]>();
    for (const name of t.chains.keys()) {
      const svc = /^(?:service|local|external)-/.test(name) ? serviceOfName(name) : undefined;
      if (svc !== undefined) m.set(svc, [...(m.get(svc) ?? []), name]);
    }
    return m;
  };
  const chainsOf = new Map<NftTable, Map<string, string[]>>();
  const sides = [
    { kind: 'in-rules-only' as const, withEps: actual, eps: actEps, epsCap: actCap, bareEps: expEps, bareCap: expCap, own: 'actual' as const, bare: 'expected' as const },
    { kind: 'expected-only' as const, withEps: expected, eps: expEps, epsCap: expCap, bareEps: actEps, bareCap: actCap, own: 'expected' as const, bare: 'actual' as const },
  ];
  for (const s of sides)
    for (const [service, bareCap] of s.bareCap) {
      const endpoints = s.eps.get(service);
      const cap = s.epsCap.get(service);
      if (!bareCap.rejects || !endpoints || !cap || cap.rejects || s.bareEps.has(service)) continue;
      const move: NftMove = { service, kind: s.kind, endpoints: endpoints.sort((a, b) => a.endpoint.localeCompare(b.endpoint)) };
      let paired = false;
      for (const [key, bareElems] of bareCap.byKey) {
        const mine = cap.byKey.get(key);
        if (!mine) continue;
        paired = true;
        for (const e of mine) out.elements[s.own].set(e, move);
        for (const e of bareElems) out.elements[s.bare].set(e, move);
      }
      // No address in common: not the same port seen twice.
      if (!paired) continue;
      out.services.add(service);
      let chains = chainsOf.get(s.withEps);
      if (!chains) chainsOf.set(s.withEps, (chains = portChains(s.withEps)));
      for (const name of chains.get(service) ?? []) out.chains[s.own].set(name, move);
    }
  return out;
}
