/**
 * Which Service port and endpoint an nftables object of kube-proxy's table belongs to, read from names
 * (`endpoint-`/`affinity-` chains and sets, `service-`/`local-` chains) and from the endpoint addresses a
 * numgen fan-out holds: the v1.29-1.35 vmap over endpoint chains, and the v1.36 `dnat ... map` of
 * `address . port` written without endpoint chains. The nft diff uses this to report stale endpoints.
 */
import { canonicalWord, statementKey } from './key';
import type { NftRule, NftStatement, NftTable } from './types';

/** A service port (`ns/svc:port`, as the iptables diff names it) and one of its endpoints (`ip:port`, `[ip6]:port`). */
export interface NftEndpointRef {
  service: string;
  endpoint: string;
}

/** `ns/svc/tcp/port` -> `ns/svc:port` (kube-proxy's service-port name, as the iptables diff reports it). */
function servicePortName(base: string): string {
  const m = /^([^/]+)\/([^/]+)\/[a-z]+\/(.*)$/.exec(base);
  return m ? `${m[1]}/${m[2]}${m[3] ? `:${m[3]}` : ''}` : base;
}

const hostPort = (ip: string, port: string): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** `endpoint-HASH8-ns/svc/tcp/port__ip/port` (and `affinity-...`): the service port and `ip:port`. */
export function endpointOfName(name: string): NftEndpointRef | undefined {
  const m = /^(?:endpoint|affinity)-[A-Z2-7]{8}-(.+)__([^/]+)\/(\d+)$/.exec(name);
  if (!m) return undefined;
  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(m[2]!) ? m[2]! : m[2]!.replace(/\./g, ':');
  return { service: servicePortName(m[1]!), endpoint: hostPort(ip, m[3]!) };
}

/** `service-HASH8-ns/svc/tcp/port` (and local-, external-, firewall-): the service port. */
export function serviceOfName(name: string): string | undefined {
  const base = /^(?:service|local|external|firewall)-[A-Z2-7]{8}-(.+)$/.exec(name)?.[1];
  return base === undefined ? undefined : servicePortName(base);
}

/** `10.0.0.1 . 8080` (a v1.36 dnat map value) -> `10.0.0.1:8080`; undefined for anything else. */
export function endpointOfValue(value: string): string | undefined {
  const m = /^(\S+) \. (\d+)$/.exec(value.trim().split(/\s+/).join(' '));
  return m ? hostPort(canonicalWord(m[1]!), m[2]!) : undefined;
}

/** The chain a `goto X` / `jump X` value names. */
function targetOf(value: string): string | undefined {
  return /^(?:goto|jump)\s+(\S+)$/.exec(value.trim())?.[1];
}

/** Every chain or set a statement refers to. */
function references(s: NftStatement): string[] {
  const out: string[] = [];
  if (s.kind === 'verdict' && s.target) out.push(s.target);
  if (s.kind === 'update') out.push(s.set);
  if (s.kind === 'match' && s.value.kind === 'ref') out.push(s.value.name);
  if (s.kind === 'vmap' && s.map.kind === 'map')
    for (const e of s.map.entries) {
      const t = targetOf(e.value);
      if (t) out.push(t);
    }
  return out;
}

/** A modulus that is not the number of slots (some connections find no slot, or some slots none): part of the shape. */
function slotsMismatch(keys: string[], slots: number): string {
  const n = Number(/(\d+)$/.exec(keys[0] ?? '')?.[1]);
  return n === slots ? '' : ` mod ${n} over ${slots} slots`;
}

const isNumgen = (keys: string[]): boolean => keys.length === 1 && /^numgen random mod \d+$/.test(keys[0]!);

/**
 * A numgen fan-out rule: its shape (the rule's key with the fan-out's size and members left out, equal for
 * the same rule over another endpoint set) and the endpoints it spreads over. Undefined for other rules.
 */
