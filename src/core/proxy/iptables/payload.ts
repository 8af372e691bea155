/** The iptables-restore payload as data: tables of chain lines and rules, then text. */
import type { IPFamily } from '../coreDeps';

export interface IptRule {
  chain: string;
  /** The words after `-A CHAIN`, exactly as kube-proxy writes them (comments pre-quoted). */
  args: string[];
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

/** The exact text kube-proxy hands to `iptables-restore --noflush --counters`. */
export function restoreText(p: IPTablesPayload, withNotes = true): string {
  const out: string[] = [];
  if (withNotes) for (const n of p.notes) out.push(`# ${n}`);
  for (const t of [p.filter, p.nat]) {
    out.push(`*${t.name}`);
    for (const c of t.chains) out.push(`:${c} - [0:0]`);
    for (const r of t.rules) out.push(`-A ${r.chain} ${r.args.join(' ')}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** Wraps a comment the way kube-proxy does: quoted when it has spaces (Go code pre-quotes those). */
export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text.includes(' ') ? `"${text}"` : text];
}
