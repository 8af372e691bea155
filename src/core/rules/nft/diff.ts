/**
 * Compares expected nftables rules (kube-proxy's `kube-proxy` table) with a node's `nft list ruleset`
 * or transaction text by meaning (see key.ts): per chain, rules as multisets of keys; per set and map,
 * elements. Other tables on the node (CNI, firewalld) are left alone. What belongs to one endpoint
 * (its `endpoint-` chain and `affinity-` set, the rules that send traffic to them, the slots of a
 * numgen fan-out) is reported as a stale endpoint when the Service port is known to both sides.
 */
import type { DiffRule, RulesDiff, StaleEndpoint } from '../diff';
import { nftElementKey, nftElementText, nftRuleKey } from './key';
import type { NftRule, NftRuleset, NftStatement, NftTable } from './types';

/** `ns/svc/tcp/port` -> `ns/svc:port` (kube-proxy's service-port name, as the iptables diff reports it). */
function servicePortName(base: string): string {
  const m = /^([^/]+)\/([^/]+)\/[a-z]+\/(.*)$/.exec(base);
  return m ? `${m[1]}/${m[2]}${m[3] ? `:${m[3]}` : ''}` : base;
}

/** `endpoint-HASH8-ns/svc/tcp/port__ip/port` (and `affinity-...`): the service port and `ip:port`. */
export function endpointOfName(name: string): { service: string; endpoint: string } | undefined {
  const m = /^(?:endpoint|affinity)-[A-Z2-7]{8}-(.+)__([^/]+)\/(\d+)$/.exec(name);
  if (!m) return undefined;
  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(m[2]!) ? m[2]! : m[2]!.replace(/\./g, ':');
  return { service: servicePortName(m[1]!), endpoint: ip.includes(':') ? `[${ip}]:${m[3]}` : `${ip}:${m[3]}` };
}

/** `service-HASH8-ns/svc/tcp/port` (and local-, external-, firewall-): the service port. */
function serviceOfName(name: string): string | undefined {
  const base = /^(?:service|local|external|firewall)-[A-Z2-7]{8}-(.+)$/.exec(name)?.[1];
  return base === undefined ? undefined : servicePortName(base);
}

/** Every chain or set a statement refers to. */
function references(s: NftStatement): string[] {
  const out: string[] = [];
  const fromValue = (text: string) => {
    const m = /^(?:goto|jump)\s+(\S+)$/.exec(text.trim());
    if (m) out.push(m[1]!);
  };
  if (s.kind === 'verdict' && s.target) out.push(s.target);
  if (s.kind === 'update') out.push(s.set);
  if (s.kind === 'match' && s.value.kind === 'ref') out.push(s.value.name);
  if (s.kind === 'vmap' && s.map.kind === 'map') for (const e of s.map.entries) fromValue(e.value);
  return out;
}

/** The endpoints a rule is about (none for Service-level rules). */
function ruleEndpoints(chain: string, r: NftRule): { service: string; endpoint: string }[] {
  const own = endpointOfName(chain);
  if (own) return [own];
  const seen = new Map<string, { service: string; endpoint: string }>();
  for (const s of r.statements) for (const ref of references(s)) {
    const e = endpointOfName(ref);
    if (e) seen.set(`${e.service}|${e.endpoint}`, e);
  }
  return [...seen.values()];
}

function kubeTables(rs: NftRuleset): Map<string, NftTable> {
  return new Map(rs.tables.filter((t) => t.name === 'kube-proxy').map((t) => [`${t.family} ${t.name}`, t]));
}

/** The service ports and endpoints one side knows (from chain and set names). */
function known(t: NftTable | undefined): { services: Set<string>; endpoints: Set<string> } {
  const services = new Set<string>();
  const endpoints = new Set<string>();
  for (const name of [...(t?.chains.keys() ?? []), ...(t?.sets.keys() ?? [])]) {
    const e = endpointOfName(name);
    if (e) {
      services.add(e.service);
      endpoints.add(`${e.service}|${e.endpoint}`);
    }
    const s = serviceOfName(name);
    if (s) services.add(s);
  }
  return { services, endpoints };
}

