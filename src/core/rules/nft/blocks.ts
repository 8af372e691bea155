/** Pieces shared by both nft text forms: chain specs, set specs, element lists, priorities, durations. */
import type { Token } from './tokens';
import type { NftChain, NftElement, NftSet } from './types';

const NAMED_PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

/** `-110`, `dstnat-10`, `dstnat - 10`, `filter` (nft prints standard priorities by name). */
export function parsePriority(words: string[]): number | undefined {
  const text = words.join('');
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  const m = /^([a-z]+)(?:([+-])(\d+))?$/.exec(text);
  if (!m) return undefined;
  const base = NAMED_PRIORITIES[m[1]!];
  if (base === undefined) return undefined;
  return m[2] ? base + (m[2] === '-' ? -1 : 1) * Number(m[3]) : base;
}

/** `10800s`, `3h`, `1d2h3m4s`, `500ms` -> seconds. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+)(ms|d|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total += m[2] === 'd' ? n * 86400 : m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/** Splits a token list on `;` into property clauses (`type filter hook input priority 0`, `comment "x"`). */
export function clauses(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (t.text === ';' && !t.quoted) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((c) => c.length > 0);
}

/** Applies one chain property clause. Returns false when the clause is not a chain property. */
export function applyChainClause(chain: NftChain, clause: Token[]): boolean {
  const w = clause.map((t) => t.text);
  if (w[0] === 'type' && w[2] === 'hook' && w[4] === 'priority') {
    chain.type = w[1];
    chain.hook = w[3];
    const prio = parsePriority(w.slice(5));
    if (prio !== undefined) chain.priority = prio;
    return prio !== undefined;
  }
  if (w[0] === 'policy' && w[1]) {
    chain.policy = w[1];
    return true;
  }
  if (w[0] === 'comment' && clause[1]?.quoted) {
    chain.comment = w[1];
    return true;
  }
  return false;
}

/** Applies one set/map property clause. Returns false when unknown. */
export function applySetClause(set: NftSet, clause: Token[]): boolean {
  const w = clause.map((t) => t.text);
  switch (w[0]) {
    case 'type':
    case 'typeof':
      set.type = w.slice(1).join(' ');
      if (w.includes(':')) set.kind = 'map';
      return true;
    case 'flags':
      set.flags = w.slice(1).filter((x) => x !== ',').flatMap((x) => x.split(',')).filter(Boolean);
      return true;
    case 'timeout': {
      const t = parseDuration(w[1] ?? '');
      if (t !== undefined) set.timeout = t;
      return t !== undefined;
    }
    case 'comment':
      if (!clause[1]?.quoted) return false;
      set.comment = w[1];
      return true;
    case 'size':
    case 'gc-interval':
    case 'policy':
    case 'counter':
    case 'auto-merge':
      return true;
    default:
      return false;
  }
}

/** Elements inside `{ ... }` (braces already removed): `a . b comment "c" : v, d`. */
export function parseElements(tokens: readonly Token[]): NftElement[] {
  const out: NftElement[] = [];
  let cur: Token[] = [];
  const flush = () => {
    if (!cur.length) return;
    const key: string[] = [];
    const value: string[] = [];
    let comment: string | undefined;
    let inValue = false;
    for (let i = 0; i < cur.length; i++) {
      const t = cur[i]!;
      if (!t.quoted && t.text === 'comment' && cur[i + 1]?.quoted) {
        comment = cur[++i]!.text;
        continue;
      }
      // Dynamic-set bookkeeping printed by `nft list`: not part of the key.
      if (!t.quoted && (t.text === 'timeout' || t.text === 'expires') && !inValue) {
        i++;
        continue;
      }
      if (!t.quoted && t.text === ':' && !inValue) {
        inValue = true;
        continue;
      }
      if (inValue) value.push(t.text);
      else if (t.text !== '.') key.push(t.text);
    }
    out.push({ key, ...(value.length ? { value: value.join(' ') } : {}), ...(comment !== undefined ? { comment } : {}) });
    cur = [];
  };
  for (const t of tokens) {
    if (!t.quoted && t.text === ',') flush();
    else cur.push(t);
  }
  flush();
  return out;
}

/** Canonical element text, as knftables writes it. */
export function elementKey(e: NftElement): string {
  return e.key.join(' . ');
}
