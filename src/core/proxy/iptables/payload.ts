/** The iptables-restore payload as data: tables of chain lines and rules, then text. */
import type { IPFamily } from '../coreDeps';

export interface IptRule {
  chain: string;
  /** The words after `-A CHAIN`, exactly as kube-proxy writes them (comments pre-quoted), space-separated. */
  text: string;
  /**
   * Rules written many times over with one word changed (the hot endpoint loops): `word` is that word and
   * `shape` names the words around it, as the tracer's rule reader keys them (`H` + its key).
   */
  shape?: string;
  word?: string;
}

/** A rule from its words (joined at once: large payloads hold hundreds of thousands of rules). */
export function rule(chain: string, args: readonly string[]): IptRule {
  return { chain, text: args.join(' ') };
}

/** The words of a rule's text; double-quoted comments stay one word (with their quotes). */
export function ruleWords(text: string): string[] {
  // By char codes, the same words as /"(?:[^"\\]|\\.)*"|\S+/g: a quoted run when the closing quote is
  // there, else a run of non-blanks. (This runs once per rule of every save view.)
  const words: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (isBlank(text.charCodeAt(i))) {
      i++;
      continue;
    }
    if (text.charCodeAt(i) === 34) {
      const end = quotedEnd(text, i);
      if (end > 0) {
        words.push(text.slice(i, end));
        i = end;
        continue;
      }
    }
    let j = i + 1;
    while (j < n && !isBlank(text.charCodeAt(j))) j++;
    words.push(text.slice(i, j));
    i = j;
  }
  return words;
}

/** The index after the closing quote of the quoted run starting at `start`, or -1 when it is not closed. */
function quotedEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) {
      // A backslash escapes any next character but a line terminator (a regular expression's `.`).
      const d = j + 1 < text.length ? text.charCodeAt(j + 1) : 10;
      if (d === 10 || d === 13 || d === 0x2028 || d === 0x2029) return -1;
      j++;
    }
  }
  return -1;
}

/** JavaScript's \s: the characters a regular expression's \S excludes. */
function isBlank(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export interface IptTable {
  name: 'filter' | 'nat';
  /** Chains listed with `:NAME - [0:0]` (flushed and created by iptables-restore). */
  chains: string[];
  rules: IptRule[];
}

/** The rules one single-family kube-proxy writes in one full sync. */
export interface IPTablesPayload {
  family: IPFamily;
  filter: IptTable;
  nat: IptTable;
  /** Lines printed as `# ...` comments before the payload: where our output departs from kube-proxy's. */
  notes: string[];
}

export function emptyTable(name: IptTable['name']): IptTable {
  return { name, chains: [], rules: [] };
}

/**
 * The exact text kube-proxy hands to `iptables-restore --noflush --counters`. Lines are joined in
 * chunks of a few thousand, then the chunks once: appending line by line would build a rope of a
 * million string nodes, and one array of every piece would be as large again.
 */
export function restoreText(p: IPTablesPayload, withNotes = true): string {
  const chunks: string[] = [];
  const parts: string[] = [];
  const flush = () => {
    chunks.push(parts.join(''));
    parts.length = 0;
  };
  if (withNotes) for (const n of p.notes) parts.push('# ', n, '\n');
  for (const t of [p.filter, p.nat]) {
    parts.push('*', t.name, '\n');
    for (const c of t.chains) {
      parts.push(':', c, ' - [0:0]\n');
      if (parts.length >= CHUNK) flush();
    }
    for (const r of t.rules) {
      parts.push('-A ', r.chain, ' ', r.text, '\n');
      if (parts.length >= CHUNK) flush();
    }
    parts.push('COMMIT\n');
  }
  flush();
  return chunks.length === 1 ? chunks[0]! : chunks.join('');
}

/** Pieces per chunk of restoreText (about 1,000 rules, 100 KB). */
const CHUNK = 5000;

/** Wraps a comment the way kube-proxy does: quoted when it has spaces (Go code pre-quotes those). */
export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text.includes(' ') ? `"${text}"` : text];
}