export function fanOutOf(chain: string, r: NftRule): { shape: string; endpoints: NftEndpointRef[] } | undefined {
  const service = serviceOfName(chain);
  const endpoints: NftEndpointRef[] = [];
  const parts: string[] = [];
  let fans = false;
  for (const s of r.statements) {
    if (s.kind === 'vmap' && isNumgen(s.keys) && s.map.kind === 'map') {
      fans = true;
      parts.push(`numgen vmap${slotsMismatch(s.keys, s.map.entries.length)}`);
      for (const e of s.map.entries) {
        const target = targetOf(e.value);
        const ep = target ? endpointOfName(target) : undefined;
        // A slot that is not an endpoint chain is part of the rule's meaning, not of the endpoint set.
        if (ep) endpoints.push(ep);
        else parts.push(`slot ${e.value.trim()}`);
      }
      continue;
    }
    if (s.kind === 'dnat-map' && isNumgen(s.keys) && service !== undefined) {
      fans = true;
      parts.push(`dnat numgen map${slotsMismatch(s.keys, s.entries.length)}`);
      for (const e of s.entries) {
        const ep = endpointOfValue(e.value);
        if (ep) endpoints.push({ service, endpoint: ep });
        else parts.push(`slot ${e.value.trim()}`);
      }
      continue;
    }
    const k = statementKey(s);
    if (k !== undefined) parts.push(k);
  }
  if (!fans) return undefined;
  return { shape: `${parts.join(' ; ')}${r.comment !== undefined ? ` # ${r.comment}` : ''}`, endpoints };
}

/** The endpoints a rule is about (none for Service-level rules): its own chain's, the chains and sets it names, its dnat map's. */
export function ruleEndpoints(chain: string, r: NftRule): NftEndpointRef[] {
  const own = endpointOfName(chain);
  if (own) return [own];
  const seen = new Map<string, NftEndpointRef>();
  for (const s of r.statements)
    for (const ref of references(s)) {
      const e = endpointOfName(ref);
      if (e) seen.set(`${e.service}|${e.endpoint}`, e);
    }
  for (const e of fanOutOf(chain, r)?.endpoints ?? []) seen.set(`${e.service}|${e.endpoint}`, e);
  return [...seen.values()];
}

/** The service ports and endpoints (`service|endpoint`) one side knows, from chain and set names and from dnat maps. */
export function knownEndpoints(t: NftTable | undefined): { services: Set<string>; endpoints: Set<string> } {
  const services = new Set<string>();
  const endpoints = new Set<string>();
  const add = (e: NftEndpointRef) => {
    services.add(e.service);
    endpoints.add(`${e.service}|${e.endpoint}`);
  };
  for (const name of [...(t?.chains.keys() ?? []), ...(t?.sets.keys() ?? [])]) {
    const e = endpointOfName(name);
    if (e) add(e);
    const s = serviceOfName(name);
    if (s) services.add(s);
  }
  // v1.36 writes no endpoint chains without affinity: its dnat maps name the endpoints (vmap slots are chains, named above).
  for (const c of t?.chains.values() ?? []) {
    if (!c.name.startsWith('service-') && !c.name.startsWith('local-')) continue;
    const service = serviceOfName(c.name);
    if (service === undefined) continue;
    for (const r of c.rules)
      for (const s of r.statements) {
        if (s.kind !== 'dnat-map' || !isNumgen(s.keys)) continue;
        for (const e of s.entries) {
          const ep = endpointOfValue(e.value);
          if (ep) add({ service, endpoint: ep });
        }
      }
  }
  return { services, endpoints };
}

/** A `hairpin-connections` element (v1.36: `ip . ip . proto . port` per local endpoint): the endpoint, or undefined. */
export function hairpinEndpoint(key: string[]): string | undefined {
  if (key.length !== 4 || key[0] !== key[1] || !/^\d+$/.test(key[3]!)) return undefined;
  return hostPort(canonicalWord(key[0]!), key[3]!);
}
