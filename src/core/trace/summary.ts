/** What every trace engine reports once its branches are finished: shared by iptables, nftables and IPVS. */
import type { TraceBranch, TraceEndpoint, TraceStep, Verdict } from './types';

/** A step in a branch's path, linked back to the previous one (branches share their common prefix). */
export interface StepNode {
  step: TraceStep;
  /** 0 prerouting/output, 1 input/forward, 2 postrouting: steps are listed hook by hook. */
  phase: number;
  prev?: StepNode;
  /**
   * When set, this node stands for these nodes, in order, after `prev` (a walk shared from another
   * branch: its nodes as that branch met them; `step` and `phase` are the last one's).
   */
  run?: readonly StepNode[];
  /** The summary that last listed this node (summarizeBranches' stamp: a node met before is skipped without a set). */
  listed?: number;
}

/** Stamps summaries apart (see StepNode.listed). */
let stamp = 0;

/** Probabilities made from 10-digit (or kernel-rounded) factors, snapped to the simple fraction they stand for. */
export function snapProbability(p: number): number {
  for (let d = 1; d <= 4096; d++) {
    const n = Math.round(p * d);
    if (Math.abs(p - n / d) < 1e-6 / d) return n / d;
  }
  return Math.round(p * 1e10) / 1e10;
}

/** A probability as a percentage for explanations: 50%, 33.33%. */
export function percent(p: number): string {
  let text = percents.get(p);
  if (text === undefined) {
    const v = p * 100;
    text = `${Number.isInteger(v) ? v : v.toFixed(2).replace(/\.?0+$/, '')}%`;
    // A batch meets a handful of distinct probabilities (1/n for its endpoint counts): keep them.
    if (percents.size < 10_000) percents.set(p, text);
  }
  return text;
}

const percents = new Map<number, string>();

export interface BranchSummary {
  verdict: Verdict;
  endpoints: TraceEndpoint[];
  steps: TraceStep[];
  masquerade: boolean;
}

/**
 * The overall verdict (DNAT over ACCEPT over REJECT over DROP over NONE), each DNAT target once with its summed
 * probability, every step once in hook order, and whether the packets that reach the verdict are masqueraded.
 */
export function summarizeBranches(branches: readonly TraceBranch[], paths: readonly (StepNode | undefined)[]): BranchSummary {
  const endpoints = new Map<string, TraceEndpoint>();
  for (const b of branches) {
    if (b.verdict !== 'DNAT' || !b.dnat) continue;
    const key = `${b.dnat.ip}|${b.dnat.port}`;
    const e = endpoints.get(key);
    if (e) e.probability = snapProbability(e.probability + b.probability);
    else endpoints.set(key, { ip: b.dnat.ip, port: b.dnat.port, probability: b.probability });
  }
  const order: Verdict[] = ['DNAT', 'ACCEPT', 'REJECT', 'DROP', 'NONE'];
  const verdict = order.find((v) => branches.some((b) => b.verdict === v)) ?? 'NONE';
  const ordered: StepNode[] = [];
  // Steps already listed, by rule text, then compared field by field (no key string per step).
  const seen = new Map<string, TraceStep[]>();
  // Branches share the nodes of their common prefix: a node met before (stamped by this summary) is skipped.
  const now = (stamp = (stamp + 1) % Number.MAX_SAFE_INTEGER);
  const list1 = (s: StepNode) => {
    const same = seen.get(s.step.rule);
    if (!same) seen.set(s.step.rule, [s.step]);
    else if (same.some((x) => x === s.step || (x.table === s.step.table && x.chain === s.step.chain && x.effect === s.step.effect))) return;
    else same.push(s.step);
    ordered.push(s);
  };
  const list: StepNode[] = [];
  for (const last of paths) {
    list.length = 0;
    for (let s = last; s && s.listed !== now; s = s.prev) list.push(s);
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      s.listed = now;
      if (!s.run) list1(s);
      else
        for (const r of s.run) {
          if (r.listed === now) continue;
          r.listed = now;
          list1(r);
        }
    }
  }
  const steps = inPhaseOrder(ordered);
  const relevant = verdict === 'DNAT' ? branches.filter((b) => b.verdict === 'DNAT') : branches;
  const masquerade = relevant.some((b) => b.masquerade && b.probability > 0);
  return { verdict, endpoints: [...endpoints.values()], steps, masquerade };
}

/** The steps hook by hook (a stable sort by phase), kept in first-seen order within a phase. */
function inPhaseOrder(ordered: readonly StepNode[]): TraceStep[] {
  const byPhase: TraceStep[][] = [];
  for (const s of ordered) {
    if (!Number.isInteger(s.phase) || s.phase < 0 || s.phase > 15) {
      return ordered
        .map((x, i) => ({ x, i }))
        .sort((a, b) => a.x.phase - b.x.phase || a.i - b.i)
        .map((y) => y.x.step);
    }
    (byPhase[s.phase] ??= []).push(s.step);
  }
  const out: TraceStep[] = [];
  for (const list of byPhase) if (list) out.push(...list);
  return out;
}

/** The sentence for a packet a rule accepts without translation (every engine words it alike). */
export function acceptedSentence(what: string, by: { table: string; chain: string; comment?: string } | undefined): string {
  return `${what} is accepted by ${by ? `${by.table} ${by.chain}` : 'a rule'}${by?.comment ? ` ("${by.comment}")` : ''} without address translation.`;
}

/**
 * ClientIP affinity in iptables and nftables: the endpoint chain records the source on every new connection
 * (`-m recent --set`, nft `update @affinity-...`) and the service chain matches a record younger than the
 * timeout (`--rcheck --seconds N --reap`, the set's timeout), so the window restarts with each connection.
 */
export function affinitySentence(from: string, seconds: number | undefined): string {
  const window = seconds !== undefined ? ` as long as each comes within ${seconds} s of the previous one` : '';
  return `Session affinity (ClientIP): later connections from ${from} go to the same endpoint${window} (the record is kept on this node only).`;
}

/**
 * The sentence for a packet no Service rule matches, followed by the notes that say what the destination is
 * (a Proxy-mode ingress, a port the Service lacks, a health-check port). Without such a note the sentence
 * says the destination is unknown to the rules; with one, the note says what it is instead.
 */
export function unmatchedSentences(what: string, to: string, notes: readonly string[]): string[] {
  const unknown = notes.length ? '' : ' (not a Service address and port these rules know)';
  return [`${what} matches no kube-proxy Service rule: it is not DNATed and goes on to ${to} unchanged${unknown}.`, ...notes];
}
