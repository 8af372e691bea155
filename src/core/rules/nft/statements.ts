/** Parses the statements of one nft rule (the text after `add rule FAMILY TABLE CHAIN`). */
import type { Token } from './tokens';
import { untokenize } from './tokens';
import type { NftStatement, NftValue } from './types';

export interface ParsedRule {
  statements: NftStatement[];
  comment?: string;
  /** Statements we kept as opaque text. */
  unknown: string[];
}

const VERDICTS = new Set(['jump', 'goto', 'return', 'drop', 'accept', 'reject', 'continue']);
/** Words that start a statement: an unknown statement runs until one of these. */
const STARTS = new Set([
  'ip', 'ip6', 'meta', 'th', 'tcp', 'udp', 'sctp', 'fib', 'ct', 'numgen', 'mark', 'iifname', 'oifname', 'dnat', 'snat', 'masquerade',
  'update', 'counter', 'comment', ...VERDICTS,
]);
const PROTO_HEADERS = new Set(['th', 'tcp', 'udp', 'sctp']);

class Cursor {
  i = 0;
  constructor(readonly t: readonly Token[]) {}
  peek(k = 0): string | undefined {
    return this.t[this.i + k]?.text;
  }
  quotedAt(k = 0): boolean {
    return this.t[this.i + k]?.quoted ?? false;
  }
  next(): string {
    const v = this.t[this.i++];
    if (!v) throw new Error('unexpected end of rule');
    return v.text;
  }
  done(): boolean {
    return this.i >= this.t.length;
  }
}

/** One selector (`ip daddr`, `meta l4proto`, `th dport`, `fib saddr type`, `numgen random mod 2`...) or undefined. */
function readSelector(c: Cursor): string | undefined {
  const w = c.peek();
  if (w === undefined || c.quotedAt()) return undefined;
  if ((w === 'ip' || w === 'ip6') && /^(saddr|daddr|protocol|nexthdr)$/.test(c.peek(1) ?? '')) return `${c.next()} ${c.next()}`;
  if (w === 'meta' && /^(l4proto|mark|iifname|oifname|nfproto|pkttype)$/.test(c.peek(1) ?? '') && c.peek(2) !== 'set') {
    c.next();
    const f = c.next();
    return f === 'mark' ? 'mark' : f === 'iifname' || f === 'oifname' ? f : `meta ${f}`;
  }
  if (PROTO_HEADERS.has(w) && /^(sport|dport)$/.test(c.peek(1) ?? '')) return `${c.next()} ${c.next()}`;
  if (w === 'fib' && /^(saddr|daddr)$/.test(c.peek(1) ?? '') && c.peek(2) === 'type') {
    c.next();
    const dir = c.next();
    c.next();
    return `fib ${dir} type`;
  }
  if (w === 'ct' && /^(state|status|mark)$/.test(c.peek(1) ?? '')) return `${c.next()} ${c.next()}`;
  if (w === 'numgen' && c.peek(1) === 'random' && c.peek(2) === 'mod') {
    c.next();
    c.next();
    c.next();
    return `numgen random mod ${c.next()}`;
  }
  if ((w === 'mark' || w === 'iifname' || w === 'oifname') && c.peek(1) !== 'set') return c.next();
  return undefined;
}

/** `{ a, b }` as a set or a map (`k . k : v` entries), after the opening brace was seen. */
function readBraced(c: Cursor): NftValue {
  c.next(); // {
  const entries: { key: string[]; value: string }[] = [];
  const items: string[] = [];
  let isMap = false;
  let cur: string[] = [];
  const flush = () => {
    if (!cur.length) return;
    const colon = cur.indexOf(':');
    if (colon >= 0) {
      isMap = true;
      entries.push({ key: cur.slice(0, colon).filter((x) => x !== '.'), value: cur.slice(colon + 1).join(' ') });
    } else items.push(cur.join(' '));
    cur = [];
  };
  for (;;) {
    const w = c.next();
    if (w === '}') break;
    if (w === ',') {
      flush();
      continue;
    }
    cur.push(w);
  }
  flush();
  return isMap ? { kind: 'map', entries } : { kind: 'set', items };
}

function readValue(c: Cursor): NftValue {
  const w = c.peek();
  if (w === '{') return readBraced(c);
  const v = c.next();
  if (v.startsWith('@')) return { kind: 'ref', name: v.slice(1) };
  if (v === '@') return { kind: 'ref', name: c.next() };
  return { kind: 'value', text: v };
}

function readExpressionStatement(c: Cursor, first: string): NftStatement {
  const keys = [first];
  while (c.peek() === '.') {
    c.next();
    const k = readSelector(c);
    if (!k) throw new Error(`expected a selector after "." in a concatenation`);
    keys.push(k);
  }
  let mask: string | undefined;
  if (c.peek() === 'and' || c.peek() === '&') {
    c.next();
    mask = c.next();
  }
  const w = c.peek();
  if (w === 'vmap') {
    c.next();
    return { kind: 'vmap', keys, map: readValue(c) };
  }
  let op: '==' | '!=' = '==';
  if (w === '!=' || w === '==') op = c.next() as '==' | '!=';
  if (c.done()) throw new Error(`"${keys.join(' . ')}" needs a value`);
  let value = readValue(c);
  // `ct state established,related` and `fib daddr type { local, ... }` are one word / one set already.
  if (value.kind === 'value' && c.peek() === ',') {
    const items = [value.text];
    while (c.peek() === ',') {
      c.next();
      items.push(c.next());
    }
    value = { kind: 'set', items };
  }
  return { kind: 'match', keys, ...(mask ? { mask } : {}), op, value };
}

