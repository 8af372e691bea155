import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import type { YMap, YNode, YScalar, YSeq } from './nodes';
import { jsonDocumentValue } from './jsonDoc';
import { unclosedBefore } from './syntaxHint';
import { fastDocumentValue, fastParseDocument, subsetParts } from './fastScan';
import { flowEnd, implicitValue, mayResolve } from './scalars';
import { toValue } from './value';

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
  /** The node tree; undefined for an empty document or a fast one parsed with `trees: false`. */
  root: YNode | undefined;
  /** Plain JS value with YAML merge keys applied; aliases share objects. */
  value: unknown;
  /** Built by the fast scanner: `fastParseDocument(text, start, end, maxDepth)` rebuilds the same root. */
  fast?: boolean;
  /** Without a tree (fast, `trees: false`): the offsets its root node has (start and end), known anyway. */
  span?: { start: number; end: number };
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
  return splitDocumentsFrom(text, 0).parts;
}

/**
 * `splitDocuments` resumed at `from`: 0, or a place where one of its parts starts (the split before that
 * place is the caller's). With `stop`, ends at the first marker for which `stop(marker offset, offset the
 * next part would start at)` is true, returning that next start: an editor that knows the text after it is
 * unchanged keeps the parts it had there. The parts found are those `splitDocuments` finds in that stretch.
 */
export function splitDocumentsFrom(text: string, from: number, stop?: (marker: number, next: number) => boolean): { parts: { start: number; end: number }[]; next?: number } {
  const parts: { start: number; end: number }[] = [];
  const re = /^(---|\.\.\.)(?=[ \t]|\r?\n|$)/gm;
  re.lastIndex = from;
  let start = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    // `---` opens the next document (the marker stays with it); `...` closes the current one.
    if (hasContent(text, start, m.index)) parts.push({ start, end: m.index });
    start = m[1] === '---' ? m.index : m.index + 3;
    if (stop?.(m.index, start)) return { parts, next: start };
  }
  if (hasContent(text, start, text.length)) parts.push({ start, end: text.length });
  return { parts };
}

/**
 * Whether text[start, end) holds anything besides blanks, comment lines and a leading `---` marker. Text
 * after the marker on its own line counts as content (it may be a tag, an anchor or a scalar).
 */
function hasContent(text: string, start: number, end: number): boolean {
  let i = start;
  if (text.startsWith('---', i) && i + 3 <= end) {
    for (i += 3; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) break;
      if (!isBlank(c)) return true;
    }
  }
  // Line by line: the first non-blank character of a line decides (`#` starts a comment line).
  let lineStart = true;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      continue;
    }
    if (!lineStart) continue;
    if (isBlank(c)) continue;
    if (c === 35) {
      lineStart = false;
      continue;
    }
    return true;
  }
  return false;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || (c > 127 && /\s/.test(String.fromCharCode(c)));
}

export interface ParseOptions {
  /** false: every document goes through js-yaml (the reference the fast scanner is tested against). */
  fastPath?: boolean;
  /**
   * false: documents the fast scanner takes get no node tree (`root` undefined, `fast` true), only their
   * value; `fastParseDocument(text, start, end, maxDepth)` builds the tree when positions are needed.
   */
  trees?: boolean;
  /**
   * true: the text is one part exactly as splitDocuments cut it out of a stream (a caller that split the
   * stream already), so it is not split again; splitting such a part gives that one part back.
   */
  oneDocument?: boolean;
}

