/** Turns the words of one rule (after `-A CHAIN`) into matches and a target. */
import { parsePortList, parseAddr } from './ports';
import { parseValueMask } from './tokenize';
import { RulesParseError, type AddrMatch, type Match, type RuleWarning, type Target } from './types';

export interface ParsedRuleArgs {
  matches: Match[];
  target?: Target;
  comment?: string;
}

/** Options each modelled match module owns, with how many values each takes. */
const MODULE_OPTIONS: Record<string, Record<string, number>> = {
  comment: { comment: 1 },
  tcp: { dport: 1, 'destination-port': 1, sport: 1, 'source-port': 1, 'tcp-flags': 2, syn: 0, 'tcp-option': 1 },
  udp: { dport: 1, 'destination-port': 1, sport: 1, 'source-port': 1 },
  sctp: { dport: 1, 'destination-port': 1, sport: 1, 'source-port': 1, 'chunk-types': 2 },
  multiport: { dports: 1, 'destination-ports': 1, sports: 1, 'source-ports': 1, ports: 1 },
  addrtype: { 'src-type': 1, 'dst-type': 1, 'limit-iface-in': 0, 'limit-iface-out': 0 },
  mark: { mark: 1 },
  conntrack: { ctstate: 1, ctstatus: 1, ctproto: 1, ctorigsrc: 1, ctorigdst: 1, ctreplsrc: 1, ctrepldst: 1, ctorigsrcport: 1, ctorigdstport: 1, ctreplsrcport: 1, ctrepldstport: 1, ctexpire: 1, ctdir: 1 },
  state: { state: 1 },
  statistic: { mode: 1, probability: 1, every: 1, packet: 1 },
  recent: { set: 0, rcheck: 0, update: 0, remove: 0, name: 1, seconds: 1, reap: 0, hitcount: 1, rttl: 0, rsource: 0, rdest: 0, mask: 1 },
  nfacct: { 'nfacct-name': 1 },
  set: { 'match-set': 2, 'return-nomatch': 0, 'update-counters': 0, 'update-subcounters': 0, 'packets-eq': 1, 'packets-lt': 1, 'packets-gt': 1, 'bytes-eq': 1, 'bytes-lt': 1, 'bytes-gt': 1 },
};

const TARGET_OPTIONS: Record<string, number> = {
  'to-destination': 1, 'to-source': 1, 'to-ports': 1, random: 0, 'random-fully': 0, persistent: 0,
  'set-xmark': 1, 'set-mark': 1, 'or-mark': 1, 'xor-mark': 1, 'and-mark': 1, 'reject-with': 1,
};

/**
 * Match and target objects already built during one parse, by their text: in a dump of kube-proxy
 * rules most are repeats (`-p tcp`, a Service's comment, `-j KUBE-MARK-MASQ`), and sharing them keeps
 * a 100,000-rule set to a fraction of the objects. Parsed matches are never mutated.
 */
export interface SharedMatches {
  comments: Map<string, Match>;
  protos: Map<string, Match>;
  dports: Map<string, Match>;
  addrs: Map<string, AddrMatch>[];
  jumps: Map<string, Target>;
}

export function sharedMatches(): SharedMatches {
  return { comments: new Map(), protos: new Map(), dports: new Map(), addrs: [new Map(), new Map(), new Map(), new Map()], jumps: new Map() };
}


interface ModOpt {
  opt: string;
  args: string[];
  negate: boolean;
}

function need(words: readonly string[], i: number, what: string, line: number): string {
  const v = words[i];
  if (v === undefined) throw new RulesParseError(line, `${what} needs a value`);
  return v;
}

/**
 * The words from `start` on (the rule after `-A CHAIN`). Module options are grouped per module in the
 * order the modules are first named (parallel arrays: no Map per rule, this runs 100,000 times a dump).
 */
