/** Parses `iptables [-t TABLE] -L -n [-v] [--line-numbers]` listings exactly as iptables prints them. */
import { parseNatDestination } from './args';
import { ruleText } from './format';
import { parseAddr, parsePortList } from './ports';
import { parseNumber, parseValueMask } from './tokenize';
import { RulesParseError, type Chain, type Match, type Rule, type RuleSet, type RuleWarning, type Target } from './types';

const CHAIN_HEADER = /^Chain (\S+) \((?:policy (ACCEPT|DROP)(?: (\d+[KMGT]?) packets, (\d+[KMGT]?) bytes)?|(\d+) references?)\)\s*$/;
const PROTO_NUMBERS: Record<string, string> = { '0': 'all', '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp' };

export function parseListing(text: string): RuleSet {
  const set: RuleSet = { format: 'listing', family: 'IPv4', tables: new Map(), deleted: [], warnings: [] };
  const blocks: { hint?: string; chains: Chain[] }[] = [];
  let block: { hint?: string; chains: Chain[] } | undefined;
  let hint: string | undefined;
  let chain: Chain | undefined;
  let columns: string[] | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    const head = CHAIN_HEADER.exec(line.trim());
    if (head) {
      const name = head[1]!;
      if (!block || block.chains.some((c) => c.name === name) || (hint && block.hint !== hint)) {
        block = { hint, chains: [] };
        blocks.push(block);
      }
      chain = { name, table: '', rules: [], line: lineNo };
      if (head[2]) chain.policy = head[2] as 'ACCEPT' | 'DROP';
      if (head[3]) chain.counters = { packets: count(head[3]), bytes: count(head[4]!) };
      if (head[5]) chain.references = Number(head[5]);
      block.chains.push(chain);
      columns = undefined;
      continue;
    }
    const t = /(?:^|\s)-t\s+(\w+)/.exec(line) ?? /^#?\s*table:?\s+(\w+)\s*$/i.exec(line.trim());
    const remark = line.trim().startsWith('#') || line.trim().startsWith('$');
    // A command line or remark (also between chains, where a second command's output starts) is no row.
    if (remark || !chain) {
      if (t && (remark || !chain)) {
        hint = t[1]!.toLowerCase();
        chain = undefined;
        continue;
      }
      if (remark) continue;
      throw new RulesParseError(lineNo, `expected "Chain NAME (policy ...)" or "Chain NAME (N references)", got "${clip(line)}"`);
    }
    if (!columns) {
      const cols = line.trim().split(/\s+/);
      if (!cols.includes('target') || !cols.includes('destination')) throw new RulesParseError(lineNo, `expected the column header ("target prot opt source destination"), got "${clip(line)}"`);
      columns = cols;
      continue;
    }
    chain.rules.push(parseRow(line, columns, chain, lineNo, set.warnings));
  }
  if (!blocks.length) throw new RulesParseError(1, 'no "Chain NAME (...)" header found: not an iptables -L listing');
  for (const b of blocks) {
    const table = b.hint ?? inferTable(b.chains);
    const t = set.tables.get(table) ?? { name: table, chains: new Map() };
    set.tables.set(table, t);
    for (const c of b.chains) {
      c.table = table;
      c.rules.forEach((r, i) => {
        r.table = table;
        r.index = i;
        if (r.matches.some((m) => (m.kind === 'src' || m.kind === 'dst') && m.cidr.family === 'IPv6')) set.family = 'IPv6';
      });
      t.chains.set(c.name, c);
    }
  }
  return set;
}

