import { CORE_SCHEMA, EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import type { YMap, YNode, YPair, YScalar, YSeq } from './nodes';

export interface YamlLimits {
  /** Alias references per document. */
  maxAliases: number;
  /** Collection nesting depth. */
  maxDepth: number;
  /** Nodes a document may expand to once aliases are followed (YAML bomb guard). */
  maxExpandedNodes: number;
}
export const DEFAULT_YAML_LIMITS: YamlLimits = { maxAliases: 1000, maxDepth: 64, maxExpandedNodes: 1_000_000 };

export interface YamlDocument {
  /** Offset range of the document text in the file. */
  start: number;
  end: number;
  root: YNode | undefined;
  /** Plain JS value with YAML merge keys applied; aliases share objects. */
  value: unknown;
}
export interface YamlError {
  message: string;
  offset: number;
  end: number;
}
export interface YamlParseResult {
  documents: YamlDocument[];
  errors: YamlError[];
  /** Non-fatal notes, such as duplicate keys. */
  warnings: YamlError[];
}

class LimitError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Splits a multi-document stream at `---` / `...` markers (which YAML never allows inside content at
 * column 0), so a syntax error in one document leaves the others usable.
 */
export function splitDocuments(text: string): { start: number; end: number }[] {
  const cuts: { at: number; next: number }[] = [];
  const re = /^(---|\.\.\.)(?=[ \t]|\r?\n|$)/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    // `---` opens the next document (the marker stays with it); `...` closes the current one.
    cuts.push(m[1] === '---' ? { at: m.index, next: m.index } : { at: m.index, next: m.index + 3 });
  }
  const parts: { start: number; end: number }[] = [];
  let start = 0;
  for (const c of cuts) {
    parts.push({ start, end: c.at });
    start = c.next;
  }
  parts.push({ start, end: text.length });
  return parts.filter((p) => /\S/.test(text.slice(p.start, p.end).replace(/^\s*#.*$/gm, '').replace(/^---/, '')));
}

export function parseYaml(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlParseResult {
  const result: YamlParseResult = { documents: [], errors: [], warnings: [] };
  for (const part of splitDocuments(text)) {
    // Parse the slice padded so offsets stay file-relative.
    const slice = text.slice(part.start, part.end);
    let events: Event[];
    try {
      events = parseEvents(slice, { maxDepth: limits.maxDepth });
    } catch (e) {
      const mark = (e as { mark?: { position?: number } }).mark;
      const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message.split('\n')[0]! : String(e));
      const off = part.start + (mark?.position ?? 0);
      result.errors.push({ message: `YAML syntax error: ${reason}`, offset: off, end: Math.min(off + 1, text.length) });
      continue;
    }
    try {
      const docs = buildDocuments(slice, events, part.start, limits, result.warnings);
      result.documents.push(...docs);
    } catch (e) {
      if (e instanceof LimitError) {
        result.errors.push({ message: e.message, offset: e.offset, end: Math.min(e.offset + 1, text.length) });
      } else {
        throw e;
      }
    }
  }
  return result;
}

interface Frame {
  node: YMap | YSeq;
  pendingKey: YNode | undefined;
  flow: boolean;
}

function buildDocuments(src: string, events: Event[], base: number, limits: YamlLimits, warnings: YamlError[]): YamlDocument[] {
  const docs: YamlDocument[] = [];
  const aliasCounts: number[] = [];
  let anchors = new Map<string, YNode>();
  let aliases = 0;
  let docAliases = 0;
  let stack: Frame[] = [];
  let root: YNode | undefined;
  let docStart = base;
  const attach = (node: YNode) => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = node;
      return;
    }
    if (top.node.kind === 'seq') top.node.items.push(node);
    else if (top.pendingKey === undefined) top.pendingKey = node;
    else {
      top.node.pairs.push({ key: top.pendingKey, value: node });
      top.pendingKey = undefined;
    }
  };
  const anchorOf = (e: { anchorStart: number; anchorEnd: number }) => (e.anchorStart >= 0 ? src.slice(e.anchorStart, e.anchorEnd) : undefined);
  for (const e of events) {
    switch (e.type) {
      case EVENT_ID.DOCUMENT:
        anchors = new Map();
        aliases = 0;
        docAliases = 0;
        stack = [];
        root = undefined;
        docStart = base;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const node: YMap | YSeq =
          e.type === EVENT_ID.MAPPING ? { kind: 'map', start: base + e.start, end: base + e.start, pairs: [] } : { kind: 'seq', start: base + e.start, end: base + e.start, items: [] };
        const a = anchorOf(e);
        if (a) anchors.set(a, node);
        attach(node);
        stack.push({ node, pendingKey: undefined, flow: e.style === 2 });
        break;
      }
      case EVENT_ID.SCALAR: {
        const node = scalarNode(src, e, base);
        const a = anchorOf(e);
        if (a) anchors.set(a, node);
        attach(node);
        break;
      }
      case EVENT_ID.ALIAS: {
        aliases++;
        docAliases++;
        const name = src.slice(e.anchorStart, e.anchorEnd);
        if (limits.maxAliases >= 0 && aliases > limits.maxAliases) {
          throw new LimitError(`YAML has more than ${limits.maxAliases} aliases in one document; refusing to expand it (possible YAML bomb)`, base + e.anchorStart);
        }
        const target = anchors.get(name);
        if (!target) throw new LimitError(`YAML alias *${name} names no anchor`, base + e.anchorStart);
        attach(target);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) {
          // The document itself closes.
          docs.push({ start: docStart, end: base + src.length, root, value: undefined });
          aliasCounts.push(docAliases);
          break;
        }
        finishCollection(frame, src, base);
        break;
      }
    }
  }
  for (const [i, d] of docs.entries()) {
    if (d.root) {
      d.end = Math.max(d.end, d.root.end);
      // Without aliases a document is as big as its text: only aliases can blow it up.
      const size = aliasCounts[i] ? expandedSize(d.root, limits.maxExpandedNodes) : 0;
      if (size > limits.maxExpandedNodes) {
        throw new LimitError(`YAML expands to more than ${limits.maxExpandedNodes} nodes through aliases; refusing to load it (possible YAML bomb)`, d.root.start);
      }
      d.value = toValue(d.root, new Map(), warnings);
    }
  }
  return docs.filter((d) => d.root !== undefined);
}

