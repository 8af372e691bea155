/** Rebuilds rule text in iptables-save syntax, and a canonical key for semantic comparison. */
import { formatPortList } from './ports';
import { hex, quoteWord } from './tokenize';
import type { Match, Rule, Target } from './types';

export function matchText(m: Match): string {
  const not = (neg: boolean) => (neg ? '! ' : '');
  switch (m.kind) {
    case 'src':
      return `${not(m.negate)}-s ${m.text}`;
    case 'dst':
      return `${not(m.negate)}-d ${m.text}`;
    case 'proto':
      return `${not(m.negate)}-p ${m.proto}`;
    case 'in':
      return `${not(m.negate)}-i ${m.iface}`;
    case 'out':
      return `${not(m.negate)}-o ${m.iface}`;
    case 'comment':
      return `-m comment --comment ${quoteWord(m.text)}`;
    case 'port':
      return m.ranges.length > 1 ? `-m multiport ${not(m.negate)}--${m.which}s ${formatPortList(m.ranges)}` : `${not(m.negate)}--${m.which} ${formatPortList(m.ranges)}`;
    case 'addrtype':
      return `-m addrtype ${not(m.negate)}--${m.which}-type ${m.type}`;
    case 'mark':
      return `-m mark ${not(m.negate)}--mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`;
    case 'ctstate':
      return `-m conntrack ${not(m.negate)}--ctstate ${m.states.join(',')}`;
    case 'statistic':
      return m.mode === 'random' ? `-m statistic --mode random ${not(m.negate)}--probability ${m.text}` : `-m statistic --mode nth ${not(m.negate)}--every ${m.every} --packet ${m.packet}`;
    case 'recent':
      return `-m recent ${not(m.negate)}--${m.op}${m.seconds !== undefined ? ` --seconds ${m.seconds}` : ''}${m.reap ? ' --reap' : ''} --name ${m.name}`;
    case 'nfacct':
      return `-m nfacct --nfacct-name ${m.name}`;
    case 'set':
      return `-m set ${not(m.negate)}--match-set ${m.name} ${m.flags}`;
    case 'opaque':
      return m.text;
  }
}

export function targetText(t: Target): string {
  switch (t.kind) {
    case 'chain':
      return `${t.goto ? '-g' : '-j'} ${t.chain}`;
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return `-j ${t.kind}`;
    case 'REJECT':
      return `-j REJECT${t.with ? ` --reject-with ${t.with}` : ''}`;
    case 'DNAT':
      return `-j DNAT --to-destination ${t.text}`;
    case 'SNAT':
      return `-j SNAT --to-source ${t.text}`;
    case 'MASQUERADE':
      return `-j MASQUERADE${t.ports ? ` --to-ports ${t.ports}` : ''}${t.randomFully ? ' --random-fully' : ''}`;
    case 'MARK':
      return `-j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case 'other':
      return `-j ${t.text}`;
  }
}

/** Where a tcp/udp/sctp port match needs its module named. */
function withProtoModule(r: Pick<Rule, 'matches'>, parts: string[]): string[] {
  const proto = r.matches.find((m) => m.kind === 'proto');
  const hasPort = r.matches.some((m) => m.kind === 'port' && m.ranges.length === 1);
  if (!proto || proto.kind !== 'proto' || !hasPort) return parts;
  const i = parts.findIndex((p) => /^(! )?--[ds]port /.test(p));
  if (i >= 0) parts[i] = `-m ${proto.proto} ${parts[i]}`;
  return parts;
}

export function ruleText(r: Pick<Rule, 'chain' | 'matches' | 'target'>): string {
  const parts = withProtoModule(r, r.matches.map(matchText));
  return [`-A ${r.chain}`, ...parts, ...(r.target ? [targetText(r.target)] : [])].join(' ');
}

/** Statistic probabilities as the kernel stores them (u32 of p * 2^31), so 0.3333333333 == 0.33333333349. */
export function kernelProbability(p: number): number {
  return Math.round(p * 0x80000000);
}

/**
 * A key equal for rules that behave the same: match order, quoting, `/32`, `--or-mark` vs
 * `--set-xmark`, the restore vs save spelling of probabilities and of `-m tcp` are normalised away.
 */
export function ruleKey(r: Pick<Rule, 'chain' | 'matches' | 'target'>): string {
  const parts = r.matches.map((m) => (m.kind === 'statistic' && m.mode === 'random' ? `-m statistic --probability ${kernelProbability(m.probability)}${m.negate ? '!' : ''}` : matchText(m)));
  parts.sort();
  // A bare -j REJECT is saved with its default --reject-with.
  const t = r.target?.kind === 'REJECT' && /^icmp6?-port-unreachable$/.test(r.target.with ?? '') ? { kind: 'REJECT' as const } : r.target;
  return `${r.chain} ${parts.join(' ')} => ${t ? targetText(t) : '(none)'}`;
}
