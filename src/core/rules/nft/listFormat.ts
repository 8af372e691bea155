/**
 * How `nft list` prints what kube-proxy wrote (nftables 1.0.x, as seen in real `nft list table ip
 * kube-proxy` outputs): marks as `meta mark & 0x00004000 == 0x00000000` and `meta mark set meta mark |
 * 0x00004000`, one-element anonymous sets as plain values, `{ a, b }` spacing, set elements sorted the
 * way nft sorts them (mergesort.c: plain values by number, concatenations by their bytes read as a
 * little-endian number) and wrapped as calculate_delim() does, and standard priorities by name only
 * where nft allows the name for that hook.
 */
import type { NftElement, NftSet } from './types';

/** `0x4000` / `16384` -> `0x00004000`, as nft prints a mark; undefined for anything else. */
function mark32(v: string | undefined): string | undefined {
  if (v === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) return undefined;
  return `0x${BigInt(v).toString(16).padStart(8, '0')}`;
}

/** Words of a rule, keeping a quoted string (with its quotes) as one word. */
function words(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

/** The items of a `{ ... }` starting at words[i] (the `{`), and the index after the `}`. */
function braced(w: string[], i: number): { items: string[]; end: number } {
  const items: string[] = [];
  let cur: string[] = [];
  let j = i + 1;
  for (; j < w.length && w[j] !== '}'; j++) {
    const t = w[j]!;
    if (t === ',') {
      if (cur.length) items.push(cur.join(' '));
      cur = [];
    } else if (t.endsWith(',') && !t.startsWith('"')) {
      cur.push(t.slice(0, -1));
      items.push(cur.join(' '));
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) items.push(cur.join(' '));
  return { items, end: j + 1 };
}

/** A rule's text as `nft list` prints it back. */
export function nftListRuleText(text: string): string {
  const w = words(text);
  const out: string[] = [];
  for (let i = 0; i < w.length; ) {
    const t = w[i]!;
    // mark and X == Y  /  meta mark & X == Y  ->  meta mark & 0x... == 0x...
    if ((t === 'mark' || (t === 'meta' && w[i + 1] === 'mark')) && (w[i + (t === 'meta' ? 2 : 1)] === 'and' || w[i + (t === 'meta' ? 2 : 1)] === '&')) {
      const k = i + (t === 'meta' ? 3 : 2);
      const op = w[k + 1] === '==' || w[k + 1] === '!=' ? w[k + 1]! : undefined;
      const mask = mark32(w[k]);
      const value = mark32(op ? w[k + 2] : w[k + 1]);
      if (mask !== undefined && value !== undefined) {
        out.push('meta', 'mark', '&', mask, op ?? '==', value);
        i = k + (op ? 3 : 2);
        continue;
      }
    }
    // mark set mark or X  ->  meta mark set meta mark | 0x...
    if ((t === 'mark' || (t === 'meta' && w[i + 1] === 'mark')) && w[i + (t === 'meta' ? 2 : 1)] === 'set') {
      let k = i + (t === 'meta' ? 3 : 2);
      if (w[k] === 'meta') k++;
      if (w[k] === 'mark') {
        const ops: Record<string, string> = { or: '|', '|': '|', xor: '^', '^': '^', and: '&', '&': '&' };
        const op = ops[w[k + 1] ?? ''];
        const value = mark32(w[k + 2]);
        if (op && value !== undefined) {
          out.push('meta', 'mark', 'set', 'meta', 'mark', op, value);
          i = k + 3;
          continue;
        }
      } else if (mark32(w[k]) !== undefined) {
        out.push('meta', 'mark', 'set', mark32(w[k])!);
        i = k + 1;
        continue;
      }
    }
    // dnat ip addr . port to ...  ->  dnat ip to ... (nft 1.0.x lists a concatenated address.port map that way)
    if (t === 'dnat' && (w[i + 1] === 'ip' || w[i + 1] === 'ip6') && w[i + 2] === 'addr' && w[i + 3] === '.' && w[i + 4] === 'port' && w[i + 5] === 'to') {
      out.push('dnat', w[i + 1]!, 'to');
      i += 6;
      continue;
    }
    if (t === '{') {
      const { items, end } = braced(w, i);
      const isUpdateKey = out[out.length - 1]?.startsWith('@') && out[out.length - 2] === 'update';
      const isMap = items.some((x) => / : /.test(` ${x} `));
      if (isUpdateKey) out.push('{', items.join(', '), '}');
      else if (!isMap && items.length === 1) out.push(items[0]!);
      else out.push('{', (isMap ? items : sortValues(items)).join(', '), '}');
      i = end;
      continue;
    }
    out.push(t);
    i++;
  }
  return out.join(' ');
}

// ---- set elements ----

const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 };

function ipv4Bytes(s: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1, 5).map(Number);
  return b.every((x) => x <= 255) ? b : undefined;
}