export function parseRuleArgs(words: readonly string[], line: number, warnings: RuleWarning[], start = 0, shared?: SharedMatches): ParsedRuleArgs {
  const matches: Match[] = [];
  const loaded: string[] = [];
  const mods: string[] = [];
  const lists: ModOpt[][] = [];
  let target: Target | undefined;
  let targetName = '';
  let goto = false;
  let targetOpts: ModOpt[] | undefined;
  let negate = false;
  const optsOf = (mod: string): ModOpt[] => {
    const k = mods.indexOf(mod);
    if (k >= 0) return lists[k]!;
    const list: ModOpt[] = [];
    mods.push(mod);
    lists.push(list);
    return list;
  };
  for (let i = start; i < words.length; i++) {
    const w = words[i]!;
    if (w === '!') {
      negate = true;
      continue;
    }
    const neg = negate;
    negate = false;
    switch (w) {
      case '-s': case '--source': case '--src': case '-d': case '--destination': case '--dst': {
        const kind = w === '-s' || w === '--source' || w === '--src' ? 'src' : 'dst';
        const v = need(words, ++i, w, line);
        const addrs = shared?.addrs[(kind === 'src' ? 0 : 2) + (neg ? 1 : 0)];
        let a = addrs?.get(v);
        if (!a) {
          a = parseAddr(kind, v, neg);
          if (a) addrs?.set(v, a);
        }
        if (!a) throw new RulesParseError(line, `"${v}" is not an IP address or CIDR (after ${w})`);
        matches.push(a);
        continue;
      }
      case '-p': case '--protocol': {
        const proto = lower(need(words, ++i, w, line));
        let pm = shared && !neg ? shared.protos.get(proto) : undefined;
        if (!pm) {
          pm = { kind: 'proto', negate: neg, proto };
          if (shared && !neg) shared.protos.set(proto, pm);
        }
        matches.push(pm);
        if (!loaded.includes(proto) && MODULE_OPTIONS[proto]) loaded.push(proto);
        continue;
      }
      case '-i': case '--in-interface': case '-o': case '--out-interface':
        matches.push({ kind: w === '-i' || w === '--in-interface' ? 'in' : 'out', negate: neg, iface: need(words, ++i, w, line) });
        continue;
      case '-m': case '--match': {
        const mod = lower(need(words, ++i, w, line));
        if (!loaded.includes(mod)) loaded.push(mod);
        optsOf(mod);
        continue;
      }
      case '-j': case '--jump': case '-g': case '--goto':
        if (targetName) throw new RulesParseError(line, `more than one target (-j ${targetName} and ${w} ${words[i + 1] ?? ''})`);
        targetName = need(words, ++i, w, line);
        goto = w === '-g' || w === '--goto';
        continue;
      case '-f': case '--fragment':
        matches.push({ kind: 'opaque', module: 'fragment', text: `${neg ? '! ' : ''}-f` });
        continue;
      case '-c': case '--set-counters':
        i += 2;
        continue;
    }
    if (!w.startsWith('--')) throw new RulesParseError(line, `unexpected word "${w}"`);
    const opt = w.slice(2);
    if (targetName) {
      const n = TARGET_OPTIONS[opt] ?? countValues(words, i);
      (targetOpts ??= []).push({ opt, args: words.slice(i + 1, i + 1 + n), negate: neg });
      i += n;
      continue;
    }
    let owner: string | undefined;
    for (let k = loaded.length - 1; k >= 0 && owner === undefined; k--) if (MODULE_OPTIONS[loaded[k]!]?.[opt] !== undefined) owner = loaded[k];
    for (let k = loaded.length - 1; k >= 0 && owner === undefined; k--) if (!MODULE_OPTIONS[loaded[k]!]) owner = loaded[k];
    if (!owner) throw new RulesParseError(line, `option --${opt} belongs to no loaded match module (missing -m?)`);
    const n = MODULE_OPTIONS[owner]?.[opt] ?? countValues(words, i);
    const args = words.slice(i + 1, i + 1 + n);
    if (args.length < n) throw new RulesParseError(line, `--${opt} needs a value`);
    optsOf(owner).push({ opt, args, negate: neg });
    i += n;
  }
  let comment: string | undefined;
  for (let k = 0; k < mods.length; k++) {
    const built = buildModule(mods[k]!, lists[k]!, line, warnings, shared);
    for (const m of built) {
      if (m.kind === 'comment') comment = comment === undefined ? m.text : `${comment} ${m.text}`;
      matches.push(m);
    }
  }
  if (targetName) {
    // Plain jumps are shared; targets that warn (not modelled) are built per rule so each line warns.
    target = !targetOpts && shared && !goto ? shared.jumps.get(targetName) : undefined;
    if (!target) {
      target = buildTarget(targetName, goto, targetOpts ?? [], line, warnings);
      if (!targetOpts && shared && !goto && target.kind !== 'other') shared.jumps.set(targetName, target);
    }
  }
  // An exact-size copy: a pushed-to array keeps room for 17 entries, and a dump keeps 100,000 of them.
  return { matches: matches.slice(), target, comment };
}

/** toLowerCase without a copy when the word is already lower case (module and protocol names are). */
function lower(w: string): string {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return w.toLowerCase();
  }
  return w;
}

/** Values of an unknown option: the words up to the next option. */
function countValues(words: readonly string[], i: number): number {
  let n = 0;
  while (i + 1 + n < words.length && !words[i + 1 + n]!.startsWith('-') && words[i + 1 + n] !== '!') n++;
  return n;
}