function inferTable(chains: Chain[]): string {
  const names = new Set(chains.map((c) => c.name));
  if (names.has('FORWARD') && names.has('PREROUTING')) return 'mangle';
  if (names.has('FORWARD')) return 'filter';
  if (names.has('POSTROUTING')) return 'nat';
  const targets = chains.flatMap((c) => c.rules.map((r) => (r.target?.kind === 'chain' ? r.target.chain : r.target?.kind)));
  if (targets.some((k) => k === 'DNAT' || k === 'SNAT' || k === 'MASQUERADE' || /^KUBE-(SVC|SVL|SEP|EXT|FW)-|^KUBE-MARK-MASQ$/.test(k ?? '')) || [...names].some((n) => /^KUBE-(SEP|SVC|SVL|EXT|FW|MARK-MASQ|POSTROUTING)/.test(n))) return 'nat';
  if (names.has('PREROUTING')) return 'raw';
  return 'filter';
}

function count(s: string): number {
  const m = /^(\d+)([KMGT]?)$/.exec(s);
  if (!m) return 0;
  return Number(m[1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]!] ?? 1);
}

function parseRow(line: string, columns: string[], chain: Chain, lineNo: number, warnings: RuleWarning[]): Rule {
  let words: { w: string; end: number }[] = [];
  for (const m of line.matchAll(/\S+/g)) words.push({ w: m[0], end: m.index + m[0].length });
  const aligned = align(words, columns);
  if (!aligned) throw new RulesParseError(lineNo, `row does not fit the columns (${columns.join(' ')}): "${clip(line)}"`);
  words = aligned;
  if (words.length < columns.length) throw new RulesParseError(lineNo, `row has fewer fields than the columns (${columns.join(' ')}): "${clip(line)}"`);
  const col = (name: string) => words[columns.indexOf(name)]?.w ?? '';
  const matches: Match[] = [];
  const neg = (s: string) => (s.startsWith('!') ? { negate: true, v: s.slice(1) } : { negate: false, v: s });
  for (const [name, kind] of [['source', 'src'], ['destination', 'dst']] as const) {
    const { negate, v } = neg(col(name));
    // Without -n iptables prints 0.0.0.0/0 as "anywhere" (and resolves other addresses to names).
    if (v === '0.0.0.0/0' || v === '::/0' || v === 'anywhere') continue;
    const a = parseAddr(kind, v, negate);
    if (!a && /^[A-Za-z]/.test(v)) throw new RulesParseError(lineNo, `${name} "${v}" is a host name, not an address: the listing was printed without -n; list it again with numbers (iptables -t nat -L -n -v)`);
    if (!a) throw new RulesParseError(lineNo, `bad ${name} address "${col(name)}"`);
    matches.push(a);
  }
  for (const [name, kind] of [['in', 'in'], ['out', 'out']] as const) {
    if (!columns.includes(name)) continue;
    const { negate, v } = neg(col(name));
    if (v !== '*') matches.push({ kind, negate, iface: v });
  }
  const p = neg(col('prot'));
  const proto = PROTO_NUMBERS[p.v] ?? p.v;
  if (proto !== 'all') matches.unshift({ kind: 'proto', negate: p.negate, proto });
  if (col('opt').endsWith('f')) matches.push({ kind: 'opaque', module: 'fragment', text: `${col('opt').startsWith('!') ? '! ' : ''}-f` });
  const last = words[columns.length - 1]!;
  const extras = line.slice(last.end);
  const targetName = col('target');
  const ex = parseExtras(extras, targetName, lineNo, warnings);
  matches.push(...ex.matches);
  let counters: Rule['counters'];
  if (columns.includes('pkts')) counters = { packets: count(col('pkts')), bytes: count(col('bytes')) };
  const rule: Rule = { table: '', chain: chain.name, index: 0, line: lineNo, text: '', matches, target: ex.target, comment: ex.comment, counters };
  rule.text = ruleText(rule);
  return rule;
}

interface Extras {
  matches: Match[];
  target?: Target;
  comment?: string;
}

