/**
 * A Service port whose endpoints all went, or all came, between the node's rules and the expected ones.
 * kube-proxy writes such a port in two unrelated-looking forms (pkg/proxy/iptables/proxier.go): with no
 * endpoints at all, filter REJECT rules commented "<svc> has no endpoints" (KUBE-SERVICES for the cluster
 * IP, KUBE-EXTERNAL-SERVICES for external and load-balancer IPs and, with `--dst-type LOCAL`, the node
 * port) and no nat chains; with endpoints, nat jumps from KUBE-SERVICES / KUBE-NODEPORTS to the port's own
 * chains (KUBE-SVC/SVL/EXT/FW, KUBE-XLB before v1.24, KUBE-SEP per endpoint), plus the filter rules that
 * go with them (KUBE-PROXY-FIREWALL, a DROP "has no local endpoints"). This pairs the two forms by the
 * addresses and ports they capture, so the diff can file both under the endpoints that made the change.
 */
import type { StaleEndpoint } from './diff';
import type { Rule, RuleSet } from './types';

/** A rule that belongs to an all-or-nothing endpoint change: the port and the endpoints to file it under. */
export interface TransitionRule {
  service: string;
  kind: StaleEndpoint['kind'];
  endpoints: string[];
}

export interface Transitions {
  expected: Map<Rule, TransitionRule>;
  actual: Map<Rule, TransitionRule>;
  /** `table/chain` of the port's own chains on the side with endpoints: not listed as missing or extra chains. */
  chains: { expected: Set<string>; actual: Set<string> };
}

const NO_ENDPOINTS = /^(\S+) has no endpoints$/;
/** The chains kube-proxy writes per service port (and per endpoint). */
const PER_PORT = /^KUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-/;

/** The "<svc> has no endpoints" REJECT rules of one side, by service port. */
function rejects(set: RuleSet): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  const filter = set.tables.get('filter');
  for (const c of filter?.chains.values() ?? [])
    for (const r of c.rules) {
      const svc = r.target?.kind === 'REJECT' && r.comment ? NO_ENDPOINTS.exec(r.comment)?.[1] : undefined;
      if (svc) out.set(svc, [...(out.get(svc) ?? []), r]);
    }
  return out;
}

/**
 * What a rule captures: protocol, destination port and address, `node` for node ports (KUBE-NODEPORTS,
 * or `--dst-type LOCAL`). A REJECT and the jump it replaces capture the same.
 */
function destination(r: Rule): string {
  let proto = '';
  let port = '';
  let dst = '';
  let node = r.chain === 'KUBE-NODEPORTS';
  for (const m of r.matches) {
    if (m.kind === 'proto' && !m.negate) proto = m.proto;
    else if (m.kind === 'port' && m.which === 'dport' && !m.negate) port = m.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
    else if (m.kind === 'dst' && !m.negate) dst = m.text;
    else if (m.kind === 'addrtype' && m.which === 'dst' && m.type === 'LOCAL' && !m.negate) node = true;
  }
  return `${proto}|${port}|${node ? 'node' : dst}`;
}

/** Endpoints per service port, from the diff's endpoint tags (`svc|ip:port`). */
function endpointsByService(tags: Map<Rule, string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const tag of tags.values()) {
    const bar = tag.indexOf('|');
    const svc = tag.slice(0, bar);
    let s = out.get(svc);
    if (!s) out.set(svc, (s = new Set()));
    s.add(tag.slice(bar + 1));
  }
  return out;
}

/** Rules whose comment names a service port as a word ("S cluster IP", "masquerade traffic for S external destinations"). */
function byNamedService(set: RuleSet): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const t of set.tables.values())
    for (const c of t.chains.values())
      for (const r of c.rules) {
        if (!r.comment) continue;
        for (const w of new Set(r.comment.split(' '))) if (w.includes('/')) out.set(w, [...(out.get(w) ?? []), r]);
      }
  return out;
}

interface Side {
  set: RuleSet;
  tags: Map<Rule, string>;
  owned: Map<Rule, TransitionRule>;
  chains: Set<string>;
  named?: Map<string, Rule[]>;
}

/** Files one port's change: the endpoint side's rules for it, and the bare side's REJECTs that capture the same. */
function pair(service: string, kind: StaleEndpoint['kind'], withEps: Side, bare: Side, rejected: Rule[], endpoints: string[]): void {
  const named = (withEps.named ??= byNamedService(withEps.set)).get(service) ?? [];
  const refused = new Set(rejected.map(destination));
  const entries = named.filter((r) => !PER_PORT.test(r.chain) && refused.has(destination(r)));
  // No address in common: not the same port seen twice, so nothing is paired.
  if (!entries.length) return;
  const own = (r: Rule): TransitionRule => {
    const tag = withEps.tags.get(r);
    return { service, kind, endpoints: tag?.startsWith(`${service}|`) ? [tag.slice(service.length + 1)] : endpoints };
  };
  for (const r of entries) withEps.owned.set(r, own(r));
  const captured = new Set(entries.map(destination));
  for (const r of rejected) if (captured.has(destination(r))) bare.owned.set(r, { service, kind, endpoints });
  // The port's own chains: reached from its rules, or holding a rule that names it.
  const nat = withEps.set.tables.get('nat');
  const seen = new Set<string>();
  const queue: string[] = [];
  const visit = (chain: string) => {
    if (PER_PORT.test(chain) && !seen.has(chain) && nat?.chains.has(chain)) {
      seen.add(chain);
      queue.push(chain);
    }
  };
  for (const r of named) {
    if (r.table === 'nat') visit(r.chain);
    if (r.target?.kind === 'chain') visit(r.target.chain);
  }
  while (queue.length) {
    const c = nat!.chains.get(queue.pop()!)!;
    withEps.chains.add(`nat/${c.name}`);
    for (const r of c.rules) {
      withEps.owned.set(r, own(r));
      if (r.target?.kind === 'chain') visit(r.target.chain);
    }
  }
}

/**
 * Service ports that have endpoints on one side and only "has no endpoints" REJECTs on the other: their
 * rules on both sides, for the diff to report as stale endpoints of that port (in-rules-only when the
 * node still routes to endpoints the manifests no longer give, expected-only when the node still rejects).
 */
export function serviceTransitions(expected: RuleSet, actual: RuleSet, expTags: Map<Rule, string>, actTags: Map<Rule, string>): Transitions {
  const out: Transitions = { expected: new Map(), actual: new Map(), chains: { expected: new Set(), actual: new Set() } };
  const expNo = rejects(expected);
  const actNo = rejects(actual);
  if (!expNo.size && !actNo.size) return out;
  const exp: Side = { set: expected, tags: expTags, owned: out.expected, chains: out.chains.expected };
  const act: Side = { set: actual, tags: actTags, owned: out.actual, chains: out.chains.actual };
  const expEps = endpointsByService(expTags);
  const actEps = endpointsByService(actTags);
  for (const [svc, rejected] of expNo) {
    const eps = actEps.get(svc);
    if (eps && !expEps.has(svc) && !actNo.has(svc)) pair(svc, 'in-rules-only', act, exp, rejected, [...eps].sort());
  }
  for (const [svc, rejected] of actNo) {
    const eps = expEps.get(svc);
    if (eps && !actEps.has(svc) && !expNo.has(svc)) pair(svc, 'expected-only', exp, act, rejected, [...eps].sort());
  }
  return out;
}