export function diffNftRules(expected: NftRuleset, actual: NftRuleset): RulesDiff {
  const out: RulesDiff = { missing: [], extra: [], stale: [], missingChains: [], extraChains: [], compared: 0 };
  const stale = new Map<string, StaleEndpoint>();
  const expTables = kubeTables(expected);
  const actTables = kubeTables(actual);
  for (const [id, et] of expTables) {
    const at = actTables.get(id);
    if (!at) {
      out.missingChains.push(`${id} (the whole table)`);
      continue;
    }
    const ek = known(et);
    const ak = known(at);
    /** A stale-endpoint bucket for these endpoints, or undefined when the rule is not about a stale endpoint. */
    const staleFor = (eps: { service: string; endpoint: string }[], kind: StaleEndpoint['kind']): StaleEndpoint[] | undefined => {
      const other = kind === 'expected-only' ? ak : ek;
      const lagging = eps.filter((e) => ek.services.has(e.service) && ak.services.has(e.service) && !other.endpoints.has(`${e.service}|${e.endpoint}`));
      if (!lagging.length) return undefined;
      return lagging.map((e) => {
        const key = `${kind}|${e.service}|${e.endpoint}`;
        let s = stale.get(key);
        if (!s) stale.set(key, (s = { service: e.service, endpoint: e.endpoint, kind, rules: [] }));
        return s;
      });
    };
    const report = (row: DiffRule, eps: { service: string; endpoint: string }[], kind: StaleEndpoint['kind']) => {
      const buckets = staleFor(eps, kind);
      if (buckets) for (const b of buckets) b.rules.push(row);
      else (kind === 'expected-only' ? out.missing : out.extra).push(row);
    };
    const wholeStale = (name: string, kind: StaleEndpoint['kind'], rows: DiffRule[]): boolean => {
      const e = endpointOfName(name);
      const buckets = e ? staleFor([e], kind) : undefined;
      if (!buckets) return false;
      for (const b of buckets) b.rules.push(...rows);
      return true;
    };

    const chainNames = [...new Set([...et.chains.keys(), ...at.chains.keys()])].sort();
    for (const name of chainNames) {
      out.compared++;
      const ec = et.chains.get(name);
      const ac = at.chains.get(name);
      const row = (r: NftRule): DiffRule => ({ table: id, chain: name, rule: r.text, line: r.line });
      if (ec && !ac) {
        if (!wholeStale(name, 'expected-only', ec.rules.map(row))) {
          out.missingChains.push(`${id}/${name}`);
          out.missing.push(...ec.rules.map(row));
        }
        continue;
      }
      if (ac && !ec) {
        if (!wholeStale(name, 'in-rules-only', ac.rules.map(row))) {
          out.extraChains.push(`${id}/${name}`);
          out.extra.push(...ac.rules.map(row));
        }
        continue;
      }
      const pending = new Map<string, NftRule[]>();
      for (const r of ac!.rules) {
        const k = nftRuleKey(r);
        const list = pending.get(k);
        if (list) list.push(r);
        else pending.set(k, [r]);
      }
      for (const r of ec!.rules) {
        const list = pending.get(nftRuleKey(r));
        if (list?.length) list.shift();
        else report(row(r), ruleEndpoints(name, r), 'expected-only');
      }
      for (const list of pending.values()) for (const r of list) report(row(r), ruleEndpoints(name, r), 'in-rules-only');
    }

    const setNames = [...new Set([...et.sets.keys(), ...at.sets.keys()])].sort();
    for (const name of setNames) {
      out.compared++;
      const es = et.sets.get(name);
      const as = at.sets.get(name);
      const where = `@${name}`;
      const elemRow = (text: string, line: number): DiffRule => ({ table: id, chain: where, rule: text, line });
      // A set only one side has: its declaration, then its elements.
      const whole = (s: NonNullable<typeof es>) => [elemRow(`${s.kind} ${s.name} { type ${s.type} }`, s.line), ...s.elements.map((e) => elemRow(nftElementText(e), s.line))];
      if (es && !as) {
        if (!wholeStale(name, 'expected-only', whole(es))) out.missingChains.push(`${id}/${where}`);
        continue;
      }
      if (as && !es) {
        if (!wholeStale(name, 'in-rules-only', whole(as))) out.extraChains.push(`${id}/${where}`);
        continue;
      }
      // Affinity sets fill at run time: only their presence is compared.
      if (name.startsWith('affinity-')) continue;
      const pending = new Map<string, number>();
      for (const e of as!.elements) pending.set(nftElementKey(e), (pending.get(nftElementKey(e)) ?? 0) + 1);
      const elementEndpoints = (value: string | undefined) => {
        const m = value ? /^(?:goto|jump)\s+(\S+)$/.exec(value.trim()) : null;
        const e = m ? endpointOfName(m[1]!) : undefined;
        return e ? [e] : [];
      };
      for (const e of es!.elements) {
        const k = nftElementKey(e);
        const n = pending.get(k) ?? 0;
        if (n > 0) pending.set(k, n - 1);
        else report(elemRow(nftElementText(e), es!.line), elementEndpoints(e.value), 'expected-only');
      }
      for (const e of as!.elements) {
        const k = nftElementKey(e);
        const n = pending.get(k) ?? 0;
        if (n > 0) {
          pending.set(k, n - 1);
          report(elemRow(nftElementText(e), as!.line), elementEndpoints(e.value), 'in-rules-only');
        }
      }
    }
  }
  out.stale = [...stale.values()].sort((x, y) => x.service.localeCompare(y.service) || x.endpoint.localeCompare(y.endpoint) || x.kind.localeCompare(y.kind));
  return out;
}