function parseExtras(text: string, targetName: string, line: number, warnings: RuleWarning[]): Extras {
  const out: Extras = { matches: [] };
  const rest = text.replace(/\/\* (.*?) \*\//g, (_all, c: string) => {
    out.matches.push({ kind: 'comment', text: c });
    out.comment = out.comment === undefined ? c : `${out.comment} ${c}`;
    return ' ';
  });
  const w = rest.trim() ? rest.trim().split(/\s+/) : [];
  const unknown: string[] = [];
  let goto = false;
  let dnat: string | undefined;
  let snat: string | undefined;
  let rejectWith: string | undefined;
  let randomFully = false;
  let mark: { value: number; mask: number } | undefined;
  const bad = (what: string) => new RulesParseError(line, `bad ${what} in "${clip(text.trim())}"`);
  for (let i = 0; i < w.length; i++) {
    let tok = w[i]!;
    let negate = false;
    if (tok === '!') {
      negate = true;
      tok = w[++i] ?? '';
    }
    if (tok === 'tcp' || tok === 'udp' || tok === 'sctp') {
      while (/^(s|d)pts?:/.test(w[i + 1] ?? '')) {
        const [, which, value] = /^(s|d)pts?:(.*)$/.exec(w[++i]!)!;
        const n = neg2(value!);
        const ranges = parsePortList(numericPorts(n.v, line));
        if (!ranges) throw bad('port');
        out.matches.push({ kind: 'port', which: which === 'd' ? 'dport' : 'sport', negate: n.negate, ranges });
      }
      continue;
    }
    if (tok === 'multiport' && /^!?(dports|sports|ports)$/.test(w[i + 1] ?? '')) {
      const which = w[++i]!;
      const n = neg2(w[++i] ?? '');
      const ranges = parsePortList(numericPorts(n.v, line));
      if (!ranges) throw bad('multiport list');
      out.matches.push({ kind: 'port', which: which.replace('!', '').startsWith('s') ? 'sport' : 'dport', negate: n.negate || which.startsWith('!'), ranges });
      continue;
    }
    if (tok === 'statistic' && w[i + 1] === 'mode') {
      const mode = w[i + 2];
      if (mode === 'random' && w[i + 3] === 'probability') {
        const prob = Number(w[i + 4]);
        if (!(prob >= 0 && prob <= 1)) throw bad('probability');
        out.matches.push({ kind: 'statistic', mode: 'random', probability: prob, text: w[i + 4]!, negate });
        i += 4;
        continue;
      }
      if (mode === 'nth' && w[i + 3] === 'every') {
        const every = Number(w[i + 4]);
        let packet = 0;
        i += 4;
        if (w[i + 1] === 'packet') {
          packet = Number(w[i + 2]);
          i += 2;
        }
        out.matches.push({ kind: 'statistic', mode: 'nth', every, packet, text: `every ${every} packet ${packet}`, negate });
        continue;
      }
      throw bad('statistic match');
    }
    if (tok === 'ADDRTYPE' && w[i + 1] === 'match') {
      i++;
      while (/^(src|dst)-type$/.test(w[i + 1] ?? '')) {
        const which = w[++i]!.startsWith('src') ? 'src' : 'dst';
        let v = w[++i] ?? '';
        let n = false;
        if (v === '!') {
          n = true;
          v = w[++i] ?? '';
        } else if (v.startsWith('!')) {
          n = true;
          v = v.slice(1);
        }
        out.matches.push({ kind: 'addrtype', which, negate: n, type: v });
      }
      while (/^limit-(in|out)$/.test(w[i + 1] ?? '')) i++;
      continue;
    }
    if (tok === 'mark' && w[i + 1] === 'match') {
      i++;
      let n = negate;
      if (w[i + 1] === '!') {
        n = true;
        i++;
      }
      const vm = parseValueMask((w[++i] ?? '').replace(/^!/, ''));
      if (!vm) throw bad('mark');
      out.matches.push({ kind: 'mark', negate: n || (w[i] ?? '').startsWith('!'), ...vm });
      continue;
    }
    if ((tok === 'ctstate' || tok === 'state') && w[i + 1]) {
      out.matches.push({ kind: 'ctstate', negate, states: w[++i]!.toUpperCase().split(',') });
      continue;
    }
    if (tok === 'recent:') {
      const op = ({ SET: 'set', CHECK: 'rcheck', UPDATE: 'update', REMOVE: 'remove' } as const)[w[i + 1] as 'SET'];
      if (!op) throw bad('recent match');
      i++;
      let name = 'DEFAULT';
      let seconds: number | undefined;
      let reap = false;
      while (i + 1 < w.length && /^(seconds:|reap|name:|side:|mask:|hit_count:|TTL-Match)$/.test(w[i + 1]!)) {
        const k = w[++i]!;
        if (k === 'reap' || k === 'TTL-Match') reap ||= k === 'reap';
        else {
          const v = w[++i] ?? '';
          if (k === 'seconds:') seconds = Number(v);
          if (k === 'name:') name = v;
        }
      }
      out.matches.push({ kind: 'recent', op, name, seconds, reap, negate });
      continue;
    }
    if (tok === 'nfacct-name' && w[i + 1]) {
      out.matches.push({ kind: 'nfacct', name: w[++i]! });
      continue;
    }
    if (tok === 'match-set' && w[i + 1]) {
      out.matches.push({ kind: 'set', negate, name: w[++i]!, flags: w[++i] ?? '' });
      continue;
    }
    if (tok === '[goto]') {
      goto = true;
      continue;
    }
    if (targetName === 'DNAT' && tok.startsWith('to:')) {
      dnat = tok.slice(3);
      continue;
    }
    if (targetName === 'SNAT' && tok.startsWith('to:')) {
      snat = tok.slice(3);
      continue;
    }
    if (targetName === 'MASQUERADE' && (tok === 'random-fully' || tok === 'random')) {
      randomFully ||= tok === 'random-fully';
      continue;
    }
    if (targetName === 'REJECT' && tok === 'reject-with') {
      rejectWith = w[++i];
      continue;
    }
    if (targetName === 'MARK' && tok === 'MARK' && w[i + 2] !== undefined) {
      const op = w[++i]!;
      const vm = parseValueMask(w[++i]!);
      const v = parseNumber(w[i]!.split('/')[0]!);
      if (!vm || v === undefined) throw bad('MARK target');
      mark = op === 'or' ? { value: v, mask: v } : op === 'xor' ? { value: v, mask: 0 } : op === 'and' ? { value: 0, mask: ~v >>> 0 } : op === 'set' ? { value: v, mask: 0xffffffff } : vm;
      continue;
    }
    unknown.push(negate ? `! ${tok}` : tok);
  }
  if (unknown.length) {
    warnings.push({ line, message: `"${unknown.join(' ')}" is not a match we model: kept as text, and a trace treats it as not matching` });
    out.matches.push({ kind: 'opaque', module: unknown[0]!.replace(/^! /, ''), text: unknown.join(' ') });
  }
  out.target = listingTarget(targetName, goto, { dnat, snat, rejectWith, randomFully, mark }, line);
  return out;
}

