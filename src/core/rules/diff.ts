/**
 * Compares expected kube-proxy rules with a node's real ones, semantically: per chain, as multisets of
 * rule keys (see ruleKey), so quoting, match order, `/32`, MARK spellings and save-vs-restore
 * probability rendering do not count. Rules for endpoints that one side has and the other lacks, in a
 * Service both sides know, are reported as stale (kube-proxy has not caught up) rather than missing/extra;
 * so are the re-weighted jumps to its other endpoints when the endpoint count changed, and, when a Service
 * port's endpoints all went or all came, its "has no endpoints" REJECTs and its chains (see noEndpoints.ts).
 */
import { endpointTags } from './endpointTags';
import { ruleKey } from './format';
import { commentService } from './fragment';
import { serviceTransitions } from './noEndpoints';
import type { Chain, Rule, RuleSet, RuleTable } from './types';

export interface DiffRule {
  table: string;
  chain: string;
  rule: string;
  /** 1-based line in the file it came from (0 for generated rules). */
  line: number;
}

export interface StaleEndpoint {
  service: string;
  endpoint: string;
  /** in-rules-only: the node still routes to an endpoint that is gone; expected-only: a new endpoint is not in the node's rules yet. */
  kind: 'in-rules-only' | 'expected-only';
  rules: DiffRule[];
}

export interface RulesDiff {
  missing: DiffRule[];
  extra: DiffRule[];
  stale: StaleEndpoint[];
  missingChains: string[];
  extraChains: string[];
  /** Chains compared (table/name). */
  compared: number;
}

/** Canaries, and the mangle hint chain kubelet creates for iptables-wrapper (v1.24+): neither holds rules. */
const IGNORED = /-CANARY$|^KUBE-IPTABLES-HINT$/;

/** kube-proxy's chains: what a diff looks at (CNI, Docker and other chains on the node are left alone). */
function kubeChain(name: string): boolean {
  return name.startsWith('KUBE-') && !IGNORED.test(name);
}

function row(r: Rule): DiffRule {
  return { table: r.table, chain: r.chain, rule: r.text, line: r.line };
}

/** The rule without its random-statistic match: equal for one endpoint's jump at another probability. */
function reweightKey(r: Rule): string {
  return ruleKey({ chain: r.chain, target: r.target, matches: r.matches.filter((m) => !(m.kind === 'statistic' && m.mode === 'random')) });
}

/**
 * A Service whose endpoint count changed re-weights every jump to its other endpoints (1/3 where the node
 * still has 1/2, the last jump losing or gaining its statistic match): such a pair of rules for the same
 * endpoint, in the same chain, belongs to the stale endpoints that changed the count. The expected rule goes
 * to the endpoints only expected, the node's to those only the node has (each to the other kind when its
 * own has none). Returns the rules so reported.
 */
function pairReweighted(
  onlyExpected: Rule[],
  onlyActual: Rule[],
  expTags: Map<Rule, string>,
  actTags: Map<Rule, string>,
  lagging: Map<string, { kind: StaleEndpoint['kind']; tag: string }[]>,
  staleOf: (tag: string, kind: StaleEndpoint['kind']) => StaleEndpoint | undefined,
): Set<Rule> {
  const paired = new Set<Rule>();
  if (!onlyExpected.length || !onlyActual.length) return paired;
  const waiting = new Map<string, Rule[]>();
  for (const r of onlyActual) {
    const tag = actTags.get(r);
    if (!tag) continue;
    const k = `${tag}|${reweightKey(r)}`;
    waiting.set(k, [...(waiting.get(k) ?? []), r]);
  }
  for (const re of onlyExpected) {
    const tag = expTags.get(re);
    const changes = tag ? lagging.get(tag.split('|')[0]!) : undefined;
    if (!tag || !changes?.length) continue;
    const ra = waiting.get(`${tag}|${reweightKey(re)}`)?.shift();
    if (!ra) continue;
    const buckets = (kind: StaleEndpoint['kind']) => changes.filter((c) => c.kind === kind).map((c) => staleOf(c.tag, kind)!);
    const added = buckets('expected-only');
    const gone = buckets('in-rules-only');
    for (const b of added.length ? added : gone) b.rules.push(row(re));
    for (const b of gone.length ? gone : added) b.rules.push(row(ra));
    paired.add(re).add(ra);
  }
  return paired;
}

type Kind = StaleEndpoint['kind'];

