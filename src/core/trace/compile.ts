/**
 * Prepares parsed rules for tracing: adds the hook rules kube-proxy installs outside its restore payload
 * when the input lacks the built-in chains, and indexes long chains by destination (or port) so a trace
 * looks only at the rules that can match.
 */
import { ruleText } from '../rules/format';
import { FRAGMENT_NOTE } from '../rules/fragment';
import type { Chain, Match, Rule, RuleSet } from '../rules/types';

/** kube-proxy's iptablesJumpChains (+ kubelet's KUBE-FIREWALL), in the order they end up in each hook. */
const HOOKS: { table: string; hook: string; to: string; ctNew: boolean; comment?: string }[] = [
  { table: 'filter', hook: 'INPUT', to: 'KUBE-PROXY-FIREWALL', ctNew: true, comment: 'kubernetes load balancer firewall' },
  { table: 'filter', hook: 'INPUT', to: 'KUBE-NODEPORTS', ctNew: false, comment: 'kubernetes health check service ports' },
  { table: 'filter', hook: 'INPUT', to: 'KUBE-EXTERNAL-SERVICES', ctNew: true, comment: 'kubernetes externally-visible service portals' },
  { table: 'filter', hook: 'INPUT', to: 'KUBE-FIREWALL', ctNew: false },
  { table: 'filter', hook: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', ctNew: true, comment: 'kubernetes load balancer firewall' },
  { table: 'filter', hook: 'FORWARD', to: 'KUBE-FORWARD', ctNew: false, comment: 'kubernetes forwarding rules' },
  { table: 'filter', hook: 'FORWARD', to: 'KUBE-SERVICES', ctNew: true, comment: 'kubernetes service portals' },
  { table: 'filter', hook: 'FORWARD', to: 'KUBE-EXTERNAL-SERVICES', ctNew: true, comment: 'kubernetes externally-visible service portals' },
  { table: 'filter', hook: 'OUTPUT', to: 'KUBE-PROXY-FIREWALL', ctNew: true, comment: 'kubernetes load balancer firewall' },
  { table: 'filter', hook: 'OUTPUT', to: 'KUBE-SERVICES', ctNew: true, comment: 'kubernetes service portals' },
  { table: 'filter', hook: 'OUTPUT', to: 'KUBE-FIREWALL', ctNew: false },
  { table: 'nat', hook: 'PREROUTING', to: 'KUBE-SERVICES', ctNew: false, comment: 'kubernetes service portals' },
  { table: 'nat', hook: 'OUTPUT', to: 'KUBE-SERVICES', ctNew: false, comment: 'kubernetes service portals' },
  { table: 'nat', hook: 'POSTROUTING', to: 'KUBE-POSTROUTING', ctNew: false, comment: 'kubernetes postrouting rules' },
];

export interface CompiledChain {
  chain: Chain;
  /** Which packet field the index is keyed by. */
  key: 'dst' | 'dport' | 'none';
  byKey: Map<string, Rule[]>;
  unkeyed: Rule[];
  merged: Map<string, Rule[]>;
  /**
   * A growing indexed chain's rules as added (Services arrive in any order): put in `index` order only
   * when `chain.rules` is read, not once per rule added (a trace reads only the index).
   */
  added?: { list: Rule[]; sorted: boolean };
  /** Who added the chain, for a rule set that adds and drops chains (GeneratedIPTables: the render it belongs to). */
  owner?: object;
}

export interface CompiledRules {
  set: RuleSet;
  /** The chains by table, then name (a trace looks chains up by the names in its rules, with no key to build). */
  byTable: Map<string, Map<string, CompiledChain>>;
  /** Notes about hooks we added, shown once per trace. */
  synthesized: string[];
  /** Session-affinity timeouts by recent-list name (from the --rcheck rules). */
  affinitySeconds: Map<string, number>;
  /** What a trace must say about the input itself (tables inferred for a grep'd fragment). */
  notes?: string[];
}

const INDEX_MIN = 12;

export function compileRules(set: RuleSet): CompiledRules {
  const synthesized: string[] = [];
  const out: CompiledRules = { set, byTable: new Map(), synthesized, affinitySeconds: new Map() };
  if (set.warnings.some((w) => w.message === FRAGMENT_NOTE)) out.notes = [FRAGMENT_NOTE];
  // `iptables -L -n` lists the filter table only: without nat there is no Service DNAT to find.
  if (!set.tables.has('nat')) (out.notes ??= []).push(`the rules hold no nat table (${[...set.tables.keys()].join(', ') || 'none'} only), and kube-proxy's Service DNAT rules are in nat: dump them with iptables-save, or list them with iptables -t nat -L -n -v`);
  for (const table of set.tables.values()) for (const c of table.chains.values()) setChain(out, table.name, c.name, indexChain(c));
  const added = fragmentMasquerade(set, out);
  for (const table of set.tables.values()) {
    const has = (name: string) => table.chains.has(name) || (table.name === 'nat' && added.has(name));
    const hooks = HOOKS.filter((h) => h.table === table.name && has(h.to));
    for (const hook of new Set(hooks.map((h) => h.hook))) {
      if (table.chains.has(hook)) continue;
      const chain: Chain = { name: hook, table: table.name, policy: 'ACCEPT', rules: [], line: 0 };
      for (const h of hooks.filter((x) => x.hook === hook)) {
        const matches: Match[] = [];
        if (h.ctNew) matches.push({ kind: 'ctstate', negate: false, states: ['NEW'] });
        if (h.comment) matches.push({ kind: 'comment', text: h.comment });
        const rule: Rule = { table: table.name, chain: hook, index: chain.rules.length, line: 0, text: '', matches, target: { kind: 'chain', chain: h.to, goto: false }, comment: h.comment, synthetic: true };
        rule.text = ruleText(rule);
        chain.rules.push(rule);
      }
      setChain(out, table.name, hook, indexChain(chain));
      synthesized.push(`${table.name} ${hook}`);
    }
  }
  for (const table of set.tables.values())
    for (const c of table.chains.values())
      for (const r of c.rules) for (const m of r.matches) if (m.kind === 'recent' && m.op === 'rcheck' && m.seconds !== undefined) out.affinitySeconds.set(m.name, m.seconds);
  return out;
}

/**
 * A grep'd fragment keeps a Service's `-j KUBE-MARK-MASQ` jumps but not the chains that act on the mark:
 * add kube-proxy's own KUBE-MARK-MASQ and KUBE-POSTROUTING (as every release since 1.20 writes them) so
 * the trace still says when the source is masqueraded. Returns the chains added.
 */
function fragmentMasquerade(set: RuleSet, out: CompiledRules): Set<string> {
  const added = new Set<string>();
  const nat = set.tables.get('nat');
  if (!nat || !out.notes?.includes(FRAGMENT_NOTE) || nat.chains.has('KUBE-MARK-MASQ')) return added;
  if (![...nat.chains.values()].some((c) => c.rules.some((r) => r.target?.kind === 'chain' && r.target.chain === 'KUBE-MARK-MASQ'))) return added;
  const rule = (chain: string, matches: Match[], target: Rule['target'], comment?: string): Rule => {
    const r: Rule = { table: 'nat', chain, index: 0, line: 0, text: '', matches: comment ? [...matches, { kind: 'comment', text: comment }] : matches, target, comment, synthetic: true };
    r.text = ruleText(r);
    return r;
  };
  const chains: Chain[] = [{ name: 'KUBE-MARK-MASQ', table: 'nat', rules: [rule('KUBE-MARK-MASQ', [], { kind: 'MARK', value: 0x4000, mask: 0x4000 })], line: 0 }];
  if (!nat.chains.has('KUBE-POSTROUTING')) {
    chains.push({
      name: 'KUBE-POSTROUTING',
      table: 'nat',
      line: 0,
      rules: [
        rule('KUBE-POSTROUTING', [{ kind: 'mark', negate: true, value: 0x4000, mask: 0x4000 }], { kind: 'RETURN' }),
        rule('KUBE-POSTROUTING', [], { kind: 'MARK', value: 0x4000, mask: 0 }),
        rule('KUBE-POSTROUTING', [], { kind: 'MASQUERADE', randomFully: true }, 'kubernetes service traffic requiring SNAT'),
      ],
    });
  }
  for (const c of chains) {
    c.rules.forEach((r, i) => (r.index = i));
    setChain(out, 'nat', c.name, indexChain(c));
    added.add(c.name);
  }
  out.notes!.push(`the fragment jumps to KUBE-MARK-MASQ but does not hold it: kube-proxy's own ${[...added].join(' and ')} ${added.size > 1 ? 'were' : 'was'} assumed, to tell when the source is masqueraded`);
  return added;
}

/** Adds (or replaces) a compiled chain. */
export function setChain(rules: CompiledRules, table: string, name: string, c: CompiledChain): void {
  let t = rules.byTable.get(table);
  if (!t) rules.byTable.set(table, (t = new Map()));
  t.set(name, c);
}

/** Every compiled chain by `table/chain`. */
export function chainsByKey(rules: CompiledRules): Map<string, CompiledChain> {
  const out = new Map<string, CompiledChain>();
  for (const [table, chains] of rules.byTable) for (const [name, c] of chains) out.set(`${table}/${name}`, c);
  return out;
}

export function chainOf(rules: CompiledRules, table: string, name: string): CompiledChain | undefined {
  return rules.byTable.get(table)?.get(name);
}

function exactDst(r: Rule): string | undefined {
  for (const m of r.matches) if (m.kind === 'dst' && !m.negate && m.cidr.prefix === m.cidr.bits) return m.text;
  return undefined;
}

function exactDport(r: Rule): string | undefined {
  for (const m of r.matches) if (m.kind === 'port' && m.which === 'dport' && !m.negate && m.ranges.length === 1 && m.ranges[0]![0] === m.ranges[0]![1]) return String(m.ranges[0]![0]);
  return undefined;
}

/** The maps of a chain that is not indexed: never written to (candidates and addRule leave them alone). */
const NO_KEYS: Map<string, Rule[]> = new Map();

function indexChain(chain: Chain): CompiledChain {
  const c: CompiledChain = { chain, key: 'none', byKey: NO_KEYS, unkeyed: chain.rules, merged: NO_KEYS };
  if (chain.rules.length < INDEX_MIN) return c;
  const dsts = chain.rules.filter((r) => exactDst(r) !== undefined).length;
  const ports = chain.rules.filter((r) => exactDport(r) !== undefined).length;
  const key = dsts * 2 >= chain.rules.length ? 'dst' : ports * 2 >= chain.rules.length ? 'dport' : 'none';
  if (key === 'none') return c;
  const f = key === 'dst' ? exactDst : exactDport;
  const unkeyed: Rule[] = [];
  const byKey = new Map<string, Rule[]>();
  for (const r of chain.rules) {
    const k = f(r);
    if (k === undefined) unkeyed.push(r);
    else {
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
  }
  return { chain, key, byKey, unkeyed, merged: new Map() };
}

/**
 * An empty chain indexed by `key`, filled with addRule: rules may arrive in any order (a Service's rules
 * are added when a trace first needs them) and are kept in `index` order.
 */
export function growingChain(chain: Chain, key: CompiledChain['key']): CompiledChain {
  if (key === 'none') return { chain, key, byKey: NO_KEYS, unkeyed: chain.rules, merged: NO_KEYS };
  const added = { list: [...chain.rules], sorted: false };
  Object.defineProperty(chain, 'rules', {
    enumerable: true,
    configurable: true,
    get(): Rule[] {
      if (!added.sorted) {
        added.list.sort((a, b) => a.index - b.index);
        added.sorted = true;
      }
      return added.list;
    },
  });
  return { chain, key, byKey: new Map(), unkeyed: [], merged: new Map(), added };
}

export function addRule(c: CompiledChain, r: Rule): void {
  const added = c.added;
  if (added) {
    const list = added.list;
    if (list.length && list[list.length - 1]!.index > r.index) added.sorted = false;
    list.push(r);
  } else insertByIndex(c.chain.rules, r);
  if (c.key === 'none') return;
  const k = c.key === 'dst' ? exactDst(r) : exactDport(r);
  if (k === undefined) {
    insertByIndex(c.unkeyed, r);
    c.merged.clear();
    return;
  }
  const list = c.byKey.get(k);
  if (list) insertByIndex(list, r);
  else c.byKey.set(k, [r]);
  c.merged.delete(k);
}

/** Takes out a rule addRule put in (the Service it belongs to is no longer kept). */
export function removeRule(c: CompiledChain, r: Rule): void {
  if (c.added) removeFrom(c.added.list, r);
  else removeFrom(c.chain.rules, r);
  if (c.key === 'none') return;
  const k = c.key === 'dst' ? exactDst(r) : exactDport(r);
  if (k === undefined) {
    removeFrom(c.unkeyed, r);
    c.merged.clear();
    return;
  }
  const list = c.byKey.get(k);
  if (list) {
    removeFrom(list, r);
    if (!list.length) c.byKey.delete(k);
  }
  c.merged.delete(k);
}

function removeFrom(list: Rule[], r: Rule): void {
  const i = list.lastIndexOf(r);
  if (i >= 0) list.splice(i, 1);
}

function insertByIndex(list: Rule[], r: Rule): void {
  if (!list.length || list[list.length - 1]!.index < r.index) {
    list.push(r);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.index < r.index) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, r);
}

/** The rules of a chain that can match a packet with this destination and port, in chain order. */
export function candidates(c: CompiledChain, dstKey: string, dport: number): Rule[] {
  if (c.key === 'none') return c.unkeyed;
  const k = c.key === 'dst' ? dstKey : String(dport);
  const cached = c.merged.get(k);
  if (cached) return cached;
  const hit = c.byKey.get(k);
  // No rule for this key: the unkeyed rules, with nothing to remember (an endpoint address after a
  // DNAT meets filter KUBE-SERVICES this way, one new key per endpoint).
  if (!hit) return c.unkeyed;
  const out: Rule[] = [];
  const u = c.unkeyed;
  let i = 0;
  let j = 0;
  while (i < hit.length || j < u.length) {
    if (j >= u.length || (i < hit.length && hit[i]!.index < u[j]!.index)) out.push(hit[i++]!);
    else out.push(u[j++]!);
  }
  if (c.merged.size < 100_000) c.merged.set(k, out);
  return out;
}

/** The index key for a canonical packet destination (`10.0.0.1/32`). */
export function dstKeyOf(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}
