/**
 * Follows the first packet of a new connection through an nftables ruleset: every base chain of the
 * packet's hooks in priority order (across tables), jumps, gotos, verdict maps, numgen fan-out,
 * DNAT, marks and masquerade. Generated (`ksd rules --mode nftables`) and imported rules go the same way.
 */
import { formatIP, parseIP } from '../net/ip';
import type { NftChain, NftElement, NftRule, NftRuleset, NftSet, NftStatement, NftTable, NftValue } from '../rules/nft/types';
import { keyValue, valueMatches, type KeyValue, type NftEnv, type NftPacket } from './nftMatch';
import { explainNft } from './nftExplain';
import type { TraceBranch, TraceContext, TraceDetail, TracePacket, Verdict } from './types';
import { snapProbability, summarizeBranches, type StepNode } from './summary';


const PHASE: Record<string, number> = { prerouting: 0, output: 0, input: 1, forward: 1, postrouting: 2 };

export interface NftBranch {
  pkt: NftPacket;
  prob: number;
  dnat?: { ip: string; port: number };
  masquerade: boolean;
  steps?: StepNode;
  comments: TraceBranch['comments'];
  affinity?: { seconds?: number };
  acceptedBy?: { table: string; chain: string; comment?: string };
  /** Verdict-map lookups that matched: which map and what it led to (for the explanation). */
  lookups: { map: string; key: string; value: string; comment?: string }[];
}

type End = 'RETURN' | 'ACCEPT' | 'DROP' | 'REJECT' | 'NAT' | 'CONTINUE';
interface Outcome {
  b: NftBranch;
  end: End;
  decidedBy?: { table: string; chain: string; comment?: string };
}

const MAX_DEPTH = 64;
const MAX_BRANCHES = 100_000;

interface Base {
  table: NftTable;
  chain: NftChain;
}

/** kube-proxy's base chains, used when an imported table lacks them (e.g. only regular chains were pasted). */
const KUBE_PROXY_HOOKS: { name: string; type: string; hook: string; priority: number; jumps: string[] }[] = [
  { name: 'filter-prerouting-pre-dnat', type: 'filter', hook: 'prerouting', priority: -110, jumps: ['firewall-check'] },
  { name: 'filter-output-pre-dnat', type: 'filter', hook: 'output', priority: -110, jumps: ['firewall-check'] },
  { name: 'filter-input', type: 'filter', hook: 'input', priority: 0, jumps: ['nodeport-endpoints-check', 'service-endpoints-check'] },
  { name: 'filter-forward', type: 'filter', hook: 'forward', priority: 0, jumps: ['service-endpoints-check', 'cluster-ips-check'] },
  { name: 'filter-output', type: 'filter', hook: 'output', priority: 0, jumps: ['service-endpoints-check', 'cluster-ips-check'] },
  { name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: -100, jumps: ['services'] },
  { name: 'nat-output', type: 'nat', hook: 'output', priority: -100, jumps: ['services'] },
  { name: 'nat-postrouting', type: 'nat', hook: 'postrouting', priority: 100, jumps: ['masquerading'] },
];

class NftTracer {
  warnings = new Set<string>();
  branches = 0;
  phase = 0;
  env: NftEnv;
  synthesized: string[] = [];
  private bases: Base[] = [];

  constructor(
    private ruleset: NftRuleset,
    ctx: TraceContext,
    readonly family: 'IPv4' | 'IPv6',
  ) {
    this.env = { localIPs: new Set(ctx.localIPs.map((ip) => canonical(ip))), inInterface: ctx.inInterface, outInterface: ctx.outInterface, warn: (m) => this.warnings.add(m) };
    for (const t of ruleset.tables) {
      if (!this.familyApplies(t)) continue;
      for (const c of t.chains.values()) if (c.hook && c.type !== 'route') this.bases.push({ table: t, chain: c });
    }
    if (!this.bases.length) this.synthesizeHooks();
  }

  private familyApplies(t: NftTable): boolean {
    return t.family === 'inet' || (t.family === 'ip' && this.family === 'IPv4') || (t.family === 'ip6' && this.family === 'IPv6');
  }

