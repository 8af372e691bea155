/**
 * Compares the IPVS table kube-proxy should program with a node's `ipvsadm -Ln` output (and, when given,
 * its ipsets from `ipset save` / `ipset list`). Virtual servers are keyed by protocol, address and port;
 * their scheduler and persistence must agree; real servers are compared by address and port (weights are
 * not: kube-proxy drains a removed endpoint at weight 0 before deleting it). A real server only one side
 * has, on a virtual server both sides have, is a stale endpoint.
 */
import { canonicalIP } from '../netDeps';
import type { DiffRule, RulesDiff, StaleEndpoint } from '../diff';
import type { IpsetContent } from './ipset';
import type { IpvsRealServer, IpvsTable, IpvsVirtualServer } from './types';

export interface IpvsDiffSide {
  table: IpvsTable;
  /** Set name -> entries; undefined when the side has no ipset data. */
  ipsets?: Map<string, IpsetContent>;
  /** Which Service port a virtual server belongs to ("ns/svc:port"), keyed by ipvsVsKey. */
  owners?: Map<string, string>;
}

const hostSpelling = new Map<string, string>();
/** An address as keys spell it: canonical, IPv6 in brackets (memoised: a table names each address many times). */
const host = (a: string) => {
  let h = hostSpelling.get(a);
  if (h === undefined) {
    const ip = canonicalIP(a) ?? a.toLowerCase();
    h = ip.includes(':') ? `[${ip}]` : ip;
    if (hostSpelling.size > 200_000) hostSpelling.clear();
    hostSpelling.set(a, h);
  }
  return h;
};

export function ipvsVsKey(vs: Pick<IpvsVirtualServer, 'protocol' | 'address' | 'port' | 'fwmark'>): string {
  return vs.protocol === 'FWM' ? `FWM ${vs.fwmark}` : `${vs.protocol} ${host(vs.address)}:${vs.port}`;
}

function vsLine(vs: IpvsVirtualServer): string {
  const extra = [vs.scheduler ?? '', vs.persistent !== undefined ? `persistent ${vs.persistent}` : '', vs.netmask ? `mask ${vs.netmask}` : '', ...vs.flags].filter(Boolean);
  return `${ipvsVsKey(vs).replace(' ', '  ')} ${extra.join(' ')}`.trimEnd();
}

function rsKey(rs: IpvsRealServer): string {
  return `${host(rs.address)}:${rs.port}`;
}

function rsLine(rs: IpvsRealServer): string {
  return `-> ${rsKey(rs)}${rs.forward ? ` ${rs.forward}` : ''}${rs.weight !== undefined ? ` ${rs.weight}` : ''}`;
}

/** What must agree for a virtual server to behave the same. */
function vsAttrs(vs: IpvsVirtualServer): string {
  return `${vs.scheduler ?? ''}|${vs.persistent ?? ''}|${vs.netmask ?? ''}|${[...vs.flags].sort().join(',')}`;
}

/** KUBE-LOOP-BACK entries (`ip,proto:port,ip`) belong to one endpoint. */
function loopbackEndpoint(entry: string): string | undefined {
  const m = /^([^,]+),[a-z]+:(\d+),/.exec(entry);
  return m ? `${host(m[1]!)}:${m[2]}` : undefined;
}