function listingTarget(name: string, goto: boolean, x: { dnat?: string; snat?: string; rejectWith?: string; randomFully: boolean; mark?: { value: number; mask: number } }, line: number): Target | undefined {
  switch (name) {
    case '':
      return undefined;
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return { kind: name };
    case 'REJECT':
      return { kind: 'REJECT', with: x.rejectWith };
    case 'DNAT': {
      const d = x.dnat ? parseNatDestination(x.dnat) : undefined;
      if (!d) throw new RulesParseError(line, 'DNAT without a readable "to:ADDRESS[:PORT]"');
      return { kind: 'DNAT', ...d, text: x.dnat! };
    }
    case 'SNAT':
      return { kind: 'SNAT', text: x.snat ?? '' };
    case 'MASQUERADE':
      return { kind: 'MASQUERADE', randomFully: x.randomFully };
    case 'MARK':
      if (!x.mark) throw new RulesParseError(line, 'MARK without a readable "MARK or|xor|set|and|xset VALUE"');
      return { kind: 'MARK', ...x.mark };
  }
  if (['LOG', 'NFLOG', 'CT', 'NOTRACK', 'TRACE', 'CONNMARK', 'TCPMSS', 'CHECKSUM', 'NFQUEUE', 'AUDIT'].includes(name)) return { kind: 'other', name, text: name };
  return { kind: 'chain', chain: name, goto };
}

