/** Follows the first packet of a new connection through compiled netfilter rules (nat and filter). */
import { formatIP, isLoopback, parseIP, type ParsedIP } from '../net/ip';
import { formatIPv4, ipv4Number } from '../rules/ports';
import type { Rule } from '../rules/types';
import { candidates, chainOf, dstKeyOf, type CompiledRules } from './compile';
import { evalMatch, type MatchEnv } from './match';
import { explain } from './explain';
import { snapProbability, summarizeBranches } from './summary';
import { copyBranch, readsDestination, SharedWalks, type Branch, type Outcome, type WalkLog } from './sharedWalks';
import type { TraceBranch, TraceContext, TraceDetail, TracePacket, Verdict } from './types';

const MAX_DEPTH = 64;
const MAX_BRANCHES = 100_000;

class Tracer {
  warnings = new Set<string>();
  branches = 0;
  phase = 0;
  env: MatchEnv;
  /** Set while a walk is recorded for sharing: its reads of the destination go here. */
  log: WalkLog | undefined;
  constructor(
    private rules: CompiledRules,
    ctx: TraceContext,
  ) {
    this.env = { localIPs: new Set(ctx.localIPs.map((ip) => canonical(ip))), inInterface: ctx.inInterface, outInterface: ctx.outInterface, warn: (m) => this.warnings.add(m) };
  }

  hasChain(table: string, chain: string): boolean {
    return chainOf(this.rules, table, chain) !== undefined;
  }

  /** Runs a built-in hook; a missing hook lets everything through unchanged. */
  hook(table: string, chain: string, b: Branch): Outcome[] {
    if (!this.hasChain(table, chain)) return [{ b, end: 'ACCEPT' }];
    return this.chain(table, chain, b, 0);
  }

  chain(table: string, name: string, start: Branch, depth: number): Outcome[] {
    const compiled = chainOf(this.rules, table, name);
    if (!compiled) {
      this.warnings.add(`chain ${table}/${name} is jumped to but not defined in the rules: treated as empty`);
      return [{ b: start, end: 'RETURN' }];
    }
    if (depth > MAX_DEPTH) {
      this.warnings.add(`jumps nest deeper than ${MAX_DEPTH} at ${table}/${name} (a loop?): returning`);
      return [{ b: start, end: 'RETURN' }];
    }
    const list = candidates(compiled, start.pkt.dstKey, start.pkt.dport);
    const log = this.log;
    if (log && compiled.key === 'dst') log.observed.push({ kind: 'chain', chain: compiled, list });
    const out: Outcome[] = [];
    // Branches still to walk from a rule on (a fan-out's other share, a jump that came back more than
    // once), as pairs: made only when a walk forks.
    let pendingB: Branch[] | undefined;
    let pendingI: number[] | undefined;
    let cur: Branch | undefined = start;
    let from = 0;
    for (;;) {
      for (let i = from; cur && i < list.length; i++) {
        const rule = list[i]!;
        let p = 1;
        let ok = true;
        for (const m of rule.matches) {
          const r = evalMatch(m, cur.pkt, this.env);
          if (log) {
            if (m.kind === 'statistic') log.shareable = false;
            else if (readsDestination(m)) log.observed.push({ kind: 'match', match: m, result: r });
          }
          if (r === false || r === 0) {
            ok = false;
            break;
          }
          if (typeof r === 'number' && r < 1) p *= r;
        }
        if (!ok) continue;
        let taken = cur;
        if (p < 1) {
          if (++this.branches > MAX_BRANCHES) throw new Error(`more than ${MAX_BRANCHES} branches: the rules fan out too far to trace`);
          (pendingB ??= []).push(copyBranch(cur, cur.prob * (1 - p)));
          (pendingI ??= []).push(i + 1);
          taken = copyBranch(cur, cur.prob * p);
        }
        const res = this.apply(rule, taken, p, depth);
        cur = undefined;
        const t = rule.target;
        const comesBack = !(t?.kind === 'chain' && t.goto) && t?.kind !== 'RETURN';
        const last = res.length - 1;
        for (let k = 0; k <= last; k++) {
          const o = res[k]!;
          if (o.end === 'RETURN' && comesBack) {
            // Came back from a jump (or a non-terminating target): go on with the next rule.
            if (!cur && k === last) cur = o.b;
            else {
              (pendingB ??= []).push(o.b);
              (pendingI ??= []).push(i + 1);
            }
          } else out.push(o);
        }
      }
      if (cur) {
        if (compiled.chain.policy) {
          const end = compiled.chain.policy;
          cur = this.step(cur, table, name, `policy ${end}`, end === 'ACCEPT' ? 'end of built-in chain: policy ACCEPT' : 'end of built-in chain: policy DROP');
          out.push({ b: cur, end, decidedBy: end === 'DROP' ? { table, chain: name, comment: `policy DROP of ${name}` } : undefined });
        } else out.push({ b: cur, end: 'RETURN' });
      }
      if (!pendingB?.length) return out;
      cur = pendingB.pop()!;
      from = pendingI!.pop()!;
    }
  }

