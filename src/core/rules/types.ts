/** Parsed netfilter rules (iptables-save / restore payloads and `iptables -L` listings). */
import type { CIDR } from '../net/ip';

export type RulesFormat = 'save' | 'listing';

/** An address match (`-s`/`-d`), with the CIDR kept for fast matching. */
export interface AddrMatch {
  kind: 'src' | 'dst';
  negate: boolean;
  cidr: CIDR;
  /** Canonical text, always with a prefix (`10.0.0.1/32`). */
  text: string;
  /** IPv4 network and mask as unsigned 32-bit numbers, for fast matching. */
  v4?: { base: number; mask: number };
}

export type Match =
  | AddrMatch
  | { kind: 'proto'; negate: boolean; proto: string }
  | { kind: 'in' | 'out'; negate: boolean; iface: string }
  | { kind: 'comment'; text: string }
  /** --dport/--sport (tcp/udp/sctp) and multiport lists: ranges [from, to]. */
  | { kind: 'port'; which: 'dport' | 'sport'; negate: boolean; ranges: [number, number][] }
  | { kind: 'addrtype'; which: 'src' | 'dst'; negate: boolean; type: string }
  | { kind: 'mark'; negate: boolean; value: number; mask: number }
  | { kind: 'ctstate'; negate: boolean; states: string[] }
  | { kind: 'statistic'; mode: 'random'; probability: number; text: string; negate: boolean }
  | { kind: 'statistic'; mode: 'nth'; every: number; packet: number; text: string; negate: boolean }
  | { kind: 'recent'; op: 'set' | 'rcheck' | 'update' | 'remove'; name: string; seconds?: number; reap: boolean; negate: boolean }
  | { kind: 'nfacct'; name: string }
  | { kind: 'set'; negate: boolean; name: string; flags: string }
  /** A match module we do not model: kept as text; it never matches in a trace. */
  | { kind: 'opaque'; module: string; text: string };

export type Target =
  | { kind: 'chain'; chain: string; goto: boolean }
  | { kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { kind: 'REJECT'; with?: string }
  | { kind: 'DNAT'; ip: string; port?: number; text: string; /** The dump printed an address no kernel rule can hold (an iptables-save older than the rule's writer). */ garbled?: boolean }
  | { kind: 'SNAT'; text: string }
  | { kind: 'MASQUERADE'; randomFully: boolean; ports?: string }
  /** MARK: new = (old & ~mask) ^ value (iptables' --set-xmark form; or/xor/and/set are expressed in it). */
  | { kind: 'MARK'; value: number; mask: number }
  /** A target we do not model (LOG, CT, ...): kept as text, treated as non-terminating. */
  | { kind: 'other'; name: string; text: string };

export interface Rule {
  table: string;
  chain: string;
  /** 0-based position in its chain. */
  index: number;
  /** 1-based line in the input. */
  line: number;
  /** The rule in iptables-save syntax (`-A CHAIN ...`), as given or rebuilt from a listing. */
  text: string;
  matches: Match[];
  /** undefined: a rule with no target (only counts). */
  target?: Target;
  comment?: string;
  counters?: { packets: number; bytes: number };
  /** Hook rule added by us because the input lacks the built-in chain (kube-proxy installs it outside the payload). */
  synthetic?: boolean;
}

export interface Chain {
  name: string;
  table: string;
  /** Built-in chains have a policy; user chains have none. */
  policy?: 'ACCEPT' | 'DROP';
  counters?: { packets: number; bytes: number };
  /** Reference count from a listing header, when given. */
  references?: number;
  rules: Rule[];
  line: number;
}

export interface RuleTable {
  name: string;
  chains: Map<string, Chain>;
}

export interface RuleWarning {
  line: number;
  message: string;
}

export interface RuleSet {
  format: RulesFormat;
  family: 'IPv4' | 'IPv6';
  tables: Map<string, RuleTable>;
  /** Chains deleted by the payload (`-X NAME`), per table. */
  deleted: { table: string; chain: string; line: number }[];
  warnings: RuleWarning[];
}

/** A parse failure with the 1-based line it happened on. */
export class RulesParseError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

export const BUILTIN_CHAINS: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
