/**
 * Sharing the walk after nat PREROUTING/OUTPUT between the branches of one trace. The branches of a
 * Service's fan-out differ in their DNAT target, then usually run the same filter and POSTROUTING rules.
 * A walk is recorded with every read it makes of the packet's destination (a match on it, the rules a
 * destination-indexed chain offers it); another branch reuses the walk only when all its other packet
 * fields and branch state (its probability aside: only a statistic match reads it) are equal and every recorded read gives it the same answer, so it would take
 * exactly the same rules. A walk that rewrites more than the mark (a DNAT), or draws a random number (a
 * statistic match: the step text quotes the branch's odds), is never shared.
 */
import type { Match, Rule } from '../rules/types';
import type { CompiledChain } from './compile';
import type { PacketState } from './match';
import type { StepNode } from './summary';
import type { TraceBranch } from './types';

export type CommentNode = { c: TraceBranch['comments'][number]; prev?: CommentNode };

/** A copy of a branch with every field in one order (one object shape for all branches: cheaper to copy and read). */
export function copyBranch(b: Branch, prob = b.prob): Branch {
  return { pkt: b.pkt, prob, dnat: b.dnat, masquerade: b.masquerade, steps: b.steps, comments: b.comments, affinity: b.affinity, acceptedBy: b.acceptedBy };
}

/** One way through the rules, as the engine follows it. */
export interface Branch {
  pkt: PacketState;
  prob: number;
  dnat?: { ip: string; port: number };
  masquerade: boolean;
  steps?: StepNode;
  comments?: CommentNode;
  affinity?: { seconds?: number };
  acceptedBy?: { table: string; chain: string; comment?: string };
}

export type End = 'RETURN' | 'ACCEPT' | 'DROP' | 'REJECT' | 'NAT';

export interface Outcome {
  b: Branch;
  end: End;
  decidedBy?: { table: string; chain: string; comment?: string };
}

/** A read of the destination: a match and its answer, or the rules a destination-indexed chain offered. */
export type Observation = { kind: 'match'; match: Match; result: boolean | number } | { kind: 'chain'; chain: CompiledChain; list: Rule[] };

/** What a walk being recorded collects. */
export interface WalkLog {
  observed: Observation[];
  /** False once the walk did something another branch could not replay (a DNAT, a random draw). */
  shareable: boolean;
}

/** The matches whose answer depends on the packet's destination. */
export function readsDestination(m: Match): boolean {
  return m.kind === 'dst' || (m.kind === 'addrtype' && m.which === 'dst');
}

/** What one recorded outcome added to the branch it started from. */
interface Delta {
  steps: StepNode[];
  comments: CommentNode[];
  mark: number | undefined;
  masquerade: boolean;
  affinity: Branch['affinity'];
  acceptedBy: Branch['acceptedBy'];
  end: End;
  decidedBy: Outcome['decidedBy'];
}

interface Walk {
  input: Branch;
  local: boolean;
  observed: Observation[];
  deltas: Delta[];
}

/** At most this many recorded walks per trace (a trace has a handful of distinct continuations). */
const MAX_WALKS = 16;

export class SharedWalks {
  private readonly walks: Walk[] = [];
  /** How many branches reused a recorded walk (for tests). */
  reused = 0;

  /** The outcomes of a recorded walk this branch would repeat exactly; undefined when there is none. */
  replay(b: Branch, local: boolean, holds: (o: Observation) => boolean): Outcome[] | undefined {
    for (const w of this.walks) {
      if (w.local !== local || !sameStart(w.input, b)) continue;
      let all = true;
      for (const o of w.observed) {
        if (!holds(o)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      this.reused++;
      return w.deltas.map((d) => applyDelta(d, b));
    }
    return undefined;
  }

  /** Keeps a finished walk for the branches that follow, when its outcomes are expressible as additions. */
  remember(input: Branch, local: boolean, observed: Observation[], outs: readonly Outcome[]): void {
    if (this.walks.length >= MAX_WALKS) return;
    const deltas: Delta[] = [];
    for (const o of outs) {
      const d = deltaOf(input, o);
      if (!d) return;
      deltas.push(d);
    }
    this.walks.push({ input, local, observed, deltas });
  }
}

/** Equal in everything a walk reads besides the destination, and in the branch state it carries on. */
function sameStart(a: Branch, b: Branch): boolean {
  const p = a.pkt;
  const q = b.pkt;
  return (
    p.srcText === q.srcText &&
    p.proto === q.proto &&
    p.dport === q.dport &&
    p.mark === q.mark &&
    p.dnat === q.dnat &&
    p.dst.family === q.dst.family &&
    a.masquerade === b.masquerade &&
    a.affinity === b.affinity &&
    a.acceptedBy === b.acceptedBy
  );
}

function deltaOf(input: Branch, o: Outcome): Delta | undefined {
  const b = o.b;
  if (b.prob !== input.prob || b.dnat !== input.dnat) return undefined;
  let mark: number | undefined;
  if (b.pkt !== input.pkt) {
    const p = b.pkt;
    const q = input.pkt;
    if (p.src !== q.src || p.srcText !== q.srcText || p.src4 !== q.src4 || p.dst !== q.dst || p.dstText !== q.dstText || p.dstKey !== q.dstKey || p.dst4 !== q.dst4 || p.dport !== q.dport || p.proto !== q.proto || p.dnat !== q.dnat) return undefined;
    mark = p.mark;
  }
  const steps: StepNode[] = [];
  for (let s = b.steps; s !== input.steps; s = s.prev) {
    if (!s) return undefined;
    steps.push(s);
  }
  const comments: CommentNode[] = [];
  for (let c = b.comments; c !== input.comments; c = c.prev) {
    if (!c) return undefined;
    comments.push(c);
  }
  steps.reverse();
  comments.reverse();
  return { steps, comments, mark, masquerade: b.masquerade, affinity: b.affinity, acceptedBy: b.acceptedBy, end: o.end, decidedBy: o.decidedBy };
}

function applyDelta(d: Delta, from: Branch): Outcome {
  // One node stands for the recorded walk's steps (the summary lists each step once anyway).
  const last = d.steps[d.steps.length - 1];
  const steps: StepNode | undefined = last ? { step: last.step, phase: last.phase, prev: from.steps, run: d.steps, listed: 0 } : from.steps;
  let comments = from.comments;
  for (const c of d.comments) comments = { c: c.c, prev: comments };
  const pkt = d.mark === undefined ? from.pkt : { ...from.pkt, mark: d.mark };
  return { b: { pkt, prob: from.prob, dnat: from.dnat, masquerade: d.masquerade, steps, comments, affinity: d.affinity, acceptedBy: d.acceptedBy }, end: d.end, decidedBy: d.decidedBy };
}