  step(b: Branch, table: string, chain: string, rule: string, effect: string): Branch {
    const c = copyBranch(b);
    c.steps = { step: { table, chain, rule, effect }, phase: this.phase, prev: b.steps, listed: 0 };
    return c;
  }

  apply(rule: Rule, b0: Branch, p: number, depth: number): Outcome[] {
    const t = rule.target;
    const odds = p < 1 ? oddsText(p, b0.prob) : '';
    // One fresh branch per rule taken: this rule's comment, affinity, step and effects are set on it in
    // place (it is not shared until it is returned), rather than copied once per change.
    const b = copyBranch(b0);
    if (rule.comment) b.comments = { c: { table: rule.table, chain: rule.chain, comment: rule.comment, target: t ? targetName(t) : '' }, prev: b0.comments };
    for (const m of rule.matches) if (m.kind === 'recent' && m.op === 'set' && !m.negate) b.affinity = { seconds: this.rules.affinitySeconds.get(m.name) };
    if (!t) return [{ b: this.stepped(b, rule, `matched; no target, continue${odds}`), end: 'RETURN' }];
    switch (t.kind) {
      case 'chain':
        return this.chain(rule.table, t.chain, this.stepped(b, rule, `${t.goto ? 'goto' : 'jump to'} ${t.chain}${odds}`), depth + 1);
      case 'ACCEPT': {
        const where = { table: rule.table, chain: rule.chain, comment: rule.comment };
        this.stepped(b, rule, `ACCEPT${odds}`).acceptedBy = where;
        return [{ b, end: 'ACCEPT', decidedBy: where }];
      }
      case 'DROP':
      case 'REJECT':
        return [{ b: this.stepped(b, rule, `${t.kind}${odds}`), end: t.kind, decidedBy: { table: rule.table, chain: rule.chain, comment: rule.comment } }];
      case 'RETURN':
        return [{ b: this.stepped(b, rule, `RETURN${odds}`), end: 'RETURN' }];
      case 'DNAT': {
        if (this.log) this.log.shareable = false;
        const port = t.port ?? b.pkt.dport;
        const ip = t.garbled ? undefined : addr(t.ip);
        if (!ip) {
          this.warnings.add(
            t.garbled
              ? `the DNAT rule in ${rule.chain} reads "${t.text}": the iptables-save that printed these rules could not decode it (it is older than the iptables kube-proxy wrote them with; kubernetes#114537), so its endpoint is unknown and the trace goes on as if the rule were absent. Dump the rules with kube-proxy's own iptables-save (kubectl exec into the kube-proxy pod) to see the real target`
              : `DNAT to unreadable address ${t.ip}`,
          );
          return [{ b, end: 'RETURN' }];
        }
        this.stepped(b, rule, `DNAT to ${t.ip.includes(':') ? `[${t.ip}]` : t.ip}:${port}${odds}`);
        b.dnat = { ip: ip.text, port };
        b.pkt = { ...b.pkt, dst: ip.parsed, dstText: ip.text, dstKey: dstKeyOf(ip.text), dst4: ip.v4, dport: port, dnat: true };
        return [{ b, end: 'NAT' }];
      }
      case 'MASQUERADE':
      case 'SNAT':
        this.stepped(b, rule, `${t.kind}: source address rewritten${odds}`).masquerade = true;
        return [{ b, end: 'NAT' }];
      case 'MARK': {
        const mark = (((b.pkt.mark & ~t.mask) >>> 0) ^ t.value) >>> 0;
        this.stepped(b, rule, `mark 0x${b.pkt.mark.toString(16)} -> 0x${mark.toString(16)}${odds}`);
        b.pkt = { ...b.pkt, mark };
        return [{ b, end: 'RETURN' }];
      }
      case 'other':
        this.warnings.add(`target ${t.name} is not modelled: treated as non-terminating`);
        return [{ b: this.stepped(b, rule, `${t.name} (not modelled), continue`), end: 'RETURN' }];
    }
  }

