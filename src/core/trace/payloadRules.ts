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
import type { AddrMatch, Match, Rule, Target } from '../rules/types';

interface Built {
  matches: Match[];
  target?: Target;
  comment?: string;
}

/**
 * A rule read from kube-proxy's words; its iptables-save line is printed on first use, from the shape it
 * shares with its like and its own word, or from kube-proxy's words.
 */
export class PayloadRule implements Rule {
  readonly matches: Match[];
  readonly target: Target | undefined;
  readonly comment: string | undefined;
  private saved: string | undefined;
  /** With a shape, the rule's own word (its `-s` address as saved, or its last word); else kube-proxy's words. */
  private readonly word: string;

  constructor(
    readonly table: string,
    readonly chain: string,
    /** Orders the rule in its chain (positions are not dense when Services are added one by one). */
    public index: number,
    built: Built,
    /** The save line when known; else the rule's own word (with `shape`) or kube-proxy's words. */
    text: string,
    private readonly how: Shape | IPFamily | undefined,
  ) {
    this.matches = built.matches;
    this.target = built.target;
    this.comment = built.comment;
    this.saved = how === undefined ? text : undefined;
    this.word = text;
  }

  get line(): number {
    return 0;
  }

  get text(): string {
    if (this.saved === undefined) {
      const how = this.how!;
      if (typeof how === 'string') this.saved = saveLine(this.chain, words(this.word), how);
      else this.saved = how.kind === 'src' ? `-A ${this.chain} -s ${this.word} ${how.saved}`.trimEnd() : `-A ${this.chain} ${how.saved}${this.word}`;
    }
    return this.saved;
  }
}

/** The rule's line as iptables-save prints it. */
function saveLine(chain: string, kubeProxyWords: string[], family: IPFamily): string {
  return `-A ${chain} ${formatSaveParts(saveParts(kubeProxyWords), family).join(' ')}`.trimEnd();
}

/**
 * What rules of one shape share. kube-proxy writes most rules many times over with one word changed: a
 * fan-out rule's KUBE-SEP chain, a DNAT destination, a KUBE-SEP masquerade rule's source address. The
 * rest is read once per shape; the rule's own word is read alone.
 */
interface Shape {
  /** `last`: the last word varies (a jump's chain or a target's last option); `src`: the `-s` value does. */
  kind: 'last' | 'src';
  /** The matches besides the varying one (for `src`, the ones after it). */
  matches: Match[];
  comment?: string;
  /** The target's name and options before the varying last word. */
  target?: { name: string; opts: string[] };
  fixedTarget?: Target;
  /** The save line's words around the varying word. */
  saved: string;
}

export type PayloadShapes = Map<string, Shape | null>;

/**
 * The renderer's word that a rule's shape names: `shape` is `H` followed by the key shaped() finds for the
 * text (the words around the varying one), `word` the varying word. It spares reading the text; it is
 * trusted only after shaped() found exactly that key and word in a text of that shape.
 */
export interface ShapeHint {
  shape?: string;
  word?: string;
}

/** What shaped() found in a text: the shape's key, the varying word, and the shape. */
interface Found {
  key?: string;
  word?: string;
  shape?: Shape;
}

/** Converts one payload rule (`{chain, text}` of kube-proxy's words) for tracing. */
export function payloadRule(table: string, chain: string, index: number, text: string, family: IPFamily, shared: SharedMatches, shapes?: PayloadShapes, hint?: ShapeHint): PayloadRule {
  if (shapes && hint?.shape !== undefined && hint.word !== undefined && plainWord(hint.word)) {
    const known = shapes.get(hint.shape);
    if (known) {
      const r = known.kind === 'src' ? srcRule(table, chain, index, known, hint.word, family) : lastRule(table, chain, index, known, hint.word, family, shared);
      if (r) return r;
    } else if (known === undefined && plainText(text)) {
      const found: Found = {};
      const r = shaped(table, chain, index, text, family, shared, shapes, found);
      shapes.set(hint.shape, r && found.shape && `H${found.key}` === hint.shape && found.word === hint.word ? found.shape : null);
      if (r) return r;
    }
  }
  if (shapes && plainText(text)) {
    const r = shaped(table, chain, index, text, family, shared, shapes);
    if (r) return r;
  }
  const w = words(text);
  const fast = w.length && plainText(text) ? build(saveParts(w), family, shared) : undefined;
  if (fast) return new PayloadRule(table, chain, index, fast, text, family);
  // The long way: the save line through the rules parser (as parsing the printed save view did).
  const line = saveLine(chain, w, family);
  const parsed = parseRuleArgs(tokenize(line, 0), 0, [], 2, shared);
  return new PayloadRule(table, chain, index, parsed, line, undefined);
}