function finishCollection(frame: Frame, src: string, base: number): void {
  const n = frame.node;
  const last = n.kind === 'seq' ? n.items[n.items.length - 1] : n.pairs[n.pairs.length - 1]?.value;
  let end = last ? Math.max(last.end, n.start) : n.start;
  if (frame.flow) {
    // Move past the closing bracket (skipping blanks, commas and comments).
    const close = n.kind === 'seq' ? ']' : '}';
    let i = end - base;
    while (i < src.length) {
      const c = src[i]!;
      if (c === close) {
        i++;
        break;
      }
      if (c === '#') {
        while (i < src.length && src[i] !== '\n') i++;
        continue;
      }
      if (!/[\s,]/.test(c)) break;
      i++;
    }
    end = base + i;
  }
  n.end = end;
}

function scalarNode(src: string, e: ScalarEvent, base: number): YScalar {
  const text = getScalarValue(src, e);
  const tag = e.tagStart >= 0 ? src.slice(e.tagStart, e.tagEnd) : '';
  const quoted = e.style !== SCALAR_STYLE.PLAIN;
  let value: YScalar['value'];
  if (tag === '!!str' || tag === '!' || (quoted && tag === '')) value = text;
  else if (tag === '!!int' || tag === '!!float') {
    const n = Number(text);
    value = Number.isFinite(n) ? n : text;
  } else if (tag === '!!bool') value = text === 'true';
  else if (tag === '!!null') value = null;
  else {
    const r = CORE_SCHEMA.resolveImplicitScalarTag(text).value;
    value = typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean' || r === null ? r : text;
  }
  let start = base + e.valueStart;
  let end = base + e.valueEnd;
  if (e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED) {
    // Include the quotes so edits replace the whole token.
    if (src[e.valueStart - 1] === '"' || src[e.valueStart - 1] === "'") start--;
    if (src[e.valueEnd] === '"' || src[e.valueEnd] === "'") end++;
  }
  if (e.valueStart < 0) {
    start = base + Math.max(e.tagEnd, e.anchorEnd, 0);
    end = start;
  }
  return { kind: 'scalar', start, end, value, quoted };
}

function expandedSize(root: YNode, cap: number): number {
  const memo = new Map<YNode, number>();
  const size = (n: YNode): number => {
    const m = memo.get(n);
    if (m !== undefined) return m;
    let s = 1;
    memo.set(n, cap + 1); // a cycle counts as too big
    if (n.kind === 'seq') for (const i of n.items) s = Math.min(cap + 1, s + size(i));
    else if (n.kind === 'map') for (const p of n.pairs) s = Math.min(cap + 1, s + size(p.value) + 1);
    memo.set(n, s);
    return s;
  };
  return size(root);
}

function toValue(n: YNode, memo: Map<YNode, unknown>, warnings: YamlError[]): unknown {
  if (n.kind === 'scalar') return n.value;
  const seen = memo.get(n);
  if (seen !== undefined) return seen;
  if (n.kind === 'seq') {
    const arr: unknown[] = [];
    memo.set(n, arr);
    for (const i of n.items) arr.push(toValue(i, memo, warnings));
    return arr;
  }
  // An ordinary object (fast property access, JSON and spreading behave); `__proto__` is defined as data,
  // never assigned, so no key can reach a prototype.
  const obj: Record<string, unknown> = {};
  memo.set(n, obj);
  let merges: YPair[] | undefined;
  for (const p of n.pairs) {
    const key = p.key.kind === 'scalar' ? String(p.key.value) : JSON.stringify(toValue(p.key, memo, warnings));
    if (key === '<<' && p.key.kind === 'scalar' && !p.key.quoted) {
      (merges ??= []).push(p);
      continue;
    }
    if (hasOwn(obj, key)) warnings.push({ message: `duplicate key "${key}"; the last one wins`, offset: p.key.start, end: p.key.end });
    setData(obj, key, toValue(p.value, memo, warnings));
  }
  for (const m of merges ?? []) {
    const sources = m.value.kind === 'seq' ? m.value.items : [m.value];
    for (const s of sources) {
      const v = toValue(s, memo, warnings);
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, val] of Object.entries(v)) if (!hasOwn(obj, k)) setData(obj, k, val);
      }
    }
  }
  return obj;
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function setData(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