function opaque(mod: string, list: ModOpt[]): Match {
  return { kind: 'opaque', module: mod, text: `-m ${mod}${list.map((o) => ` ${o.negate ? '! ' : ''}--${o.opt}${o.args.map((a) => ' ' + a).join('')}`).join('')}` };
}

function buildModule(mod: string, list: ModOpt[], line: number, warnings: RuleWarning[], shared?: SharedMatches): Match[] {
  const known = MODULE_OPTIONS[mod];
  if (!known) {
    warnings.push({ line, message: `match module "${mod}" is not modelled: kept as text, and a trace treats it as not matching` });
    return [opaque(mod, list)];
  }
  const out: Match[] = [];
  let unmodelled: ModOpt[] | undefined;
  const bad = (o: ModOpt) => new RulesParseError(line, `bad value "${o.args.join(' ')}" for --${o.opt} (-m ${mod})`);
  if (mod === 'statistic') {
    const get = (k: string) => list.find((o) => o.opt === k);
    const mode = get('mode')?.args[0];
    const neg = list.some((o) => o.negate);
    if (mode === 'random') {
      const p = get('probability');
      const prob = p ? Number(p.args[0]) : NaN;
      if (!p || !(prob >= 0 && prob <= 1)) throw new RulesParseError(line, `-m statistic --mode random needs --probability between 0 and 1`);
      return [{ kind: 'statistic', mode: 'random', probability: prob, text: p.args[0]!, negate: neg }];
    }
    if (mode === 'nth') {
      const every = Number(get('every')?.args[0]);
      const packet = Number(get('packet')?.args[0] ?? 0);
      if (!Number.isInteger(every) || every < 1 || !Number.isInteger(packet) || packet < 0 || packet >= every) throw new RulesParseError(line, `-m statistic --mode nth needs --every N (and --packet below N)`);
      return [{ kind: 'statistic', mode: 'nth', every, packet, text: `every ${every} packet ${packet}`, negate: neg }];
    }
    throw new RulesParseError(line, `-m statistic needs --mode random or nth`);
  }
  if (mod === 'recent') {
    const op = (['set', 'rcheck', 'update', 'remove'] as const).find((k) => list.some((o) => o.opt === k));
    if (!op) throw new RulesParseError(line, `-m recent needs one of --set, --rcheck, --update, --remove`);
    const seconds = list.find((o) => o.opt === 'seconds');
    const secs = seconds ? Number(seconds.args[0]) : undefined;
    if (secs !== undefined && !(secs >= 0)) throw bad(seconds!);
    return [{ kind: 'recent', op, name: list.find((o) => o.opt === 'name')?.args[0] ?? 'DEFAULT', seconds: secs, reap: list.some((o) => o.opt === 'reap'), negate: list.some((o) => o.negate) }];
  }
  for (const o of list) {
    const v = o.args[0] ?? '';
    switch (o.opt) {
      case 'comment': {
        let cm = shared?.comments.get(v);
        if (!cm) {
          cm = { kind: 'comment', text: v };
          shared?.comments.set(v, cm);
        }
        out.push(cm);
        break;
      }
      case 'dport': case 'destination-port': case 'sport': case 'source-port':
      case 'dports': case 'destination-ports': case 'sports': case 'source-ports': {
        if (shared && o.opt === 'dport' && !o.negate) {
          const known = shared.dports.get(v);
          if (known) {
            out.push(known);
            break;
          }
        }
        const ranges = parsePortList(v);
        if (!ranges || (mod !== 'multiport' && ranges.length !== 1)) throw bad(o);
        const m: Match = { kind: 'port', which: o.opt.startsWith('d') ? 'dport' : 'sport', negate: o.negate, ranges };
        if (shared && o.opt === 'dport' && !o.negate) shared.dports.set(v, m);
        out.push(m);
        break;
      }
      case 'src-type': case 'dst-type':
        out.push({ kind: 'addrtype', which: o.opt === 'src-type' ? 'src' : 'dst', negate: o.negate, type: v.toUpperCase() });
        break;
      case 'mark': {
        const vm = parseValueMask(v);
        if (!vm) throw bad(o);
        out.push({ kind: 'mark', negate: o.negate, value: vm.value, mask: vm.mask });
        break;
      }
      case 'ctstate': case 'state':
        out.push({ kind: 'ctstate', negate: o.negate, states: v.toUpperCase().split(',') });
        break;
      case 'nfacct-name':
        out.push({ kind: 'nfacct', name: v });
        break;
      case 'match-set':
        out.push({ kind: 'set', negate: o.negate, name: v, flags: o.args[1] ?? '' });
        break;
      default:
        (unmodelled ??= []).push(o);
    }
  }
  if (unmodelled) {
    warnings.push({ line, message: `-m ${mod} ${unmodelled.map((o) => '--' + o.opt).join(' ')} is not modelled: kept as text, and a trace treats it as not matching` });
    out.push(opaque(mod, unmodelled));
  }
  return out;
}