function ipv6Bytes(s: string): number[] | undefined {
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const [head, tail] = s.split('::') as [string, string | undefined];
  const parts = (x: string) => (x ? x.split(':') : []);
  const h = parts(head);
  const t = tail === undefined ? [] : parts(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0) return undefined;
  const groups = [...h, ...Array<string>(fill).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

/** A component's bytes in the order nft holds them, by its type; undefined when it does not parse. */
function componentBytes(value: string, type: string): number[] | undefined {
  switch (type) {
    case 'ipv4_addr':
      return ipv4Bytes(value);
    case 'ipv6_addr':
      return ipv6Bytes(value);
    case 'inet_proto': {
      const n = PROTOCOLS[value] ?? (/^\d+$/.test(value) ? Number(value) : undefined);
      return n === undefined || n > 255 ? undefined : [n];
    }
    case 'inet_service': {
      if (!/^\d+$/.test(value) || Number(value) > 65535) return undefined;
      return [Number(value) >> 8, Number(value) & 255];
    }
    default:
      return undefined;
  }
}

/** -1/0/1 comparing byte strings from the first byte (big-endian) or from the last (little-endian). */
function compareBytes(a: number[], b: number[], littleEndian: boolean): number {
  const n = Math.max(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const i = littleEndian ? n - 1 - k : k;
    const x = a[littleEndian ? a.length - 1 - k : i] ?? 0;
    const y = b[littleEndian ? b.length - 1 - k : i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The key types of a set or map (`ipv4_addr . inet_proto . inet_service : verdict` -> three). */
export function keyTypes(set: Pick<NftSet, 'type'>): string[] {
  return set.type.split(':')[0]!.split(' . ').map((s) => s.trim());
}

/** Elements in the order `nft list` prints them (unchanged when a key cannot be read). */
export function sortElementsAsNft(set: Pick<NftSet, 'type' | 'elements'>): NftElement[] {
  const types = keyTypes(set);
  const keyed = set.elements.map((e) => {
    if (e.key.length !== types.length) return { e, bytes: undefined };
    const parts = e.key.map((k, i) => componentBytes(k, types[i]!));
    return { e, bytes: parts.every((p) => p) ? (parts as number[][]).flat() : undefined };
  });
  if (keyed.some((k) => !k.bytes)) return [...set.elements];
  const le = types.length > 1;
  return keyed.sort((a, b) => compareBytes(a.bytes!, b.bytes!, le)).map((k) => k.e);
}

/** Anonymous-set items of one type (addresses, prefixes, ports) in nft's order. */
function sortValues(items: string[]): string[] {
  const key = (x: string) => {
    const [addr, len] = x.split('/') as [string, string | undefined];
    const b = ipv4Bytes(addr) ?? ipv6Bytes(addr) ?? (/^\d+$/.test(addr) ? [Number(addr) >> 8, Number(addr) & 255] : undefined);
    return b ? [...b, Number(len ?? 0)] : undefined;
  };
  const keyed = items.map((x) => ({ x, k: key(x) }));
  if (keyed.some((k) => !k.k)) return items;
  return keyed.sort((a, b) => compareBytes(a.k!, b.k!, false)).map((k) => k.x);
}

/** calculate_delim(): addresses two to a line, ports and integers sixteen, anything else one. */
function perLine(set: Pick<NftSet, 'type'>): number {
  const types = keyTypes(set);
  if (types.length !== 1) return 1;
  const t = types[0]!;
  if (t === 'ipv4_addr' || t === 'ct_state' || t === 'ct_status' || t === 'pkt_type') return 2;
  if (t === 'inet_service' || t === 'inet_proto' || t === 'integer' || t === 'nf_proto' || t === 'mark') return 16;
  return 1;
}

export function nftElementListText(e: NftElement): string {
  return `${e.key.join(' . ')}${e.comment !== undefined ? ` comment ${JSON.stringify(e.comment)}` : ''}${e.value !== undefined ? ` : ${e.value}` : ''}`;
}

/** The `elements = { ... }` line(s) of a set block, indented as nft does. */
export function elementsBlock(set: Pick<NftSet, 'type' | 'elements'>): string {
  const items = sortElementsAsNft(set).map(nftElementListText);
  const n = perLine(set);
  let out = '\t\telements = { ';
  items.forEach((item, i) => {
    out += item;
    if (i === items.length - 1) return;
    out += (i + 1) % n === 0 ? ',\n\t\t\t     ' : ', ';
  });
  return `${out} }`;
}

const FLAG_ORDER = ['constant', 'dynamic', 'interval', 'timeout'];

/** Set flags in the order nft prints them (constant, dynamic, interval, timeout), whatever order they were given in. */
export function setFlagsText(flags: readonly string[]): string {
  const rank = (f: string) => (FLAG_ORDER.includes(f) ? FLAG_ORDER.indexOf(f) : FLAG_ORDER.length);
  return [...flags].sort((a, b) => rank(a) - rank(b)).join(',');
}

const NAMED: [string, number][] = [
  ['raw', -300],
  ['mangle', -150],
  ['dstnat', -100],
  ['filter', 0],
  ['security', 50],
  ['srcnat', 100],
];

/**
 * nft prints a standard priority by name (with an offset of up to 10): -110 on prerouting is
 * `dstnat - 10`. `dstnat` is only a name on the prerouting hook and `srcnat` only on postrouting, so
 * -100 on output prints as `-100`, as real listings show.
 */
export function priorityName(value: number, hook?: string): string {
  let best: [string, number] | undefined;
  for (const [name, v] of NAMED) {
    if (hook !== undefined && ((name === 'dstnat' && hook !== 'prerouting') || (name === 'srcnat' && hook !== 'postrouting'))) continue;
    if (Math.abs(value - v) <= 10 && (!best || Math.abs(value - v) < Math.abs(value - best[1]))) best = [name, v];
  }
  if (!best) return String(value);
  const d = value - best[1];
  return d === 0 ? best[0] : `${best[0]} ${d < 0 ? '-' : '+'} ${Math.abs(d)}`;
}