  /** No base chains at all: hook kube-proxy's top-level chains in as kube-proxy would. */
  private synthesizeHooks(): void {
    const t = this.ruleset.tables.find((x) => this.familyApplies(x) && x.chains.has('services')) ?? this.ruleset.tables.find((x) => this.familyApplies(x));
    if (!t) return;
    for (const h of KUBE_PROXY_HOOKS) {
      const jumps = h.jumps.filter((j) => t.chains.has(j));
      if (!jumps.length) continue;
      const rules: NftRule[] = jumps.map((j) => {
        const ctNew = h.type === 'filter';
        const statements: NftStatement[] = [
          ...(ctNew ? [{ kind: 'match', keys: ['ct state'], op: '==', value: { kind: 'value', text: 'new' } } as NftStatement] : []),
          { kind: 'verdict', verdict: 'jump', target: j },
        ];
        return { text: `${ctNew ? 'ct state new ' : ''}jump ${j}  (hook kube-proxy installs; missing from the input)`, statements, line: 0 };
      });
      this.bases.push({ table: t, chain: { name: h.name, type: h.type, hook: h.hook, priority: h.priority, rules, line: 0 } });
      this.synthesized.push(h.name);
    }
  }

  hookChains(hook: string): Base[] {
    return this.bases.filter((b) => b.chain.hook === hook).sort((a, b) => (a.chain.priority ?? 0) - (b.chain.priority ?? 0));
  }

  /** Runs every base chain of a hook in priority order; accept in one moves on to the next. */
  hook(hook: string, start: NftBranch[]): Outcome[] {
    this.phase = PHASE[hook] ?? 0;
    let live: Outcome[] = start.map((b) => ({ b, end: 'ACCEPT' as End }));
    const finals: Outcome[] = [];
    for (const base of this.hookChains(hook)) {
      const next: Outcome[] = [];
      for (const o of live) {
        for (const r of this.baseChain(base, o.b)) (r.end === 'DROP' || r.end === 'REJECT' ? finals : next).push(r);
      }
      live = next;
    }
    return [...finals, ...live];
  }

  private baseChain(base: Base, b: NftBranch): Outcome[] {
    const out: Outcome[] = [];
    for (const o of this.chain(base.table, base.chain.name, b, 0, base.chain)) {
      if (o.end === 'RETURN' || o.end === 'CONTINUE') {
        const policy = base.chain.policy ?? 'accept';
        if (policy === 'drop') {
          const nb = this.step(o.b, base.table, base.chain.name, 'policy drop', 'end of base chain: policy drop');
          out.push({ b: nb, end: 'DROP', decidedBy: { table: label(base.table), chain: base.chain.name, comment: `policy drop of ${base.chain.name}` } });
        } else out.push({ b: o.b, end: 'ACCEPT' });
      } else out.push(o.end === 'NAT' ? { ...o, end: 'ACCEPT' } : o);
    }
    return out;
  }

  chain(table: NftTable, name: string, start: NftBranch, depth: number, given?: NftChain): Outcome[] {
    const chain = given ?? table.chains.get(name);
    if (!chain) {
      this.warnings.add(`chain ${name} is jumped to but not defined in table ${label(table)}: treated as empty`);
      return [{ b: start, end: 'RETURN' }];
    }
    if (depth > MAX_DEPTH) {
      this.warnings.add(`jumps nest deeper than ${MAX_DEPTH} at ${name} (a loop?): returning`);
      return [{ b: start, end: 'RETURN' }];
    }
    const out: Outcome[] = [];
    const pending: { b: NftBranch; i: number }[] = [{ b: start, i: 0 }];
    while (pending.length) {
      const { b, i: from } = pending.pop()!;
      let cur: NftBranch | undefined = b;
      for (let i = from; cur && i < chain.rules.length; i++) {
        const res = this.rule(table, chain, chain.rules[i]!, cur, depth);
        cur = undefined;
        for (const o of res) {
          if (o.end === 'CONTINUE') {
            if (!cur) cur = o.b;
            else pending.push({ b: o.b, i: i + 1 });
          } else out.push(o);
        }
      }
      if (cur) out.push({ b: cur, end: 'RETURN' });
    }
    return out;
  }

  step(b: NftBranch, table: NftTable, chain: string, rule: string, effect: string): NftBranch {
    return { ...b, steps: { step: { table: label(table), chain, rule, effect }, phase: this.phase, prev: b.steps } };
  }

  /** Evaluates one rule; CONTINUE means "go on with the next rule of this chain". */
  private rule(table: NftTable, chain: NftChain, rule: NftRule, b0: NftBranch, depth: number): Outcome[] {
    return this.statements(table, chain, rule, rule.statements, 0, b0, depth, 1);
  }

