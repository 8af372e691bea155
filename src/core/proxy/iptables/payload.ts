/** The iptables-restore payload as data: tables of chain lines and rules, then text. */
import type { IPFamily } from '../coreDeps';

export interface IptRule {
  chain: string;
  /** The words after `-A CHAIN`, exactly as kube-proxy writes them (comments pre-quoted), space-separated. */
  text: string;
}

/** A rule from its words (joined at once: large payloads hold hundreds of thousands of rules). */
export function rule(chain: string, args: readonly string[]): IptRule {
  return { chain, text: args.join(' ') };
}

/** The words of a rule's text; double-quoted comments stay one word (with their quotes). */
export function ruleWords(text: string): string[] {
  const words: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) words.push(m[0]);
  return words;
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