function buildTarget(name: string, goto: boolean, opts: ModOpt[], line: number, warnings: RuleWarning[]): Target {
  const get = (k: string) => opts.find((o) => o.opt === k)?.args[0];
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return { kind: name };
    case 'REJECT':
      return { kind: 'REJECT', with: get('reject-with') };
    case 'DNAT': {
      const to = get('to-destination');
      if (!to) throw new RulesParseError(line, '-j DNAT needs --to-destination');
      // "--to-destination :0 --persistent --to-destination :0 --persistent --to-destination 0.0.0.0:0" is
      // how an iptables-save older than the iptables that wrote the rule prints it (kubernetes#114537).
      const all = opts.filter((o) => o.opt === 'to-destination' || o.opt === 'persistent').map((o) => (o.opt === 'persistent' ? '--persistent' : `--to-destination ${o.args[0] ?? ''}`));
      if (opts.filter((o) => o.opt === 'to-destination').length > 1 || /^(:0|0\.0\.0\.0:0|\[::\]:0)$/.test(to)) return { kind: 'DNAT', ip: to, text: all.join(' '), garbled: true };
      const dst = parseNatDestination(to);
      if (!dst) throw new RulesParseError(line, `bad --to-destination "${to}"`);
      return { kind: 'DNAT', ...dst, text: to };
    }
    case 'SNAT':
      return { kind: 'SNAT', text: get('to-source') ?? '' };
    case 'MASQUERADE':
      return { kind: 'MASQUERADE', randomFully: opts.some((o) => o.opt === 'random-fully'), ports: get('to-ports') };
    case 'MARK': {
      for (const o of opts) {
        const vm = parseValueMask(o.args[0] ?? '');
        if (!vm) throw new RulesParseError(line, `bad value "${o.args[0] ?? ''}" for --${o.opt}`);
        if (o.opt === 'set-xmark') return { kind: 'MARK', value: vm.value, mask: vm.mask };
        if (o.opt === 'set-mark') return { kind: 'MARK', value: vm.value, mask: vm.mask };
        if (o.opt === 'or-mark') return { kind: 'MARK', value: vm.value, mask: vm.value };
        if (o.opt === 'xor-mark') return { kind: 'MARK', value: vm.value, mask: 0 };
        if (o.opt === 'and-mark') return { kind: 'MARK', value: 0, mask: ~vm.value >>> 0 };
      }
      throw new RulesParseError(line, '-j MARK needs --set-xmark, --set-mark, --or-mark, --xor-mark or --and-mark');
    }
  }
  if (/^[A-Z][A-Z0-9_]*$/.test(name) && !name.includes('-') && opts.length) {
    warnings.push({ line, message: `target ${name} is not modelled: kept as text and treated as non-terminating` });
    return { kind: 'other', name, text: `${name}${opts.map((o) => ` --${o.opt}${o.args.map((a) => ' ' + a).join('')}`).join('')}` };
  }
  if (['LOG', 'NFLOG', 'CT', 'NOTRACK', 'TRACE', 'CONNMARK', 'TCPMSS', 'CHECKSUM', 'NFQUEUE', 'AUDIT'].includes(name)) {
    warnings.push({ line, message: `target ${name} is not modelled: kept as text and treated as non-terminating` });
    return { kind: 'other', name, text: name };
  }
  return { kind: 'chain', chain: name, goto };
}

/** `10.1.2.3:80`, `10.1.2.3`, `[fd00::1]:80`, `fd00::1` (DNAT range forms keep their first address). */
export function parseNatDestination(to: string): { ip: string; port?: number } | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+)(?:-\d+)?)?$/.exec(to);
  if (v6) return { ip: v6[1]!, port: v6[2] ? Number(v6[2]) : undefined };
  if (to.includes(':') && !/^[\d.-]+:\d+(-\d+)?$/.test(to)) return /^[0-9a-fA-F:]+$/.test(to) ? { ip: to } : undefined;
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:-[\d.]+)?(?::(\d+)(?:-\d+)?)?$/.exec(to);
  if (!m) return undefined;
  return { ip: m[1]!, port: m[2] ? Number(m[2]) : undefined };
}