  private statements(table: NftTable, chain: NftChain, rule: NftRule, sts: NftStatement[], k: number, b0: NftBranch, depth: number, p: number): Outcome[] {
    let b = b0;
    const odds = p < 1 ? ` (probability 1/${Math.round(1 / p)})` : '';
    const where = { table: label(table), chain: chain.name, ...(rule.comment !== undefined ? { comment: rule.comment } : {}) };
    for (let i = k; i < sts.length; i++) {
      const s = sts[i]!;
      switch (s.kind) {
        case 'match':
          if (!this.match(table, s, b.pkt)) return [{ b: b0, end: 'CONTINUE' }];
          continue;
        case 'counter':
          continue;
        case 'opaque':
          this.warnings.add(`"${s.text}" is not modelled: treated as a no-op`);
          continue;
        case 'mark-set': {
          const v = Number(s.value);
          const mark = s.op === 'or' ? b.pkt.mark | v : s.op === 'xor' ? b.pkt.mark ^ v : s.op === 'and' ? b.pkt.mark & v : v;
          b = { ...b, pkt: { ...b.pkt, mark: mark >>> 0 } };
          if (i === sts.length - 1) return [{ b: this.step(this.noted(b, rule, table, chain, 'mark'), table, chain.name, rule.text, `mark 0x${b0.pkt.mark.toString(16)} -> 0x${b.pkt.mark.toString(16)}${odds}`), end: 'CONTINUE' }];
          continue;
        }
        case 'update': {
          const set = table.sets.get(s.set);
          b = { ...b, affinity: { seconds: set?.timeout } };
          if (i === sts.length - 1) return [{ b: this.step(b, table, chain.name, rule.text, `remember the source in @${s.set} (session affinity)`), end: 'CONTINUE' }];
          continue;
        }
        case 'dnat': {
          const ip = parseIP(s.addr);
          if (!ip) {
            this.warnings.add(`dnat to unreadable address ${s.addr}`);
            return [{ b, end: 'CONTINUE' }];
          }
          const port = s.port ?? b.pkt.dport;
          const text = formatIP(ip);
          const nb = this.step(this.noted(b, rule, table, chain, 'dnat'), table, chain.name, rule.text, `DNAT to ${text.includes(':') ? `[${text}]` : text}:${port}${odds}`);
          return [{ b: { ...nb, dnat: { ip: text, port }, pkt: { ...nb.pkt, dst: text, dport: port, ctStatus: 'dnat' } }, end: 'NAT' }];
        }
        case 'dnat-map':
          return this.dnatMap(table, chain, rule, s, b);
        case 'masquerade':
          return [{ b: { ...this.step(b, table, chain.name, rule.text, `masquerade: source address rewritten to the node's address${odds}`), masquerade: true }, end: 'NAT' }];
        case 'verdict':
          return this.verdict(table, chain, rule, b, s.verdict, s.target, depth, odds, where);
        case 'vmap':
          return this.vmap(table, chain, rule, s.keys, s.map, b, depth, p, where);
      }
    }
    return [{ b: rule.statements.length ? this.step(b, table, chain.name, rule.text, `matched; continue${odds}`) : b, end: 'CONTINUE' }];
  }

