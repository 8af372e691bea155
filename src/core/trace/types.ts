/** Trace inputs and results (the `ksd trace` JSON contract plus core-only detail). */
import type { Protocol } from '../model/types';

export interface TracePacket {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
}

export type SourceKind = 'pod' | 'node' | 'external';

export interface TraceContext {
  /** Where the packet comes from: a pod (enters via PREROUTING), the node itself (OUTPUT), or outside. */
  source: SourceKind;
  /** The traced node's own addresses (addrtype LOCAL); loopback is always local. */
  localIPs: string[];
  /** Interface the packet arrives on / leaves by, for -i / -o matches, where known. */
  inInterface?: string;
  outInterface?: string;
  nodeName?: string;
  /** Facts from the cluster state to add to the explanation (e.g. why a Service has no endpoints). */
  notes?: (servicePort: string, verdict: Verdict) => string[];
  /** Facts from the cluster state about a destination no Service rule matched (e.g. an ipMode Proxy ingress IP). */
  unmatched?: (packet: TracePacket) => string[];
}

export type Verdict = 'DNAT' | 'DROP' | 'REJECT' | 'ACCEPT' | 'NONE';

export interface TraceEndpoint {
  ip: string;
  port: number;
  probability: number;
}

export interface TraceStep {
  table: string;
  chain: string;
  /** The rule text (`-A CHAIN ...`), or `policy ACCEPT` when a built-in chain ends. */
  rule: string;
  effect: string;
}

export interface TraceResult {
  verdict: Verdict;
  endpoints: TraceEndpoint[];
  masquerade: boolean;
  steps: TraceStep[];
  explanation: string;
}

/** One way the packet can go (a statistic fan-out gives several). */
export interface TraceBranch {
  probability: number;
  verdict: Verdict;
  dnat?: { ip: string; port: number };
  masquerade: boolean;
  /** The rule that decided a DROP/REJECT/ACCEPT. */
  decidedBy?: { table: string; chain: string; comment?: string };
  /** Comments of every rule that matched, in order. */
  comments: { table: string; chain: string; comment: string; target: string }[];
  affinity?: { seconds?: number };
}

export interface TraceDetail extends TraceResult {
  branches: TraceBranch[];
  warnings: string[];
}
