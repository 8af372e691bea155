/** What every trace engine reports once its branches are finished: shared by iptables, nftables and IPVS. */
import type { TraceBranch, TraceEndpoint, TraceStep, Verdict } from './types';

/** A step in a branch's path, linked back to the previous one (branches share their common prefix). */
export interface StepNode {
  step: TraceStep;
  /** 0 prerouting/output, 1 input/forward, 2 postrouting: steps are listed hook by hook. */
  phase: number;
  prev?: StepNode;
}

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
  const v = p * 100;
  return `${Number.isInteger(v) ? v : v.toFixed(2).replace(/\.?0+$/, '')}%`;
}

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
  const seen = new Set<string>();
  for (const last of paths) {
    const list: StepNode[] = [];
    for (let s = last; s; s = s.prev) list.push(s);
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      const k = `${s.step.table}\0${s.step.chain}\0${s.step.rule}\0${s.step.effect}`;
      if (!seen.has(k)) {
        seen.add(k);
        ordered.push(s);
      }
    }
  }
  const steps = ordered
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.phase - b.s.phase || a.i - b.i)
    .map((x) => x.s.step);
  const relevant = verdict === 'DNAT' ? branches.filter((b) => b.verdict === 'DNAT') : branches;
  const masquerade = relevant.some((b) => b.masquerade && b.probability > 0);
  return { verdict, endpoints: [...endpoints.values()], steps, masquerade };
}

/** The sentence for a packet a rule accepts without translation (every engine words it alike). */
export function acceptedSentence(what: string, by: { table: string; chain: string; comment?: string } | undefined): string {
  return `${what} is accepted by ${by ? `${by.table} ${by.chain}` : 'a rule'}${by?.comment ? ` ("${by.comment}")` : ''} without address translation.`;
}

/** The sentence for a packet no Service rule matches. */
export function unmatchedSentence(what: string, to: string): string {
  return `${what} matches no kube-proxy Service rule: it is not DNATed and goes on to ${to} unchanged (not a Service address and port these rules know).`;
}