  /** `dnat ip to numgen random mod N map { i : addr . port }`: each slot is an endpoint with probability 1/N. */
  private dnatMap(table: NftTable, chain: NftChain, rule: NftRule, s: Extract<NftStatement, { kind: 'dnat-map' }>, b: NftBranch): Outcome[] {
    const numgen = /^numgen random mod (\d+)$/.exec(s.keys[0] ?? '');
    if (!numgen || s.keys.length !== 1) {
      this.warnings.add(`"dnat to ${s.keys.join(' . ')} map" is only modelled with a numgen key: treated as a no-op`);
      return [{ b, end: 'CONTINUE' }];
    }
    const n = Number(numgen[1]);
    if ((this.branches += s.entries.length) > MAX_BRANCHES) throw new Error(`more than ${MAX_BRANCHES} branches: the rules fan out too far to trace`);
    const out: Outcome[] = [];
    let covered = 0;
    for (const e of s.entries) {
      const idx = Number(e.key[0]);
      const [addr, , portText] = e.value.split(' ');
      const ip = addr ? parseIP(addr) : undefined;
      const port = portText === undefined ? b.pkt.dport : Number(portText);
      if (!Number.isInteger(idx) || idx < 0 || idx >= n || !ip || !Number.isInteger(port)) {
        this.warnings.add(`dnat map entry "${e.key.join(' . ')} : ${e.value}" is not an address . port: skipped`);
        continue;
      }
      covered++;
      const text = formatIP(ip);
      const nb0: NftBranch = { ...b, prob: b.prob / n };
      const nb = this.step(this.noted(nb0, rule, table, chain, 'dnat'), table, chain.name, rule.text, `DNAT to ${text.includes(':') ? `[${text}]` : text}:${port} (numgen ${idx} of ${n}, probability 1/${n})`);
      out.push({ b: { ...nb, dnat: { ip: text, port }, pkt: { ...nb.pkt, dst: text, dport: port, ctStatus: 'dnat' } }, end: 'NAT' });
    }
    // Numbers the map does not cover: nft finds no address and drops the packet.
    if (covered < n) out.push({ b: this.step({ ...b, prob: (b.prob * (n - covered)) / n }, table, chain.name, rule.text, 'numgen value not in the dnat map: dropped'), end: 'DROP', decidedBy: { table: label(table), chain: chain.name } });
    return out;
  }

  private noted(b: NftBranch, rule: NftRule, table: NftTable, chain: NftChain, target: string): NftBranch {
    return rule.comment !== undefined ? { ...b, comments: [...b.comments, { table: label(table), chain: chain.name, comment: rule.comment, target }] } : b;
  }

  private verdict(table: NftTable, chain: NftChain, rule: NftRule, b0: NftBranch, verdict: string, target: string | undefined, depth: number, odds: string, where: { table: string; chain: string; comment?: string }): Outcome[] {
    const b = this.noted(b0, rule, table, chain, target ?? verdict);
    switch (verdict) {
      case 'jump':
      case 'goto': {
        const nb = this.step(b, table, chain.name, rule.text, `${verdict === 'goto' ? 'goto' : 'jump to'} ${target}${odds}`);
        const res = this.chain(table, target!, nb, depth + 1);
        // After a jump, a RETURN goes on with the next rule; after a goto it returns from this chain too.
        return res.map((o) => (o.end === 'RETURN' ? { ...o, end: verdict === 'jump' ? 'CONTINUE' : 'RETURN' } : o));
      }
      case 'accept':
        return [{ b: { ...this.step(b, table, chain.name, rule.text, `accept${odds}`), acceptedBy: where }, end: 'ACCEPT', decidedBy: where }];
      case 'drop':
        return [{ b: this.step(b, table, chain.name, rule.text, `DROP${odds}`), end: 'DROP', decidedBy: where }];
      case 'reject':
        return [{ b: this.step(b, table, chain.name, rule.text, `REJECT${odds}`), end: 'REJECT', decidedBy: where }];
      case 'return':
        return [{ b: this.step(b, table, chain.name, rule.text, `return${odds}`), end: 'RETURN' }];
      default:
        return [{ b: this.step(b, table, chain.name, rule.text, `continue${odds}`), end: 'CONTINUE' }];
    }
  }