/** Parses a YAML stream into documents with positions. */
export function parseYaml(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, options: ParseOptions = {}): YamlParseResult {
  const parts = options.oneDocument ? [{ start: 0, end: text.length }] : splitDocuments(text);
  // The fast scanner takes the documents written in the plain subset manifests use; js-yaml the rest.
  const clean = options.fastPath === false ? undefined : subsetParts(text, parts);
  // Without trees, a document of one line of JSON is read by JSON.parse (jsonDoc.ts says when it is not).
  const json = options.trees === false && options.fastPath !== false;
  const fast = parts.map((p, i) => {
    const j = json ? jsonDocumentValue(text, p.start, p.end, limits.maxDepth) : undefined;
    if (j) return { value: j.value, warnings: [], span: j.span };
    return clean?.[i] ? fastDocument(text, p.start, p.end, limits.maxDepth, options.trees !== false) : undefined;
  });
  // When js-yaml has work to do, one run over a whole well-formed stream avoids its per-call setup for every
  // document and reads directives that precede a `---`; anything unusual (a syntax error, a limit, a
  // document that does not line up with the split) falls back to parsing document by document, which
  // isolates errors.
  if (parts.length > 1 && fast.some((r) => r === undefined)) {
    const whole = parseWhole(text, parts, limits);
    if (whole) return whole;
  }
  const result: YamlParseResult = { documents: [], errors: [], warnings: [] };
  for (const [i, part] of parts.entries()) {
    const done = fast[i];
    if (done) {
      const doc: YamlDocument = { start: part.start, end: part.end, root: done.root, value: done.value, fast: true };
      if (done.span) doc.span = done.span;
      result.documents.push(doc);
      for (const w of done.warnings) result.warnings.push(w);
      continue;
    }
    // Parse the slice padded so offsets stay file-relative.
    const slice = text.slice(part.start, part.end);
    let events: Event[];
    try {
      events = parseEvents(slice, { maxDepth: limits.maxDepth });
    } catch (e) {
      const mark = (e as { mark?: { position?: number } }).mark;
      const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message.split('\n')[0]! : String(e));
      const off = part.start + (mark?.position ?? 0);
      // Point at an unclosed quote or bracket that made the parser stop further down.
      const open = unclosedBefore(slice, mark?.position ?? 0);
      if (open) {
        const at = part.start + open.offset;
        // How far below, not which line: the language server parses a document on its own, so an absolute
        // line number would count from the document's start there and from the file's start in `ksd check`.
        const below = lineOf(text, off) - lineOf(text, at);
        const where = below === 0 ? '' : ` (the parser stopped ${below === 1 ? 'on the next line' : `${below} lines below`}: ${reason})`;
        result.errors.push({ message: `YAML syntax error: the ${open.what} opened here is not closed${where || `: ${reason}`}`, offset: at, end: at + 1 });
      } else result.errors.push({ message: `YAML syntax error: ${reason}`, offset: off, end: Math.min(off + 1, text.length) });
      continue;
    }
    try {
      const docs = buildDocuments(slice, events, part.start, limits, result.warnings);
      for (const d of docs) result.documents.push(d);
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

/** 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The node tree of the one document in text[start, end), as js-yaml builds it, with file offsets (what
 * parseYaml gave for it). Used to rebuild a tree that loading let go; undefined if the text no longer parses.
 */
export function reparseDocument(text: string, start: number, end: number, limits: YamlLimits = DEFAULT_YAML_LIMITS): YNode | undefined {
  const slice = text.slice(start, end);
  try {
    const docs = buildDocuments(slice, parseEvents(slice, { maxDepth: limits.maxDepth }), start, limits, []);
    return docs.length === 1 ? docs[0]!.root : undefined;
  } catch {
    return undefined;
  }
}

function fastDocument(text: string, start: number, end: number, maxDepth: number, tree: boolean): { root?: YNode; value: unknown; warnings: YamlError[]; span?: { start: number; end: number } } | undefined {
  if (!tree) return fastDocumentValue(text, start, end, maxDepth);
  const root = fastParseDocument(text, start, end, maxDepth);
  if (!root) return undefined;
  const warnings: YamlError[] = [];
  return { root, value: toValue(root, undefined, warnings), warnings };
}

/** The whole stream in one parser run, or undefined when it must be parsed document by document. */
function parseWhole(text: string, parts: { start: number; end: number }[], limits: YamlLimits): YamlParseResult | undefined {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: limits.maxDepth });
  } catch {
    return undefined;
  }
  const warnings: YamlError[] = [];
  let docs: YamlDocument[];
  try {
    docs = buildDocuments(text, events, 0, limits, warnings, parts.map((p) => p.start));
  } catch (e) {
    if (e instanceof LimitError) return undefined;
    throw e;
  }
  if (docs.length !== parts.length) return undefined;
  // Each document must start inside its own part; it then spans that part, as it would parsed alone.
  for (const [i, d] of docs.entries()) {
    const part = parts[i]!;
    const at = d.root!.start;
    if (at < part.start || at >= part.end || d.root!.end > part.end) return undefined;
    d.start = part.start;
    d.end = part.end;
  }
  return { documents: docs, errors: [], warnings };
}

interface Frame {
  node: YMap | YSeq;
  pendingKey: YNode | undefined;
  flow: boolean;
}

/**
 * Documents from js-yaml events over src (which starts at file offset base). `docStarts` gives each
 * document's part start when src holds several; empty scalars sit there (at base otherwise).
 */
function buildDocuments(src: string, events: Event[], base: number, limits: YamlLimits, warnings: YamlError[], docStarts?: number[]): YamlDocument[] {
  const docs: YamlDocument[] = [];
  const aliasCounts: number[] = [];
  let anchors = new Map<string, YNode>();
  let aliases = 0;
  let docAliases = 0;
  let stack: Frame[] = [];
  let root: YNode | undefined;
  let docStart = base;
  let emptyAt = base;
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
        emptyAt = docStarts?.[docs.length] ?? base;
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
        const node = scalarNode(src, e, base, emptyAt);
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
  const end = last ? Math.max(last.end, n.start) : n.start;
  n.end = frame.flow ? base + flowEnd(src, end - base, n.kind === 'seq' ? ']' : '}') : end;
}

function scalarNode(src: string, e: ScalarEvent, base: number, emptyAt: number): YScalar {
  const text = e.fast ? src.slice(e.valueStart, e.valueEnd) : getScalarValue(src, e);
  const quoted = e.style !== SCALAR_STYLE.PLAIN;
  let value: YScalar['value'];
  if (e.tagStart < 0) {
    // Untagged: quoted and block scalars are strings; a plain one is a string unless the core schema
    // resolves it (only scalars opening with one of its first characters, or empty ones, can resolve).
    value = quoted || !mayResolve(text) ? text : implicitValue(text);
  } else {
    const tag = src.slice(e.tagStart, e.tagEnd);
    if (tag === '!!str' || tag === '!' || (quoted && tag === '')) value = text;
    else if (tag === '!!int' || tag === '!!float') {
      const n = Number(text);
      value = Number.isFinite(n) ? n : text;
    } else if (tag === '!!bool') value = text === 'true';
    else if (tag === '!!null') value = null;
    else value = implicitValue(text);
  }
  let start = base + e.valueStart;
  let end = base + e.valueEnd;
  if (e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED) {
    // Include the quotes so edits replace the whole token.
    if (src[e.valueStart - 1] === '"' || src[e.valueStart - 1] === "'") start--;
    if (src[e.valueEnd] === '"' || src[e.valueEnd] === "'") end++;
  }
  if (e.valueStart < 0) {
    start = e.tagEnd >= 0 || e.anchorEnd >= 0 ? base + Math.max(e.tagEnd, e.anchorEnd) : emptyAt;
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
