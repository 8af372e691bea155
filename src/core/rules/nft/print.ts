/** Writes a parsed nft table back out: as knftables' Fake.Dump() (what upstream tests compare) or like `nft list table`. */
import { elementsBlock, nftListRuleText, priorityName, setFlagsText } from './listFormat';
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

/**
 * The table as `nft list table FAMILY NAME` prints it (nftables 1.0.x): the table comment, then sets and
 * maps, then chains, each in creation order and separated by a blank line; elements sorted and wrapped
 * as nft does; rules in nft's spelling (listFormat.ts). No counters: kube-proxy adds none.
 */
export function listNftTable(t: NftTable): string {
  const out: string[] = [`table ${t.family} ${t.name} {`];
  if (t.comment !== undefined) out.push(`\tcomment ${q(t.comment)}`);
  const blocks: string[][] = [];
  for (const s of t.sets.values()) {
    const b = [`\t${s.kind} ${s.name} {`, `\t\ttype ${s.type}`];
    if (s.flags.length) b.push(`\t\tflags ${setFlagsText(s.flags)}`);
    if (s.timeout !== undefined) b.push(`\t\ttimeout ${duration(s.timeout)}`);
    if (s.comment !== undefined) b.push(`\t\tcomment ${q(s.comment)}`);
    if (s.elements.length) b.push(elementsBlock(s));
    b.push('\t}');
    blocks.push(b);
  }
  for (const c of t.chains.values()) {
    const b = [`\tchain ${c.name} {`];
    if (c.comment !== undefined) b.push(`\t\tcomment ${q(c.comment)}`);
    if (c.type) b.push(`\t\ttype ${c.type} hook ${c.hook} priority ${priorityName(c.priority ?? 0, c.hook)}; policy ${c.policy ?? 'accept'};`);
    for (const r of c.rules) b.push(`\t\t${nftListRuleText(r.text)}`);
    b.push('\t}');
    blocks.push(b);
  }
  blocks.forEach((b, i) => out.push(...(i ? [''] : []), ...b));
  out.push('}');
  return out.join('\n') + '\n';
}
