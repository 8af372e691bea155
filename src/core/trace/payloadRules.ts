/**
 * kube-proxy's rules as the trace engine's Rule objects, straight from the renderer's payload: no
 * iptables-save text is printed and parsed back. Each rule comes out as parsing its iptables-save line
 * would give it (the kernel's match order, kernel-rounded probabilities, the saved spelling of marks,
 * addresses and REJECT); the line itself is printed only when a trace shows the rule.
 *
 * The words kube-proxy writes are a small vocabulary, read here directly; anything outside it (odd
 * names, quotes, an unusual module) goes the long way, through the save line and the rules parser, so
 * both ways always agree.
 */
import { formatSaveParts, saveMatchWords, saveParts, saveTargetWords, withPrefix, type SaveParts } from '../proxy/iptables/saveFormat';
import { ruleWords } from '../proxy/iptables/payload';
import type { IPFamily } from '../model/types';
import { parseNatDestination, parseRuleArgs, type SharedMatches } from '../rules/args';
import { parseAddr, parsePortList } from '../rules/ports';
import { parseValueMask, tokenize } from '../rules/tokenize';
import type { Match, Rule, Target } from '../rules/types';

interface Built {
  matches: Match[];
  target?: Target;
  comment?: string;
}

/** A rule read from kube-proxy's words; its iptables-save line is printed on first use. */
export class PayloadRule implements Rule {
  readonly line = 0;
  readonly matches: Match[];
  readonly target?: Target;
  readonly comment?: string;
  private saved?: string;

  constructor(
    readonly table: string,
    readonly chain: string,
    /** Orders the rule in its chain (positions are not dense when Services are added one by one). */
    public index: number,
    /** The words after `-A CHAIN` as kube-proxy writes them. */
    private readonly source: string,
    private readonly family: IPFamily,
    built: Built,
    saved?: string,
  ) {
    this.matches = built.matches;
    if (built.target) this.target = built.target;
    if (built.comment !== undefined) this.comment = built.comment;
    this.saved = saved;
  }

  get text(): string {
    return (this.saved ??= saveLine(this.chain, words(this.source), this.family));
  }
}

/** The rule's line as iptables-save prints it. */
function saveLine(chain: string, kubeProxyWords: string[], family: IPFamily): string {
  return `-A ${chain} ${formatSaveParts(saveParts(kubeProxyWords), family).join(' ')}`.trimEnd();
}

/** Converts one payload rule (`{chain, text}` of kube-proxy's words) for tracing. */
export function payloadRule(table: string, chain: string, index: number, text: string, family: IPFamily, shared: SharedMatches): PayloadRule {
  const w = words(text);
  const fast = w.length && plainText(text) ? build(saveParts(w), family, shared) : undefined;
  if (fast) return new PayloadRule(table, chain, index, text, family, fast);
  // The long way: the save line through the rules parser (as parsing the printed save view did).
  const line = saveLine(chain, w, family);
  const parsed = parseRuleArgs(tokenize(line, 0), 0, [], 2, shared);
  return new PayloadRule(table, chain, index, text, family, parsed, line);
}

/** kube-proxy's words of a rule (as ruleWords splits them), by a quicker scan for the usual text. */
function words(text: string): string[] {
  if (!plainText(text)) return ruleWords(text);
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) === 32) {
      i++;
      continue;
    }
    let j: number;
    if (text.charCodeAt(i) === 34) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return ruleWords(text);
      j = close + 1;
    } else {
      j = text.indexOf(' ', i + 1);
      if (j < 0) j = n;
    }
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/** Printable ASCII and spaces, no backslash: the text the quick scan reads as ruleWords would. */
function plainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126 || c === 92) return false;
  }
  return true;
}

/** A word the save line carries unchanged through iptables-restore's tokenizer. */
function plain(w: string | undefined): w is string {
  if (!w) return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === 32 || c === 34 || c === 39 || c === 92) return false;
  }
  return true;
}

const BASE_KEYS = ['-s', '-d', '-i', '-o', '-p'] as const;