/** What the diff needs to file rules under stale endpoints: read only once some rule or chain differs. */
function staleContext(expected: RuleSet, actual: RuleSet, stale: Map<string, StaleEndpoint>) {
  const expTags = endpointTags(expected);
  const actTags = endpointTags(actual);
  const services = (tags: Map<Rule, string>) => {
    const out = new Set<string>();
    for (const t of tags.values()) out.add(t.slice(0, t.indexOf('|')));
    return out;
  };
  const actServices = services(actTags);
  const both = new Set([...services(expTags)].filter((s) => actServices.has(s)));
  const expEndpoints = new Set(expTags.values());
  const actEndpoints = new Set(actTags.values());
  const bucket = (service: string, endpoint: string, kind: Kind): StaleEndpoint => {
    const key = `${kind}|${service}|${endpoint}`;
    let s = stale.get(key);
    if (!s) stale.set(key, (s = { service, endpoint, kind, rules: [] }));
    return s;
  };
  const staleOf = (tag: string | undefined, kind: Kind): StaleEndpoint | undefined => {
    if (!tag) return undefined;
    const [service, endpoint] = tag.split('|') as [string, string];
    if (!both.has(service)) return undefined;
    if (kind === 'in-rules-only' ? expEndpoints.has(tag) : actEndpoints.has(tag)) return undefined;
    return bucket(service, endpoint, kind);
  };
  // Ports whose endpoints all went or all came: "has no endpoints" REJECTs on one side, chains on the other.
  const moved = serviceTransitions(expected, actual, expTags, actTags);
  /** Files a rule under the all-or-nothing change it belongs to; false when it belongs to none. */
  const fileMoved = (r: Rule, side: 'expected' | 'actual'): boolean => {
    const t = moved[side].get(r);
    if (!t) return false;
    for (const ep of t.endpoints) bucket(t.service, ep, t.kind).rules.push(row(r));
    return true;
  };
  /** Per Service both sides know: its endpoints only one side has, by kind. */
  const lagging = new Map<string, { kind: Kind; tag: string }[]>();
  const addLagging = (tags: Set<string>, other: Set<string>, kind: Kind) => {
    for (const tag of tags) {
      const service = tag.slice(0, tag.indexOf('|'));
      if (!both.has(service) || other.has(tag)) continue;
      const list = lagging.get(service) ?? [];
      if (!list.some((l) => l.tag === tag && l.kind === kind)) list.push({ kind, tag });
      lagging.set(service, list);
    }
  };
  addLagging(expEndpoints, actEndpoints, 'expected-only');
  addLagging(actEndpoints, expEndpoints, 'in-rules-only');
  /** A chain only one side has whose rules all belong to stale endpoints: not listed as a missing or extra chain. */
  const chainIsStale = (id: string, rules: Rule[], side: 'expected' | 'actual'): boolean => {
    const tags = side === 'expected' ? expTags : actTags;
    const kind: Kind = side === 'expected' ? 'expected-only' : 'in-rules-only';
    return moved.chains[side].has(id) || (rules.length > 0 && rules.every((r) => staleOf(tags.get(r), kind)));
  };
  return { expTags, actTags, staleOf, fileMoved, lagging, chainIsStale };
}

export function diffRules(expected: RuleSet, actual: RuleSet): RulesDiff {
  const out: RulesDiff = { missing: [], extra: [], stale: [], missingChains: [], extraChains: [], compared: 0 };
  const stale = new Map<string, StaleEndpoint>();
  let context: ReturnType<typeof staleContext> | undefined;
  const ctx = () => (context ??= staleContext(expected, actual, stale));
  const tables = new Set([...expected.tables.keys()].filter((t) => t === 'nat' || t === 'filter' || actual.tables.has(t)));
  for (const table of tables) {
    const e = expected.tables.get(table);
    const a = actual.tables.get(table);
    const names = new Set([...(e?.chains.keys() ?? []), ...(a?.chains.keys() ?? [])].filter(kubeChain));
    for (const name of [...names].sort()) {
      const ec = e?.chains.get(name);
      const ac = a?.chains.get(name);
      out.compared++;
      const id = `${table}/${name}`;
      if (ec && !ac && !ctx().chainIsStale(id, ec.rules, 'expected')) out.missingChains.push(id);
      if (ac && !ec && !ctx().chainIsStale(id, ac.rules, 'actual')) out.extraChains.push(id);
      const pending = new Map<string, Rule[]>();
      for (const r of ac?.rules ?? []) {
        const k = ruleKey(r);
        const list = pending.get(k);
        if (list) list.push(r);
        else pending.set(k, [r]);
      }
      const onlyExpected = (ec?.rules ?? []).filter((r) => !pending.get(ruleKey(r))?.shift());
      const onlyActual = [...pending.values()].flat();
      if (!onlyExpected.length && !onlyActual.length) continue;
      const { expTags, actTags, staleOf, fileMoved, lagging } = ctx();
      const paired = pairReweighted(onlyExpected, onlyActual, expTags, actTags, lagging, staleOf);
      for (const r of onlyExpected) {
        if (paired.has(r) || fileMoved(r, 'expected')) continue;
        const s = staleOf(expTags.get(r), 'expected-only');
        if (s) s.rules.push(row(r));
        else out.missing.push(row(r));
      }
      for (const r of onlyActual) {
        if (paired.has(r) || fileMoved(r, 'actual')) continue;
        const s = staleOf(actTags.get(r), 'in-rules-only');
        if (s) s.rules.push(row(r));
        else out.extra.push(row(r));
      }
    }
  }
  out.stale = [...stale.values()].sort((x, y) => x.service.localeCompare(y.service) || x.endpoint.localeCompare(y.endpoint));
  return out;
}

/**
 * The expected rules cut to what a grep'd fragment of the node's rules can show: only rules whose
 * comment names one of `services` (chains left with none are dropped).
 */
export function scopeToServices(expected: RuleSet, services: Set<string>): RuleSet {
  const tables = new Map<string, RuleTable>();
  for (const t of expected.tables.values()) {
    const chains = new Map<string, Chain>();
    for (const c of t.chains.values()) {
      const rules = c.rules.filter((r) => services.has(commentService(r.comment) ?? ''));
      if (rules.length) chains.set(c.name, { ...c, rules });
    }
    tables.set(t.name, { name: t.name, chains });
  }
  return { ...expected, tables };
}

/** The Services ("ns/name") a rule set's comments name. */
export function servicesInComments(set: RuleSet): Set<string> {
  const out = new Set<string>();
  for (const t of set.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) {
    const s = commentService(r.comment);
    if (s) out.add(s);
  }
  return out;
}

export function diffIsEmpty(d: RulesDiff): boolean {
  return !d.missing.length && !d.extra.length && !d.stale.length && !d.missingChains.length && !d.extraChains.length;
}