function shaped(table: string, chain: string, index: number, text: string, family: IPFamily, shared: SharedMatches, shapes: PayloadShapes, found?: Found): PayloadRule | undefined {
  const s = text.startsWith('-s ') ? 0 : text.indexOf(' -s ') + 1 || -1;
  if (s >= 0 && !(s > 0 && text.startsWith('! ', s - 2)) && evenQuotes(text, s) && text.indexOf(' -s ', s + 1) < 0) {
    const from = s + 3;
    let to = text.indexOf(' ', from);
    if (to < 0) to = text.length;
    const v = text.slice(from, to);
    if (plain(v) && v !== '!') {
      const key = `S${text.slice(0, from)}\u0000${text.slice(to)}`;
      let shape = shapes.get(key);
      if (shape === undefined) shapes.set(key, (shape = srcShape(text, v, family, shared)));
      if (shape) {
        const r = srcRule(table, chain, index, shape, v, family);
        if (r) {
          if (found) Object.assign(found, { key, word: v, shape });
          return r;
        }
      }
    }
  }
  // Rules that match a destination address are a Service's own (one per address): no shape to share.
  const cut = text.lastIndexOf(' ');
  if (cut <= 0 || text.startsWith('-d ') || text.includes(' -d ') || !evenQuotes(text, cut)) return undefined;
  const last = text.slice(cut + 1);
  if (!plain(last)) return undefined;
  const key = `L${text.slice(0, cut)}`;
  let shape = shapes.get(key);
  if (shape === undefined) shapes.set(key, (shape = lastShape(text, last, family, shared)));
  if (!shape) return undefined;
  const r = lastRule(table, chain, index, shape, last, family, shared);
  if (r && found) Object.assign(found, { key, word: last, shape });
  return r;
}

/** A rule of a `src` shape with its own source address. */
function srcRule(table: string, chain: string, index: number, shape: Shape, v: string, family: IPFamily): PayloadRule | undefined {
  if (v === '!') return undefined;
  const saved = withPrefix(v, family);
  // Not kept in the shared cache: a KUBE-SEP chain's source address is its own.
  const src = parseAddr('src', saved, false);
  if (!src) return undefined;
  const rest = shape.matches;
  const matches: Match[] = new Array<Match>(rest.length + 1);
  matches[0] = src;
  for (let i = 0; i < rest.length; i++) matches[i + 1] = rest[i]!;
  return new PayloadRule(table, chain, index, { matches, target: shape.fixedTarget, comment: shape.comment }, saved, shape);
}

/**
 * parseNatDestination, with the DNAT target of every endpoint (`10.1.2.3:8080`: a dotted quad of digit runs,
 * one colon, a port of digits) read by char codes; anything else goes to parseNatDestination.
 */
export function natDestination(to: string): { ip: string; port?: number } | undefined {
  const n = to.length;
  let dots = 0;
  let colon = -1;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const c = to.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      run++;
      continue;
    }
    if (run === 0 || colon >= 0) return parseNatDestination(to);
    if (c === 46) dots++;
    else if (c === 58 && dots === 3) colon = i;
    else return parseNatDestination(to);
    run = 0;
  }
  if (colon < 0 || run === 0) return parseNatDestination(to);
  return { ip: to.slice(0, colon), port: Number(to.slice(colon + 1)) };
}

/** A rule of a `last` shape with its own last word (a jump's chain, a DNAT destination). */
function lastRule(table: string, chain: string, index: number, shape: Shape, last: string, family: IPFamily, shared: SharedMatches): PayloadRule | undefined {
  if (!shape.target) return undefined;
  const t = shape.target;
  // The two shapes of kube-proxy's endpoint loops, read without building the save words: a jump to a
  // chain (as targetOf reads `-j NAME`: nothing but a chain passes below) and a DNAT destination.
  if (!t.name) {
    const target = chainTarget(last);
    return target && new PayloadRule(table, chain, index, { matches: shape.matches, target, comment: shape.comment }, last, shape);
  }
  if (t.name === 'DNAT' && t.opts.length === 1 && t.opts[0] === '--to-destination') {
    const dst = natDestination(last);
    return dst && new PayloadRule(table, chain, index, { matches: shape.matches, target: { kind: 'DNAT', ...dst, text: last }, comment: shape.comment }, last, shape);
  }
  const target = targetOf(saveTargetWords({ name: t.name, opts: [...t.opts, last] }, family), shared);
  if (!target || (!shape.target.name && target.kind !== 'chain')) return undefined;
  return new PayloadRule(table, chain, index, { matches: shape.matches, target, comment: shape.comment }, last, shape);
}

