/**
 * Defensive readers for untyped manifest values: wrong types read as absent, never throw.
 * They run for every loaded object before V8 has optimised them, so their loops are indexed: a for-of
 * there allocates an iterator and a result object per element, Object.entries an array per pair.
 */
export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
/** An integer, from a number or a numeric string (as a quoted port). */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}
export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = rec(v);
  const keys = Object.keys(r);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const val = r[k];
    const s = str(val);
    if (s !== undefined) out[k] = s;
    else if (val === null) out[k] = '';
  }
  return out;
}
export function strList(v: unknown): string[] {
  const list = arr(v);
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = str(list[i]);
    if (s !== undefined) out.push(s);
  }
  return out;
}
/** Follows a path of keys through nested records. */
export function dig(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (let i = 0; i < path.length; i++) {
    const k = path[i]!;
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k] : undefined;
    else cur = rec(cur)[k];
    if (cur === undefined) return undefined;
  }
  return cur;
}