export function diffIpvs(expected: IpvsDiffSide, actual: IpvsDiffSide): RulesDiff {
  const out: RulesDiff = { missing: [], extra: [], stale: [], missingChains: [], extraChains: [], compared: 0 };
  const stale = new Map<string, StaleEndpoint>();
  const staleOf = (service: string, endpoint: string, kind: StaleEndpoint['kind']): StaleEndpoint => {
    const key = `${kind}|${service}|${endpoint}`;
    let s = stale.get(key);
    if (!s) stale.set(key, (s = { service, endpoint, kind, rules: [] }));
    return s;
  };
  const byKey = (t: IpvsTable) => new Map(t.virtualServers.map((vs) => [ipvsVsKey(vs), vs]));
  const exp = byKey(expected.table);
  const act = byKey(actual.table);
  const row = (chain: string, rule: string, line: number): DiffRule => ({ table: 'ipvs', chain, rule, line });
  for (const key of [...new Set([...exp.keys(), ...act.keys()])].sort()) {
    out.compared++;
    const e = exp.get(key);
    const a = act.get(key);
    if (e && !a) {
      out.missingChains.push(`ipvs/${key}`);
      out.missing.push(row(key, vsLine(e), e.line), ...e.realServers.map((rs) => row(key, rsLine(rs), rs.line)));
      continue;
    }
    if (a && !e) {
      out.extraChains.push(`ipvs/${key}`);
      out.extra.push(row(key, vsLine(a), a.line), ...a.realServers.map((rs) => row(key, rsLine(rs), rs.line)));
      continue;
    }
    if (vsAttrs(e!) !== vsAttrs(a!)) {
      out.missing.push(row(key, vsLine(e!), e!.line));
      out.extra.push(row(key, vsLine(a!), a!.line));
    }
    const service = expected.owners?.get(key) ?? actual.owners?.get(key) ?? key;
    const eKeys = e!.realServers.map(rsKey);
    const aKeys = a!.realServers.map(rsKey);
    const ers = new Set(eKeys);
    const ars = new Set(aKeys);
    e!.realServers.forEach((rs, i) => {
      if (!ars.has(eKeys[i]!)) staleOf(service, eKeys[i]!, 'expected-only').rules.push(row(key, rsLine(rs), rs.line));
    });
    a!.realServers.forEach((rs, i) => {
      if (!ers.has(aKeys[i]!)) staleOf(service, aKeys[i]!, 'in-rules-only').rules.push(row(key, rsLine(rs), rs.line));
    });
  }
  if (expected.ipsets && actual.ipsets) diffIpsets(expected.ipsets, actual.ipsets, out, stale);
  out.stale = [...stale.values()].sort((x, y) => x.service.localeCompare(y.service) || x.endpoint.localeCompare(y.endpoint) || x.kind.localeCompare(y.kind));
  return out;
}

function diffIpsets(expected: Map<string, IpsetContent>, actual: Map<string, IpsetContent>, out: RulesDiff, stale: Map<string, StaleEndpoint>): void {
  // A KUBE-LOOP-BACK entry goes with the first stale real server of its endpoint (virtual servers in key order).
  const firstStale = new Map<string, StaleEndpoint>();
  for (const s of stale.values()) {
    const key = `${s.kind}|${s.endpoint}`;
    if (!firstStale.has(key)) firstStale.set(key, s);
  }
  const staleByEndpoint = (endpoint: string | undefined, kind: StaleEndpoint['kind']) => (endpoint ? firstStale.get(`${kind}|${endpoint}`) : undefined);
  const names = [...new Set([...expected.keys(), ...[...actual.keys()].filter((n) => n.startsWith('KUBE-'))])].sort();
  for (const name of names) {
    out.compared++;
    const e = expected.get(name);
    const a = actual.get(name);
    const row = (entry: string, line: number): DiffRule => ({ table: 'ipset', chain: name, rule: entry, line });
    if (e && !a) {
      out.missingChains.push(`ipset/${name}`);
      out.missing.push(...e.entries.map((x, i) => row(x, e.entryLines[i] ?? 0)));
      continue;
    }
    if (a && !e) {
      out.extraChains.push(`ipset/${name}`);
      out.extra.push(...a.entries.map((x, i) => row(x, a.entryLines[i] ?? 0)));
      continue;
    }
    const ae = new Set(a!.entries);
    const ee = new Set(e!.entries);
    e!.entries.forEach((x, i) => {
      if (ae.has(x)) return;
      const s = name.endsWith('LOOP-BACK') ? staleByEndpoint(loopbackEndpoint(x), 'expected-only') : undefined;
      (s ? s.rules : out.missing).push(row(x, e!.entryLines[i] ?? 0));
    });
    a!.entries.forEach((x, i) => {
      if (ee.has(x)) return;
      const s = name.endsWith('LOOP-BACK') ? staleByEndpoint(loopbackEndpoint(x), 'in-rules-only') : undefined;
      (s ? s.rules : out.extra).push(row(x, a!.entryLines[i] ?? 0));
    });
  }
}