/** What parsing the save words would give, for the vocabulary kube-proxy uses; undefined otherwise. */
function build(p: SaveParts, family: IPFamily, shared: SharedMatches): Built | undefined {
  const matches: Match[] = [];
  for (const key of BASE_KEYS) {
    const b = p.base.get(key);
    if (!b) continue;
    if (!plain(b.value)) return undefined;
    if (key === '-s' || key === '-d') {
      const kind = key === '-s' ? 'src' : 'dst';
      const v = withPrefix(b.value, family);
      const cache = shared.addrs[(kind === 'src' ? 0 : 2) + (b.neg ? 1 : 0)]!;
      let a = cache.get(v);
      if (!a) {
        a = parseAddr(kind, v, b.neg);
        if (!a) return undefined;
        cache.set(v, a);
      }
      matches.push(a);
    } else if (key === '-p') {
      if (!/^[a-z]+$/.test(b.value)) return undefined;
      let pm = b.neg ? undefined : shared.protos.get(b.value);
      if (!pm) {
        pm = { kind: 'proto', negate: b.neg, proto: b.value };
        if (!b.neg) shared.protos.set(b.value, pm);
      }
      matches.push(pm);
    } else matches.push({ kind: key === '-i' ? 'in' : 'out', negate: b.neg, iface: b.value });
  }
  let comment: string | undefined;
  let portModules = 0;
  const seen: string[] = [];
  for (const m of p.matches) {
    // A module named twice has its options merged by the parser: leave that to it.
    if (seen.includes(m.name)) return undefined;
    seen.push(m.name);
    if (m.name === 'tcp' || m.name === 'udp' || m.name === 'sctp') portModules++;
    const w = saveMatchWords(m, family);
    const got = moduleMatch(m.name, w, shared);
    if (got === undefined) return undefined;
    if (got === null) continue;
    if (got.kind === 'comment') comment = comment === undefined ? got.text : `${comment} ${got.text}`;
    matches.push(got);
  }
  // With two port modules the parser may file --dport under the other one.
  if (portModules > 1) return undefined;
  let target: Target | undefined;
  if (p.target) {
    target = targetOf(saveTargetWords(p.target, family), shared);
    if (!target) return undefined;
  }
  return { matches, target, comment };
}

/** The match of one module's save words (`-m NAME ...`); null: none (a bare -m tcp); undefined: not ours. */
function moduleMatch(name: string, w: string[], shared: SharedMatches): Match | null | undefined {
  const n = w.length;
  const neg = w[2] === '!';
  const at = neg ? 3 : 2;
  switch (name) {
    case 'comment': {
      if (n !== 4) return undefined;
      const text = savedString(w[3]!);
      if (text === undefined) return undefined;
      let cm = shared.comments.get(text);
      if (!cm) shared.comments.set(text, (cm = { kind: 'comment', text }));
      return cm;
    }
    case 'tcp': case 'udp': case 'sctp': {
      if (n === 2) return null;
      if (n !== 4 || w[2] !== '--dport' || !plain(w[3])) return undefined;
      const v = w[3];
      let m = shared.dports.get(v);
      if (!m) {
        const ranges = parsePortList(v);
        if (!ranges || ranges.length !== 1) return undefined;
        shared.dports.set(v, (m = { kind: 'port', which: 'dport', negate: false, ranges }));
      }
      return m;
    }
    case 'statistic': {
      if (n !== 6 || w[2] !== '--mode' || w[3] !== 'random' || w[4] !== '--probability' || !plain(w[5])) return undefined;
      const probability = Number(w[5]);
      if (!(probability >= 0 && probability <= 1)) return undefined;
      return { kind: 'statistic', mode: 'random', probability, text: w[5], negate: false };
    }
    case 'recent':
      return recentMatch(w);
    case 'addrtype': {
      const opt = w[at];
      if (n !== at + 2 || (opt !== '--dst-type' && opt !== '--src-type') || !plain(w[at + 1])) return undefined;
      return { kind: 'addrtype', which: opt === '--src-type' ? 'src' : 'dst', negate: neg, type: w[at + 1]!.toUpperCase() };
    }
    case 'mark': {
      if (n !== at + 2 || w[at] !== '--mark' || !plain(w[at + 1])) return undefined;
      const vm = parseValueMask(w[at + 1]!);
      return vm && { kind: 'mark', negate: neg, value: vm.value, mask: vm.mask };
    }
    case 'conntrack':
      if (n !== at + 2 || w[at] !== '--ctstate' || !plain(w[at + 1])) return undefined;
      return { kind: 'ctstate', negate: neg, states: w[at + 1]!.toUpperCase().split(',') };
    case 'nfacct':
      if (n !== 4 || w[2] !== '--nfacct-name' || !plain(w[3])) return undefined;
      return { kind: 'nfacct', name: w[3] };
  }
  return undefined;
}

