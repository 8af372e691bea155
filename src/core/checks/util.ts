/** Small helpers the checks share: locations and edits inside objects, name validation, edit distance. */
import type { Diagnostic, Fix, Location, RelatedInfo, Severity, TextEdit } from '../diagnostics';
import type { LoadedObject } from '../manifest/load';
import { nodeAt, rangeOf } from '../manifest/source';
import type { PathSegment, YNode } from '../yaml/nodes';

export type Path = readonly PathSegment[];

/** Where a field of an object is written (the object's start when the path is missing). */
export function loc(o: LoadedObject | undefined, path: Path, which: 'value' | 'key' = 'value'): Location {
  if (!o?.source) return { file: '', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  return { file: o.source.file, range: rangeOf(o.source, path, which) };
}

export function diag(o: LoadedObject | undefined, path: Path, severity: Severity, code: string, message: string, extra: { related?: RelatedInfo[]; fixes?: Fix[]; which?: 'value' | 'key' } = {}): Diagnostic {
  const d: Diagnostic = { ...loc(o, path, extra.which), severity, code, message };
  if (extra.related?.length) d.related = extra.related;
  if (extra.fixes?.length) d.fixes = extra.fixes;
  return d;
}

export function related(o: LoadedObject | undefined, path: Path, message: string): RelatedInfo[] {
  return o?.source ? [{ location: loc(o, path), message }] : [];
}

/** The YAML node at a path, when the object has a source. */
export function node(o: LoadedObject | undefined, path: Path): YNode | undefined {
  return o?.source ? nodeAt(o.source, path) : undefined;
}

/** Replaces the token at a path, keeping the quote style it was written in. */
export function replaceValue(o: LoadedObject | undefined, path: Path, value: string | number, keepQuotes = true): TextEdit | undefined {
  const n = node(o, path);
  if (!o?.source || !n || n.kind !== 'scalar') return undefined;
  return replaceScalar(o, n, value, keepQuotes);
}

/** Replaces the key token of a map entry (`path` names the entry), keeping its quote style. */
export function replaceKey(o: LoadedObject | undefined, mapPath: Path, key: string, newKey: string): TextEdit | undefined {
  const m = node(o, mapPath);
  if (!o?.source || !m || m.kind !== 'map') return undefined;
  const pair = m.pairs.find((p) => p.key.kind === 'scalar' && String(p.key.value) === key);
  if (!pair || pair.key.kind !== 'scalar') return undefined;
  return replaceScalar(o, pair.key, newKey, true);
}

function replaceScalar(o: LoadedObject, n: YNode, value: string | number, keepQuotes: boolean): TextEdit {
  const src = o.source!;
  const old = src.index.text.slice(n.start, n.end);
  const q = old[0] === '"' || old[0] === "'" ? old[0] : '';
  const text = typeof value === 'number' ? String(value) : keepQuotes && q ? `${q}${value}${q}` : yamlScalar(value);
  return { file: src.file, range: src.index.range(n.start, n.end), newText: text };
}

/** A string as a plain YAML scalar when that reads back as the same string, else double-quoted. */
export function yamlScalar(s: string): string {
  const plain = /^[A-Za-z_/.][A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** Deletes the whole line(s) of a map entry, when the entry starts its line (block style). */
export function deleteEntry(o: LoadedObject | undefined, mapPath: Path, key: string): TextEdit | undefined {
  const m = node(o, mapPath);
  if (!o?.source || !m || m.kind !== 'map') return undefined;
  const pair = m.pairs.find((p) => p.key.kind === 'scalar' && String(p.key.value) === key);
  if (!pair) return undefined;
  const { index, file } = o.source;
  const text = index.text;
  const keyPos = index.position(pair.key.start);
  const lineStart = index.offset({ line: keyPos.line, character: 0 });
  if (text.slice(lineStart, pair.key.start).trim() !== '') return undefined;
  const endPos = index.position(pair.value.end);
  const after = text.slice(pair.value.end, index.offset({ line: endPos.line + 1, character: 0 }));
  if (after.replace(/#.*$/, '').trim() !== '') return undefined;
  const next = index.offset({ line: endPos.line + 1, character: 0 });
  return { file, range: index.range(lineStart, next), newText: '' };
}

/**
 * Adds `key: value` to a block map at a path (after its last entry, at the same indentation), or to a flow
 * map before its closing brace.
 */
export function addEntry(o: LoadedObject | undefined, mapPath: Path, key: string, value: string | number): TextEdit | undefined {
  const m = node(o, mapPath);
  if (!o?.source || !m || m.kind !== 'map' || !m.pairs.length) return undefined;
  const { index, file } = o.source;
  const text = index.text;
  const entry = `${yamlScalar(key)}: ${typeof value === 'number' ? value : yamlScalar(value)}`;
  if (text[m.start] === '{') {
    const close = text.lastIndexOf('}', m.end);
    return { file, range: index.range(close, close), newText: `, ${entry}` };
  }
  const first = m.pairs[0]!.key;
  const indent = index.position(first.start).character;
  const last = m.pairs[m.pairs.length - 1]!;
  const lastLine = index.position(last.value.end).line;
  const at = index.offset({ line: lastLine + 1, character: 0 });
  const needsNewline = at === text.length && !/\n$/.test(text);
  return { file, range: index.range(at, at), newText: `${needsNewline ? '\n' : ''}${' '.repeat(indent)}${entry}\n` };
}

/** Inserts `key: value` as the first entry of a block map (used for sequence items: `- name: x`). */
export function prependEntry(o: LoadedObject | undefined, mapPath: Path, key: string, value: string): TextEdit | undefined {
  const m = node(o, mapPath);
  if (!o?.source || !m || m.kind !== 'map' || !m.pairs.length) return undefined;
  const { index, file } = o.source;
  if (index.text[m.start] === '{') return { file, range: index.range(m.start + 1, m.start + 1), newText: `${yamlScalar(key)}: ${yamlScalar(value)}, ` };
  const indent = index.position(m.pairs[0]!.key.start).character;
  const at = m.pairs[0]!.key.start;
  return { file, range: index.range(at, at), newText: `${yamlScalar(key)}: ${yamlScalar(value)}\n${' '.repeat(indent)}` };
}

export function fix(title: string, edits: (TextEdit | undefined)[], isPreferred = false): Fix[] {
  const ok = edits.filter((e): e is TextEdit => !!e);
  if (!ok.length || ok.length !== edits.length) return [];
  return [isPreferred ? { title, edits: ok, isPreferred } : { title, edits: ok }];
}

/** Edit distance counting an adjacent swap as one edit (optimal string alignment), bounded by max+1. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, cur[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    rows.push(cur);
  }
  return rows[a.length]![b.length]!;
}

/** A typo is a small distance relative to the length (and never a change of a 1-2 character word). */
export function closeEnough(a: string, b: string): boolean {
  if (a === b) return false;
  const limit = Math.max(a.length, b.length) <= 4 ? 1 : Math.max(a.length, b.length) <= 10 ? 2 : 3;
  return Math.min(a.length, b.length) >= 2 && editDistance(a.toLowerCase(), b.toLowerCase(), limit) <= limit;
}

/** validation.IsValidPortName (IANA_SVC_NAME): the problems with a container port name or named targetPort. */
export function portNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('it is longer than 15 characters');
  if (!/^[a-z0-9-]*$/.test(name)) out.push('it may contain only lowercase letters, digits and hyphens');
  if (!/[a-z]/.test(name)) out.push('it needs at least one letter');
  if (name.includes('--')) out.push('it has two hyphens in a row');
  if (name.startsWith('-') || name.endsWith('-')) out.push('it starts or ends with a hyphen');
  return out;
}

/** validation.IsDNS1123Label: Service port names (and namespaces, many object names). */
export function dnsLabelProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 63) out.push('it is longer than 63 characters');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) out.push('it must be lowercase letters, digits and hyphens, starting and ending with a letter or digit');
  return out;
}

/** The object's namespace as the API server would place it. */
export function nsOf(o: LoadedObject): string {
  return o.namespace ?? 'default';
}

export function quote(s: string): string {
  return `"${s}"`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