/** A word with no blank, quote, backslash or control character: read alike in the text and alone. */
function plainWord(w: string): boolean {
  if (!w) return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 33 || c > 126 || c === 34 || c === 39 || c === 92) return false;
  }
  return true;
}

/** The shared part of rules whose `-s` value varies; null when the rule is not of that form. */
function srcShape(text: string, v: string, family: IPFamily, shared: SharedMatches): Shape | null {
  const w = words(text);
  const built = build(saveParts(w), family, shared);
  const saved = formatSaveParts(saveParts(w), family);
  const first = built?.matches[0];
  if (!built || first?.kind !== 'src' || first.negate || saved[0] !== '-s' || saved[1] !== withPrefix(v, family)) return null;
  return { kind: 'src', matches: built.matches.slice(1), comment: built.comment, fixedTarget: built.target, saved: saved.slice(2).join(' ') };
}

/** The shared part of rules whose last word (a jump's chain, a target option) varies; null when not of that form. */
function lastShape(text: string, last: string, family: IPFamily, shared: SharedMatches): Shape | null {
  const w = words(text);
  const parts = saveParts(w);
  const built = build(parts, family, shared);
  const t = parts.target;
  if (!built?.target || !t) return null;
  const saved = formatSaveParts(parts, family).join(' ');
  if (!saved.endsWith(` ${last}`)) return null;
  // A jump (`-j CHAIN`): the chain is the varying word; else the target's last option is.
  const jump = t.opts.length === 0 && t.name === last;
  if (jump ? built.target.kind !== 'chain' : t.opts[t.opts.length - 1] !== last) return null;
  return { kind: 'last', matches: built.matches, comment: built.comment, target: jump ? { name: '', opts: [] } : { name: t.name, opts: t.opts.slice(0, -1) }, saved: saved.slice(0, saved.length - last.length) };
}

/** An even number of double quotes before `end`: the position is not inside a quoted comment. */
function evenQuotes(text: string, end: number): boolean {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0 && i < end; i = text.indexOf('"', i + 1)) n++;
  return n % 2 === 0;
}

function addrMatch(kind: 'src' | 'dst', v: string, neg: boolean, shared: SharedMatches): AddrMatch | undefined {
  const cache = shared.addrs[(kind === 'src' ? 0 : 2) + (neg ? 1 : 0)]!;
  let a = cache.get(v);
  if (!a) {
    a = parseAddr(kind, v, neg);
    if (!a) return undefined;
    cache.set(v, a);
  }
  return a;
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
      const a = addrMatch(key === '-s' ? 'src' : 'dst', withPrefix(b.value, family), b.neg, shared);
      if (!a) return undefined;
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

/** Letters, digits, `_`, `.` and `-` only (as /^[A-Za-z0-9_.-]+$/), read by char codes: every fan-out jump passes here. */
function chainName(name: string): boolean {
  const n = name.length;
  if (!n) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45)) return false;
  }
  return true;
}

/**
 * `-j NAME` as a jump to a user chain; undefined for a built-in target or a name no chain can have. With
 * `shared`, the target is kept for the rules that jump to the same chain; without, it is made afresh (a
 * fan-out's jump to a KUBE-SEP chain is the only one to that chain: keeping it would only fill the cache).
 */
function chainTarget(name: string, shared?: SharedMatches): Target | undefined {
  const known = shared?.jumps.get(name);
  if (known?.kind === 'chain') return known;
  if (!chainName(name) || NOT_CHAINS.has(name)) return undefined;
  const t: Target = { kind: 'chain', chain: name, goto: false };
  shared?.jumps.set(name, t);
  return t;
}

/** The target of its save words (`-j NAME ...`), for the targets kube-proxy writes. */
function targetOf(w: string[], shared: SharedMatches): Target | undefined {
  const name = w[1];
  if (!plain(name)) return undefined;
  const n = w.length;
  if (n === 2) {
    const t = chainTarget(name, shared);
    if (t) return t;
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
