/** The nftables ruleset model our parsers produce and the nft tracer reads. */
export { RulesParseError } from '../types';

/** A problem found while reading rules text; `line` is 1-based. */
export interface RulesIssue {
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

/** A value on the right of a match, a lookup or a verdict map. */
export type NftValue =
  | { kind: 'ref'; name: string }
  | { kind: 'set'; items: string[] }
  | { kind: 'map'; entries: { key: string[]; value: string }[] }
  | { kind: 'value'; text: string };

export type NftStatement =
  /** `ip daddr 10.0.0.1`, `ip saddr != { a, b }`, `ip daddr @set`, `mark and 0x4000 == 0`, `ct state new`. */
  | { kind: 'match'; keys: string[]; mask?: string; op: '==' | '!='; value: NftValue }
  /** `ip daddr . meta l4proto . th dport vmap @map`, `numgen random mod 2 vmap { 0 : goto a , 1 : goto b }`. */
  | { kind: 'vmap'; keys: string[]; map: NftValue }
  | { kind: 'verdict'; verdict: 'jump' | 'goto' | 'return' | 'drop' | 'accept' | 'reject' | 'continue'; target?: string }
  | { kind: 'dnat'; addr: string; port?: number }
  /** `dnat ip to numgen random mod 2 map { 0 : 10.0.0.1 . 80 , 1 : 10.0.0.2 . 80 }` (kube-proxy 1.36+): entry values are `addr . port`. */
  | { kind: 'dnat-map'; keys: string[]; entries: { key: string[]; value: string }[] }
  | { kind: 'masquerade'; flags: string[] }
  | { kind: 'mark-set'; op: 'or' | 'xor' | 'and' | 'set'; value: string }
  | { kind: 'update'; set: string; keys: string[] }
  | { kind: 'counter' }
  /** Anything we do not understand, kept verbatim (the parser also emits a warning). */
  | { kind: 'opaque'; text: string };

export interface NftRule {
  /** The rule as written (without `add rule FAMILY TABLE CHAIN`, with its comment). */
  text: string;
  comment?: string;
  statements: NftStatement[];
  line: number;
  handle?: number;
}

export interface NftChain {
  name: string;
  /** Base chains only. */
  type?: string;
  hook?: string;
  priority?: number;
  policy?: string;
  comment?: string;
  rules: NftRule[];
  line: number;
}

export interface NftElement {
  key: string[];
  /** Maps only: the value (a verdict such as `goto chain` for vmaps). */
  value?: string;
  comment?: string;
}

export interface NftSet {
  name: string;
  kind: 'set' | 'map';
  /** `ipv4_addr . inet_proto . inet_service : verdict` for a map; `ipv4_addr` for a set. */
  type: string;
  flags: string[];
  /** Seconds. */
  timeout?: number;
  comment?: string;
  elements: NftElement[];
  line: number;
}

export interface NftTable {
  family: string;
  name: string;
  comment?: string;
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

export interface NftRuleset {
  /** `ruleset` for `nft list ruleset` output, `transaction` for `add table ...` lines. */
  form: 'ruleset' | 'transaction';
  tables: NftTable[];
  issues: RulesIssue[];
}

export function findTable(rs: NftRuleset, family: string, name: string): NftTable | undefined {
  return rs.tables.find((t) => t.family === family && t.name === name);
}