/** `-m recent` as saved: flags, --seconds, --reap, --name, --mask, --rsource (the last two not modelled). */
function recentMatch(w: string[]): Match | undefined {
  type Op = 'set' | 'rcheck' | 'update' | 'remove';
  let op: Op | undefined;
  let name: string | undefined;
  let seconds: number | undefined;
  let reap = false;
  for (let i = 2; i < w.length; i++) {
    const o = w[i]!;
    if (o === '--set' || o === '--rcheck' || o === '--update' || o === '--remove') op ??= o.slice(2) as Op;
    else if (o === '--reap') reap = true;
    else if (o === '--rsource') continue;
    else if (o === '--name' || o === '--seconds' || o === '--mask') {
      const v = w[++i];
      if (!plain(v) || v.startsWith('-')) return undefined;
      if (o === '--name') name = v;
      else if (o === '--seconds') {
        seconds = Number(v);
        if (!(seconds >= 0)) return undefined;
      }
    } else return undefined;
  }
  if (!op || name === undefined) return undefined;
  return { kind: 'recent', op, name, seconds, reap, negate: false };
}

/** The word iptables-restore reads from a saved comment: bare, or double-quoted with no escapes. */
function savedString(s: string): string | undefined {
  if (s.length >= 2 && s.charCodeAt(0) === 34 && s.charCodeAt(s.length - 1) === 34) {
    const inner = s.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      const c = inner.charCodeAt(i);
      if (c === 34 || c === 39 || c === 92) return undefined;
    }
    return inner;
  }
  return /^[A-Za-z0-9_-]+$/.test(s) ? s : undefined;
}

const NOT_CHAINS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'LOG', 'NFLOG', 'CT', 'NOTRACK', 'TRACE', 'CONNMARK', 'TCPMSS', 'CHECKSUM', 'NFQUEUE', 'AUDIT']);

/** The target of its save words (`-j NAME ...`), for the targets kube-proxy writes. */
function targetOf(w: string[], shared: SharedMatches): Target | undefined {
  const name = w[1];
  if (!plain(name)) return undefined;
  const n = w.length;
  if (n === 2 && !NOT_CHAINS.has(name) && /^[A-Za-z0-9_.-]+$/.test(name)) {
    let t = shared.jumps.get(name);
    if (!t) shared.jumps.set(name, (t = { kind: 'chain', chain: name, goto: false }));
    return t;
  }
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return n === 2 ? { kind: name } : undefined;
    case 'REJECT':
      return n === 4 && w[2] === '--reject-with' && plain(w[3]) ? { kind: 'REJECT', with: w[3] } : undefined;
    case 'DNAT': {
      if (n !== 4 || w[2] !== '--to-destination' || !plain(w[3])) return undefined;
      const dst = parseNatDestination(w[3]);
      return dst && { kind: 'DNAT', ...dst, text: w[3] };
    }
    case 'MASQUERADE':
      if (n === 2) return { kind: 'MASQUERADE', randomFully: false, ports: undefined };
      return n === 3 && w[2] === '--random-fully' ? { kind: 'MASQUERADE', randomFully: true, ports: undefined } : undefined;
    case 'MARK': {
      if (n !== 4 || w[2] !== '--set-xmark' || !plain(w[3])) return undefined;
      const vm = parseValueMask(w[3]);
      return vm && { kind: 'MARK', value: vm.value, mask: vm.mask };
    }
  }
  return undefined;
}
