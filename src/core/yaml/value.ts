import type { YNode, YPair } from './nodes';
import type { YamlError } from './parse';

/** The plain value of a node: merge keys applied, the last of duplicate keys winning (with a warning). */
export function toValue(n: YNode, memo: Map<YNode, unknown> | undefined, warnings: YamlError[]): unknown {
  if (n.kind === 'scalar') return n.value;
  const seen = memo?.get(n);
  if (seen !== undefined) return seen;
  if (n.kind === 'seq') {
    const arr: unknown[] = [];
    memo?.set(n, arr);
    for (const i of n.items) arr.push(toValue(i, memo, warnings));
    return arr;
  }
  // An ordinary object (fast property access, JSON and spreading behave); `__proto__` is defined as data,
  // never assigned, so no key can reach a prototype.
  const obj: Record<string, unknown> = {};
  memo?.set(n, obj);
  let merges: YPair[] | undefined;
  for (const p of n.pairs) {
    const key = p.key.kind === 'scalar' ? String(p.key.value) : JSON.stringify(toValue(p.key, memo, warnings));
    if (key === '<<' && p.key.kind === 'scalar' && !p.key.quoted) {
      (merges ??= []).push(p);
      continue;
    }
    if (hasOwn(obj, key)) warnings.push(duplicateKey(key, p.key.start, p.key.end));
    setData(obj, key, toValue(p.value, memo, warnings));
  }
  if (merges) applyMerges(obj, merges.map((m) => (m.value.kind === 'seq' ? m.value.items : [m.value]).map((s) => toValue(s, memo, warnings))));
  return obj;
}

/** Merge-key sources in order (each `<<` value, or the items of a `<<` sequence): keys not set win. */
export function applyMerges(obj: Record<string, unknown>, sources: unknown[][]): void {
  for (const list of sources) {
    for (const v of list) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, val] of Object.entries(v)) if (!hasOwn(obj, k)) setData(obj, k, val);
      }
    }
  }
}

export function duplicateKey(key: string, offset: number, end: number): YamlError {
  return { message: `duplicate key "${key}"; the last one wins`, offset, end };
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function setData(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