function splitHostPortText(text: string): { addr: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { addr: v6[1]!, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(text);
  if (v4) return { addr: v4[1]!, ...(v4[2] ? { port: Number(v4[2]) } : {}) };
  return { addr: text };
}

export function parseRuleTokens(tokens: readonly Token[]): ParsedRule {
  const c = new Cursor(tokens);
  const statements: NftStatement[] = [];
  const unknown: string[] = [];
  let comment: string | undefined;
  while (!c.done()) {
    const w = c.peek()!;
    const start = c.i;
    try {
      if (w === 'comment' && c.quotedAt(1)) {
        c.next();
        comment = c.next();
        continue;
      }
      const sel = readSelector(c);
      if (sel) {
        statements.push(readExpressionStatement(c, sel));
        continue;
      }
      if (VERDICTS.has(w)) {
        c.next();
        if (w === 'jump' || w === 'goto') statements.push({ kind: 'verdict', verdict: w, target: c.next() });
        else {
          if (w === 'reject' && c.peek() === 'with') {
            c.next();
            while (!c.done() && !STARTS.has(c.peek()!)) c.next();
          }
          statements.push({ kind: 'verdict', verdict: w as 'return' });
        }
        continue;
      }
      if (w === 'dnat') {
        c.next();
        if (c.peek() === 'ip' || c.peek() === 'ip6') c.next();
        // kube-proxy 1.36 writes `dnat ip addr . port to numgen ... map { 0 : 10.0.0.1 . 80 }` (nft lists it as `dnat ip to ...`).
        if (c.peek() === 'addr' && c.peek(1) === '.' && c.peek(2) === 'port') {
          c.next();
          c.next();
          c.next();
        }
        if (c.next() !== 'to') throw new Error('expected "dnat to ADDRESS[:PORT]"');
        const sel = readSelector(c);
        if (sel) {
          // `dnat ip to numgen random mod 2 map { 0 : 10.0.0.1 . 80 , ... }`: the address comes from a map.
          const keys = [sel];
          while (c.peek() === '.') {
            c.next();
            const k = readSelector(c);
            if (!k) throw new Error('expected a selector after "." in a dnat map key');
            keys.push(k);
          }
          if (c.next() !== 'map' || c.peek() !== '{') throw new Error('expected "map { ... }" after the dnat key');
          const m = readBraced(c);
          if (m.kind !== 'map') throw new Error('a dnat map needs "key : address . port" entries');
          statements.push({ kind: 'dnat-map', keys, entries: m.entries.map((e) => ({ key: e.key, value: e.value.split(/\s+/).join(' ') })) });
          continue;
        }
        statements.push({ kind: 'dnat', ...splitHostPortText(c.next()) });
        continue;
      }
      if (w === 'masquerade') {
        c.next();
        const flags: string[] = [];
        while (c.peek() === 'fully-random' || c.peek() === 'random' || c.peek() === 'persistent') flags.push(c.next());
        statements.push({ kind: 'masquerade', flags });
        continue;
      }
      if ((w === 'mark' || (w === 'meta' && c.peek(1) === 'mark')) && c.peek(w === 'meta' ? 2 : 1) === 'set') {
        if (w === 'meta') c.next();
        c.next();
        c.next(); // set
        // `mark set mark or 0x4000` | `meta mark set meta mark | 0x00004000` | `mark set 0x1`
        if (c.peek() === 'meta') c.next();
        if (c.peek() === 'mark') {
          c.next();
          const op = c.next();
          const ops: Record<string, 'or' | 'xor' | 'and'> = { or: 'or', '|': 'or', xor: 'xor', '^': 'xor', and: 'and', '&': 'and' };
          const o = ops[op];
          if (!o) throw new Error(`unknown mark operator "${op}"`);
          statements.push({ kind: 'mark-set', op: o, value: c.next() });
        } else statements.push({ kind: 'mark-set', op: 'set', value: c.next() });
        continue;
      }
      if ((w === 'update' || w === 'add') && (c.peek(1) ?? '').startsWith('@')) {
        c.next();
        const set = c.next().slice(1);
        const inner = readBraced(c);
        const keys = inner.kind === 'set' ? inner.items.flatMap((x) => x.split(' . ')) : [];
        statements.push({ kind: 'update', set, keys: keys.map((k) => k.replace(/\s+timeout\s+\S+$/, '')) });
        continue;
      }
      if (w === 'counter') {
        c.next();
        while (c.peek() === 'packets' || c.peek() === 'bytes') {
          c.next();
          c.next();
        }
        statements.push({ kind: 'counter' });
        continue;
      }
    } catch (e) {
      c.i = start;
      if (!(e instanceof Error)) throw e;
    }
    // Unknown: keep the words up to the next statement start as opaque text.
    const words: Token[] = [c.t[c.i++]!];
    while (!c.done() && !STARTS.has(c.peek()!)) words.push(c.t[c.i++]!);
    const text = untokenize(words);
    statements.push({ kind: 'opaque', text });
    unknown.push(text);
  }
  return { statements, ...(comment !== undefined ? { comment } : {}), unknown };
}