  private vmap(table: NftTable, chain: NftChain, rule: NftRule, keys: string[], map: NftValue, b: NftBranch, depth: number, p: number, where: { table: string; chain: string; comment?: string }): Outcome[] {
    const numgen = /^numgen random mod (\d+)$/.exec(keys[0] ?? '');
    if (numgen && keys.length === 1) {
      const n = Number(numgen[1]);
      const entries = map.kind === 'map' ? map.entries : [];
      if (!n || !entries.length) return [{ b, end: 'CONTINUE' }];
      if ((this.branches += entries.length) > MAX_BRANCHES) throw new Error(`more than ${MAX_BRANCHES} branches: the rules fan out too far to trace`);
      const out: Outcome[] = [];
      let covered = 0;
      for (const e of entries) {
        const idx = Number(e.key[0]);
        if (!Number.isInteger(idx) || idx < 0 || idx >= n) continue;
        covered++;
        const [verdict, target] = e.value.split(' ');
        const nb: NftBranch = { ...b, prob: b.prob / n };
        out.push(...this.verdict(table, chain, rule, nb, verdict!, target, depth, ` (numgen ${idx} of ${n}, probability 1/${n})`, where));
      }
      // Numbers the map does not cover fall through to the next rule.
      if (covered < n) out.push({ b: { ...b, prob: (b.prob * (n - covered)) / n }, end: 'CONTINUE' });
      return out;
    }
    const values = keys.map((k) => keyValue(k, b.pkt, this.env));
    if (values.some((v) => v === undefined)) return [{ b, end: 'CONTINUE' }];
    const vals = values as KeyValue[];
    let found: { value: string; comment?: string; key: string } | undefined;
    let mapName = '(inline)';
    if (map.kind === 'ref') {
      mapName = `@${map.name}`;
      const set = table.sets.get(map.name);
      if (!set) {
        this.warnings.add(`verdict map @${map.name} is not defined in table ${label(table)}`);
        return [{ b, end: 'CONTINUE' }];
      }
      const e = findElement(set, vals, this.env);
      if (e?.value !== undefined) found = { value: e.value, comment: e.comment, key: e.key.join(' . ') };
    } else if (map.kind === 'map') {
      const e = map.entries.find((el) => el.key.length === vals.length && el.key.every((k, i) => valueMatches(vals[i]!, k, this.env)));
      if (e) found = { value: e.value, key: e.key.join(' . ') };
    }
    if (!found) return [{ b, end: 'CONTINUE' }];
    const [verdict, target] = found.value.split(' ');
    let nb: NftBranch = { ...b, lookups: [...b.lookups, { map: mapName, key: found.key, value: found.value, comment: found.comment }] };
    if (found.comment !== undefined) nb = { ...nb, comments: [...nb.comments, { table: label(table), chain: chain.name, comment: found.comment, target: found.value }] };
    const text = `${rule.text}   [${mapName}: ${found.key}${found.comment !== undefined ? ` comment "${found.comment}"` : ''} : ${found.value}]`;
    return this.verdict(table, chain, { ...rule, text }, nb, verdict!, target, depth, p < 1 ? ` (probability 1/${Math.round(1 / p)})` : '', { ...where, ...(found.comment !== undefined ? { comment: found.comment } : {}) });
  }

  private match(table: NftTable, s: Extract<NftStatement, { kind: 'match' }>, pkt: NftPacket): boolean {
    const vals = s.keys.map((k) => keyValue(k, pkt, this.env));
    if (vals.some((v) => v === undefined)) return false;
    const v = vals as KeyValue[];
    let hit: boolean;
    switch (s.value.kind) {
      case 'ref': {
        const set = table.sets.get(s.value.name);
        if (!set) {
          this.warnings.add(`set @${s.value.name} is not defined in table ${label(table)}: treated as empty`);
          hit = false;
        } else hit = setHas(set, v, this.env);
        break;
      }
      case 'set':
        hit = v.length === 1 && s.value.items.some((item) => valueMatches(v[0]!, item, this.env, s.mask));
        break;
      case 'map':
        hit = false;
        break;
      case 'value':
        hit = v.length === 1 && valueMatches(v[0]!, s.value.text, this.env, s.mask);
        break;
    }
    return s.op === '!=' ? !hit : hit;
  }
}

function setHas(set: NftSet, v: KeyValue[], env: NftEnv): boolean {
  // Dynamic sets (session affinity) start empty for a new client: the first packet never matches them.
  if (set.flags.includes('dynamic')) return false;
  return findElement(set, v, env) !== undefined;
}