  /** Records the rule as the step that made branch b (a fresh copy, the step before it b's own). */
  private stepped(b: Branch, rule: Rule, effect: string): Branch {
    const text = rule.synthetic ? `${rule.text}  (hook kube-proxy installs outside its restore payload)` : rule.text;
    b.steps = { step: { table: rule.table, chain: rule.chain, rule: text, effect }, phase: this.phase, prev: b.steps, listed: 0 };
    return b;
  }
}

function targetName(t: NonNullable<Rule['target']>): string {
  return t.kind === 'chain' ? t.chain : t.kind === 'other' ? t.name : t.kind;
}

interface Addr {
  parsed: ParsedIP;
  text: string;
  v4?: number;
}

/** Parses an address once, with a fast path for IPv4. */
function addr(text: string): Addr | undefined {
  const n = ipv4Number(text);
  if (n !== undefined) return { parsed: { family: 'IPv4', value: BigInt(n) }, text: formatIPv4(n), v4: n };
  const p = parseIP(text);
  return p ? { parsed: p, text: formatIP(p) } : undefined;
}

function canonical(ip: string): string {
  return addr(ip)?.text ?? ip;
}


function trim(p: number): string {
  return String(Math.round(p * 1e10) / 1e10);
}

/**
 * The words a step adds for a rule taken with probability p by a branch of probability prob. A batch
 * meets a handful of pairs (1/n and the share of the branches before it, for its endpoint counts):
 * they are kept, up to a bound.
 */
function oddsText(p: number, prob: number): string {
  let byProb = odds.get(p);
  if (!byProb) {
    if (odds.size >= ODDS_KEPT) odds.clear();
    odds.set(p, (byProb = new Map()));
  }
  let text = byProb.get(prob);
  if (text === undefined) {
    text = ` (rule probability ${trim(p)}: ${Number((snapProbability(prob) * 100).toFixed(2))}% of new connections take this way)`;
    if (byProb.size < ODDS_KEPT) byProb.set(prob, text);
  }
  return text;
}

const odds = new Map<number, Map<number, string>>();
const ODDS_KEPT = 1024;

export interface TraceOptions {
  /**
   * Share the walk after nat PREROUTING/OUTPUT between branches that provably take it alike (default on;
   * off only to compare both ways in tests).
   */
  share?: boolean;
  /** Filled with how many branches reused another branch's walk. */
  stats?: { reused: number };
}

