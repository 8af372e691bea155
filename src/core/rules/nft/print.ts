/** Writes a parsed nft table back out: as knftables' Fake.Dump() (what upstream tests compare) or like `nft list table`. */
import type { NftChain, NftElement, NftSet, NftTable } from './types';

function q(s: string): string {
  return JSON.stringify(s);
}

const byName = <T extends { name: string }>(m: Map<string, T>): T[] => [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function chainSpec(c: NftChain): string {
  const parts: string[] = [];
  if (c.type) parts.push(`type ${c.type} hook ${c.hook} priority ${c.priority ?? 0} ;`);
  if (c.comment !== undefined) parts.push(`comment ${q(c.comment)} ;`);
  return parts.length ? ` { ${parts.join(' ')} }` : '';
}

function setSpec(s: NftSet): string {
  const parts = [`type ${s.type} ;`];
  if (s.flags.length) parts.push(`flags ${s.flags.join(',')} ;`);
  if (s.timeout !== undefined) parts.push(`timeout ${s.timeout}s ;`);
  if (s.comment !== undefined) parts.push(`comment ${q(s.comment)} ;`);
  return ` { ${parts.join(' ')} }`;
}

function elementText(e: NftElement): string {
  return `${e.key.join(' . ')}${e.comment !== undefined ? ` comment ${q(e.comment)}` : ''}${e.value !== undefined ? ` : ${e.value}` : ''}`;
}

/**
 * The table as `add ...` lines in knftables' Fake.Dump() order: the table, every chain, set and map
 * (each sorted by name), then the rules of each chain, then the elements of each set and map.
 */
export function dumpNftTable(t: NftTable): string {
  const p = `${t.family} ${t.name}`;
  const out: string[] = [`add table ${p}${t.comment !== undefined ? ` { comment ${q(t.comment)} ; }` : ''}`];
  const chains = byName(t.chains);
  const sets = byName(t.sets).filter((s) => s.kind === 'set');
  const maps = byName(t.sets).filter((s) => s.kind === 'map');
  for (const c of chains) out.push(`add chain ${p} ${c.name}${chainSpec(c)}`);
  for (const s of sets) out.push(`add set ${p} ${s.name}${setSpec(s)}`);
  for (const m of maps) out.push(`add map ${p} ${m.name}${setSpec(m)}`);
  for (const c of chains) for (const r of c.rules) out.push(`add rule ${p} ${c.name} ${r.text}`);
  for (const s of [...sets, ...maps]) for (const e of s.elements) out.push(`add element ${p} ${s.name} { ${elementText(e)} }`);
  return out.join('\n') + '\n';
}

const NAMED: [string, number][] = [
  ['raw', -300],
  ['mangle', -150],
  ['dstnat', -100],
  ['filter', 0],
  ['security', 50],
  ['srcnat', 100],
];

/** nft prints standard priorities by name: -110 is `dstnat - 10`, 0 is `filter`. */
export function priorityName(value: number): string {
  let best: [string, number] | undefined;
  for (const [name, v] of NAMED) if (Math.abs(value - v) <= 10 && (!best || Math.abs(value - v) < Math.abs(value - best[1]))) best = [name, v];
  if (!best) return String(value);
  const d = value - best[1];
  return d === 0 ? best[0] : `${best[0]} ${d < 0 ? '-' : '+'} ${Math.abs(d)}`;
}

function duration(seconds: number): string {
  let s = Math.round(seconds);
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= size) {
      out += `${Math.floor(s / size)}${unit}`;
      s %= size;
    }
  }
  return s || !out ? `${out}${s}s` : out;
}

/** A look-alike of `nft list table FAMILY NAME` (layout as nft prints it; rule text as kube-proxy wrote it). */
export function listNftTable(t: NftTable): string {
  const out: string[] = [`table ${t.family} ${t.name} {`];
  if (t.comment !== undefined) out.push(`\tcomment ${q(t.comment)}`, '');
  for (const s of t.sets.values()) {
    out.push(`\t${s.kind} ${s.name} {`, `\t\ttype ${s.type}`);
    if (s.flags.length) out.push(`\t\tflags ${s.flags.join(',')}`);
    if (s.timeout !== undefined) out.push(`\t\ttimeout ${duration(s.timeout)}`);
    if (s.comment !== undefined) out.push(`\t\tcomment ${q(s.comment)}`);
    if (s.elements.length) {
      const items = s.elements.map(elementText);
      out.push(`\t\telements = { ${items.join(',\n\t\t\t     ')} }`);
    }
    out.push('\t}', '');
  }
  for (const c of t.chains.values()) {
    out.push(`\tchain ${c.name} {`);
    if (c.comment !== undefined) out.push(`\t\tcomment ${q(c.comment)}`);
    if (c.type) out.push(`\t\ttype ${c.type} hook ${c.hook} priority ${priorityName(c.priority ?? 0)}; policy ${c.policy ?? 'accept'};`);
    for (const r of c.rules) out.push(`\t\t${r.text}`);
    out.push('\t}', '');
  }
  if (out[out.length - 1] === '') out.pop();
  out.push('}');
  return out.join('\n') + '\n';
}