interface SetIndex {
  list: NftSet['elements'];
  /** Elements whose every key part is a plain value, by their joined key. */
  exact: Map<string, NftElement>;
  /** Elements with ranges, prefixes or names: matched one by one. */
  other: NftElement[];
}
const setIndexes = new WeakMap<NftSet, SetIndex>();
const PLAIN_WORDS = new Set(['tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'local', 'new']);

function indexOf(set: NftSet): SetIndex {
  const cur = setIndexes.get(set);
  if (cur && cur.list === set.elements) return cur;
  const idx: SetIndex = { list: set.elements, exact: new Map(), other: [] };
  for (const e of set.elements) {
    const plain = e.key.every((k) => !/[/-]/.test(k) && (!/^[a-z][a-z-]*$/.test(k) || PLAIN_WORDS.has(k)) && !/^0x/i.test(k));
    if (plain && !idx.exact.has(e.key.join(' . '))) idx.exact.set(e.key.join(' . '), e);
    else idx.other.push(e);
  }
  setIndexes.set(set, idx);
  return idx;
}

/** The element a packet's key values select (exact hit first, then ranges and prefixes in order). */
function findElement(set: NftSet, v: KeyValue[], env: NftEnv): NftElement | undefined {
  const idx = indexOf(set);
  const plainKey = v.every((x) => x.kind === 'ip' || x.kind === 'port' || x.kind === 'word') ? v.map((x) => String(x.value)).join(' . ') : undefined;
  const hit = plainKey !== undefined ? idx.exact.get(plainKey) : undefined;
  if (hit) return hit;
  const scan = plainKey !== undefined ? idx.other : set.elements;
  return scan.find((e) => e.key.length === v.length && e.key.every((k, i) => valueMatches(v[i]!, k, env)));
}

function label(t: NftTable): string {
  return `${t.family} ${t.name}`;
}

function canonical(ip: string): string {
  const p = parseIP(ip);
  return p ? formatIP(p) : ip;
}

export function traceNft(ruleset: NftRuleset, packet: TracePacket, ctx: TraceContext): TraceDetail {
  const src = parseIP(packet.from);
  const dst = parseIP(packet.to);
  if (!src) throw new Error(`source "${packet.from}" is not an IP address`);
  if (!dst) throw new Error(`destination "${packet.to}" is not an IP address`);
  if (src.family !== dst.family) throw new Error(`source ${packet.from} and destination ${packet.to} are of different IP families`);
  if (!Number.isInteger(packet.port) || packet.port < 1 || packet.port > 65535) throw new Error(`port ${packet.port} is not between 1 and 65535`);
  const tracer = new NftTracer(ruleset, ctx, src.family);
  const start: NftBranch = {
    pkt: { family: src.family, src: formatIP(src), dst: formatIP(dst), dport: packet.port, proto: packet.protocol.toLowerCase(), mark: 0 },
    prob: 1,
    masquerade: false,
    comments: [],
    lookups: [],
  };
  const isLocal = (b: NftBranch) => tracer.env.localIPs.has(b.pkt.dst) || /^127\./.test(b.pkt.dst) || b.pkt.dst === '::1';
  const finals: Outcome[] = [];
  const done = (os: Outcome[]) => os.filter((o) => (o.end === 'DROP' || o.end === 'REJECT' ? (finals.push(o), false) : true));
  if (ctx.source === 'node') {
    for (const o of done(tracer.hook('output', [start]))) {
      for (const post of done(tracer.hook('postrouting', [o.b]))) {
        if (isLocal(post.b)) finals.push(...tracer.hook('input', [post.b]));
        else finals.push(post);
      }
    }
  } else {
    for (const o of done(tracer.hook('prerouting', [start]))) {
      if (isLocal(o.b)) finals.push(...tracer.hook('input', [o.b]));
      else for (const f of done(tracer.hook('forward', [o.b]))) finals.push(...tracer.hook('postrouting', [f.b]));
    }
  }
  return summarize(finals, tracer, packet, ctx);
}

function summarize(finals: Outcome[], tracer: NftTracer, packet: TracePacket, ctx: TraceContext): TraceDetail {
  const branches: (TraceBranch & { lookups: NftBranch['lookups'] })[] = finals.map((o) => {
    const verdict: Verdict = o.end === 'DROP' || o.end === 'REJECT' ? o.end : o.b.dnat ? 'DNAT' : o.b.acceptedBy ? 'ACCEPT' : 'NONE';
    return {
      probability: snapProbability(o.b.prob),
      verdict,
      ...(o.b.dnat ? { dnat: o.b.dnat } : {}),
      masquerade: o.b.masquerade,
      ...(o.decidedBy ?? o.b.acceptedBy ? { decidedBy: o.decidedBy ?? o.b.acceptedBy } : {}),
      comments: o.b.comments,
      ...(o.b.affinity ? { affinity: o.b.affinity } : {}),
      lookups: o.b.lookups,
    };
  });
  const { verdict, endpoints, steps, masquerade } = summarizeBranches(branches, finals.map((o) => o.b.steps));
  const warnings = [...tracer.warnings];
  if (tracer.synthesized.length) warnings.unshift(`the rules lack base chains; tracing from kube-proxy's hooks (${tracer.synthesized.join(', ')}) as it installs them`);
  const detail: TraceDetail = { verdict, endpoints, masquerade, steps, explanation: '', branches, warnings };
  detail.explanation = explainNft(detail, branches, packet, ctx);
  return detail;
}