export function traceCompiled(rules: CompiledRules, packet: TracePacket, ctx: TraceContext, options: TraceOptions = {}): TraceDetail {
  const src = addr(packet.from);
  const dst = addr(packet.to);
  if (!src) throw new Error(`source "${packet.from}" is not an IP address`);
  if (!dst) throw new Error(`destination "${packet.to}" is not an IP address`);
  if (src.parsed.family !== dst.parsed.family) throw new Error(`source ${packet.from} and destination ${packet.to} are of different IP families`);
  if (!Number.isInteger(packet.port) || packet.port < 1 || packet.port > 65535) throw new Error(`port ${packet.port} is not between 1 and 65535`);
  const tracer = new Tracer(rules, ctx);
  const start = copyBranch({
    pkt: { src: src.parsed, srcText: src.text, src4: src.v4, dst: dst.parsed, dstText: dst.text, dstKey: dstKeyOf(dst.text), dst4: dst.v4, dport: packet.port, proto: packet.protocol.toLowerCase(), mark: 0, dnat: false },
    prob: 1,
    masquerade: false,
  });
  const fromNode = ctx.source === 'node';
  const finals: Outcome[] = [];
  const natFirst = tracer.hook('nat', fromNode ? 'OUTPUT' : 'PREROUTING', start);
  const shared = options.share === false ? undefined : new SharedWalks();
  for (const o of natFirst) {
    if (o.end === 'DROP' || o.end === 'REJECT') {
      finals.push(o);
      continue;
    }
    const d4 = o.b.pkt.dst4;
    const local = tracer.env.localIPs.has(o.b.pkt.dstText) || (d4 !== undefined ? d4 >>> 24 === 127 : isLoopback(o.b.pkt.dstText));
    const again = shared?.replay(o.b, local, (ob) => (ob.kind === 'match' ? evalMatch(ob.match, o.b.pkt, tracer.env) === ob.result : candidates(ob.chain, o.b.pkt.dstKey, o.b.pkt.dport) === ob.list));
    if (again) {
      finals.push(...again);
      continue;
    }
    const log: WalkLog | undefined = shared && { observed: [], shareable: true };
    tracer.log = log;
    const outs = afterNat(tracer, o, fromNode, local);
    tracer.log = undefined;
    if (shared && log!.shareable) shared.remember(o.b, local, log!.observed, outs);
    finals.push(...outs);
  }
  if (options.stats && shared) options.stats.reused += shared.reused;
  return summarize(finals, tracer, packet, ctx, rules.synthesized, rules.notes);
}

/** The filter hooks, then nat POSTROUTING, for one branch that nat PREROUTING/OUTPUT let through. */
function afterNat(tracer: Tracer, o: Outcome, fromNode: boolean, local: boolean): Outcome[] {
  const finals: Outcome[] = [];
  const filterHooks = fromNode ? (local ? ['OUTPUT', 'INPUT'] : ['OUTPUT']) : local ? ['INPUT'] : ['FORWARD'];
  let live: Outcome[] = [o];
  for (const hook of filterHooks) {
    tracer.phase = hook === 'INPUT' && fromNode ? 2 : 1;
    const next: Outcome[] = [];
    for (const l of live) for (const r of tracer.hook('filter', hook, l.b)) (r.end === 'DROP' || r.end === 'REJECT' ? finals : next).push(r);
    live = next;
  }
  for (const l of live) {
    if (!fromNode && local) {
      finals.push(l);
      continue;
    }
    tracer.phase = 3;
    for (const r of tracer.hook('nat', 'POSTROUTING', l.b)) finals.push(r);
  }
  return finals;
}

function summarize(finals: Outcome[], tracer: Tracer, packet: TracePacket, ctx: TraceContext, synthesized: string[], notes: string[] = []): TraceDetail {
  const branches: TraceBranch[] = finals.map((o) => {
    const comments: TraceBranch['comments'] = [];
    for (let c = o.b.comments; c; c = c.prev) comments.push(c.c);
    comments.reverse();
    const verdict: Verdict = o.end === 'DROP' || o.end === 'REJECT' ? o.end : o.b.dnat ? 'DNAT' : o.b.acceptedBy ? 'ACCEPT' : 'NONE';
    return { probability: snapProbability(o.b.prob), verdict, dnat: o.b.dnat, masquerade: o.b.masquerade, decidedBy: o.decidedBy ?? o.b.acceptedBy, comments, affinity: o.b.affinity };
  });
  const { verdict, endpoints, steps, masquerade } = summarizeBranches(branches, finals.map((o) => o.b.steps));
  const warnings = [...tracer.warnings];
  if (synthesized.length) warnings.unshift(`the rules lack the built-in chains ${synthesized.join(', ')}: tracing from kube-proxy's own hook rules (as installed on every node)`);
  warnings.unshift(...notes);
  const detail: TraceDetail = { verdict, endpoints, masquerade, steps, explanation: '', branches, warnings };
  detail.explanation = explain(detail, packet, ctx);
  return detail;
}