/**
 * Without -n, iptables prints ports by their /etc/services names (`dpt:http`). The names a kube-proxy
 * node's listing shows are read back; any other name is refused with the -n advice.
 */
const SERVICE_PORTS: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69, http: 80, kerberos: 88, pop3: 110, sunrpc: 111, ntp: 123,
  imap2: 143, imap: 143, snmp: 161, 'snmp-trap': 162, ldap: 389, https: 443, 'microsoft-ds': 445, submission: 587, ldaps: 636, imaps: 993, pop3s: 995,
  socks: 1080, 'ms-sql-s': 1433, openvpn: 1194, nfs: 2049, 'etcd-client': 2379, 'etcd-server': 2380, mysql: 3306, 'sun-sr-https': 6443,
  postgresql: 5432, amqp: 5672, 'x11': 6000, redis: 6379, 'http-alt': 8080, webcache: 8080, websm: 9090, 'sun-sr-http': 6480, zabbix: 10051, mongodb: 27017,
};

function numericPorts(v: string, line: number): string {
  return v.replace(/[A-Za-z][\w-]*/g, (name) => {
    const port = SERVICE_PORTS[name];
    if (port === undefined) throw new RulesParseError(line, `port "${name}" is a service name we cannot map to a number: the listing was printed without -n; list it again with numbers (iptables -t nat -L -n -v)`);
    return String(port);
  });
}

type Word = { w: string; end: number };
const PROTO = /^!?(all|tcp|udp|sctp|icmp|ipv6-icmp|icmpv6|udplite|esp|ah|gre|\d+)$/;
const ADDR = /^!?([0-9a-fA-F.:]+\/?\d*|anywhere)$/;
/** A listing printed without -n: addresses may be host names (refused with a message once the row is read). */
const NAMED = /^!?([0-9a-fA-F.:]+\/?\d*|[A-Za-z0-9][\w.-]*)$/;

/**
 * Lines up a row with the header. The target column is blank for rules without a target, and
 * ip6tables prints a blank opt column: try each reading and keep the one whose fields make sense.
 */
function align(words: Word[], columns: string[]): Word[] | undefined {
  const t = columns.indexOf('target');
  const o = columns.indexOf('opt');
  const blank: Word = { w: '', end: -1 };
  const variants: Word[][] = [words];
  if (t >= 0) variants.push([...words.slice(0, t), blank, ...words.slice(t)]);
  if (o >= 0) {
    variants.push([...words.slice(0, o), blank, ...words.slice(o)]);
    if (t >= 0) {
      const w = [...words.slice(0, t), blank, ...words.slice(t)];
      variants.push([...w.slice(0, o), blank, ...w.slice(o)]);
    }
  }
  const at = (v: Word[], name: string) => v[columns.indexOf(name)]?.w;
  const fits = (addr: RegExp) => (v: Word[]) =>
    v.length >= columns.length &&
    PROTO.test(at(v, 'prot') ?? '') &&
    (o < 0 || /^(--|-f|!f|)$/.test(at(v, 'opt') ?? 'x')) &&
    addr.test(at(v, 'source') ?? '') &&
    addr.test(at(v, 'destination') ?? '');
  return variants.find(fits(ADDR)) ?? variants.find(fits(NAMED));
}

function neg2(s: string): { negate: boolean; v: string } {
  return s.startsWith('!') ? { negate: true, v: s.slice(1) } : { negate: false, v: s };
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
