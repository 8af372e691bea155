/**
 * Canonical keys for nft rules and set elements, equal when they behave the same: the transaction text
 * kube-proxy sends and what `nft list` prints back differ in spelling (`mark and 0x4000 == 0` vs
 * `meta mark & 0x00004000 == 0x00000000`, `/32` on host addresses, counters, the element order of
 * anonymous sets, the slot numbers of a `numgen` fan-out), not in meaning.
 */
import type { NftElement, NftRule, NftStatement, NftValue } from './types';

/** Hex and decimal integers compare as numbers; host prefixes and quotes are dropped. */
export function canonicalWord(w: string): string {
  if (/^0x[0-9a-f]+$/i.test(w)) return BigInt(w).toString();
  if (/^\d+$/.test(w) && w.length > 1) return BigInt(w).toString();
  const host = /^(.+)\/(32|128)$/.exec(w);
  if (host && (host[2] === '32' ? /^\d+\.\d+\.\d+\.\d+$/.test(host[1]!) : host[1]!.includes(':'))) return host[1]!;
  if (w.length >= 2 && w.startsWith('"') && w.endsWith('"')) return w.slice(1, -1);
  return w;
}

const words = (text: string): string => text.split(/\s+/).filter(Boolean).map(canonicalWord).join(' ');

function valueKey(v: NftValue, fanOut: boolean): string {
  switch (v.kind) {
    case 'ref':
      return `@${v.name}`;
    case 'value':
      return canonicalWord(v.text);
    case 'set':
      // nft stores a one-element anonymous set as a plain comparison (and lists it so).
      return v.items.length === 1 ? words(v.items[0]!) : `{${v.items.map(words).sort().join(',')}}`;
    case 'map': {
      // A numgen fan-out sends 1/N of connections to each value: which slot holds which does not matter.
      const entries = v.entries.map((e) => (fanOut ? words(e.value) : `${e.key.map(words).join('.')}:${words(e.value)}`));
      return `{${entries.sort().join(',')}}`;
    }
  }
}

export function statementKey(s: NftStatement): string | undefined {
  switch (s.kind) {
    case 'counter':
      return undefined;
    case 'match':
      return `${s.keys.join('.')}${s.mask !== undefined ? `&${canonicalWord(s.mask)}` : ''}${s.op}${valueKey(s.value, false)}`;
    case 'vmap':
      return `${s.keys.join('.')} vmap ${valueKey(s.map, s.keys.length === 1 && s.keys[0]!.startsWith('numgen '))}`;
    case 'verdict':
      return s.target ? `${s.verdict} ${s.target}` : s.verdict;
    case 'dnat':
      return `dnat ${canonicalWord(s.addr)}${s.port !== undefined ? `:${s.port}` : ''}`;
    case 'dnat-map':
      return `dnat ${s.keys.join('.')} map ${valueKey({ kind: 'map', entries: s.entries }, s.keys.length === 1 && s.keys[0]!.startsWith('numgen '))}`;
    case 'masquerade':
      return `masquerade ${[...s.flags].sort().join(',')}`;
    case 'mark-set':
      return `mark ${s.op} ${canonicalWord(s.value)}`;
    case 'update':
      return `update @${s.set} ${s.keys.map(words).join('.')}`;
    case 'opaque':
      return words(s.text);
  }
}

/** Equal for rules that behave the same (statement order kept: nft evaluates statements in order). */
export function nftRuleKey(r: Pick<NftRule, 'statements' | 'comment'>): string {
  const parts: string[] = [];
  for (const s of r.statements) {
    const k = statementKey(s);
    if (k !== undefined) parts.push(k);
  }
  return `${parts.join(' ; ')}${r.comment !== undefined ? ` # ${r.comment}` : ''}`;
}

export function nftElementKey(e: NftElement): string {
  return `${e.key.map(words).join(' . ')}${e.value !== undefined ? ` : ${words(e.value)}` : ''}`;
}

/** An element as nft writes it, for reports. */
export function nftElementText(e: NftElement): string {
  return `${e.key.join(' . ')}${e.value !== undefined ? ` : ${e.value}` : ''}`;
}
