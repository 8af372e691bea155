/**
 * A char-code scanner for the YAML that Kubernetes manifests are made of: block mappings and sequences,
 * plain and quoted one-line scalars, literal and folded block scalars, one-line flow collections and
 * comments. It builds the same node tree, offsets and values as the js-yaml event path (parse.ts) about
 * four times faster, and DECLINES (returns undefined) for anything outside that subset or in any doubt:
 * anchors, aliases, tags, directives, complex keys, multi-line plain, quoted or flow scalars, explicit
 * block indentation, tabs, carriage returns, control or non-BMP characters. js-yaml then parses that
 * document and stays the only source of syntax errors. test/unit/yaml-fast.test.ts checks the two agree.
 */
import { CHOMPING_MODE, getScalarValue, SCALAR_STYLE, type ScalarEvent } from 'js-yaml';
import type { YMap, YNode, YScalar, YSeq } from './nodes';
import type { YamlError } from './parse';
import { flowEnd, plainValue } from './scalars';
import { applyMerges, duplicateKey, hasOwn, setData } from './value';

/** Thrown inside the scanner to give up on a document; never escapes the entry points. */
class Decline {}
const DECLINE = new Decline();

/** js-yaml's nesting limit counts more than collections; stay well below it and let js-yaml decide. */
const DEPTH_MARGIN = 4;
/** YAML caps implicit keys at 1024 characters; leave longer ones to js-yaml. */
const MAX_KEY = 1000;

/**
 * The root node of the document text[start, end) (one part from splitDocuments), or undefined when the
 * fast path declines it. Empty values sit at `start`, as the js-yaml path places them.
 */
export function fastParseDocument(text: string, start: number, end: number, maxDepth: number): YNode | undefined {
  if (!printable(text, start, end)) return undefined;
  return run(() => new Scanner(text, start, end, maxDepth - DEPTH_MARGIN, undefined).document() as YNode);
}

/**
 * The same document's plain value and duplicate-key warnings, without building its node tree (what
 * loading needs), and the offsets its root node would have (`span`); undefined when declined. Call it only
 * for parts subsetParts passed.
 */
export function fastDocumentValue(text: string, start: number, end: number, maxDepth: number): { value: unknown; warnings: YamlError[]; span: { start: number; end: number } } | undefined {
  const warnings: YamlError[] = [];
  return run(() => {
    const scanner = new Scanner(text, start, end, maxDepth - DEPTH_MARGIN, warnings);
    const value = scanner.document();
    return { value, warnings, span: scanner.rootSpan };
  });
}

function run<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

/** Tab, CR, control, C1, line/paragraph separator, surrogate (non-BMP), BOM and special characters. */
const OUTSIDE = /[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe]/;
const OUTSIDE_G = new RegExp(OUTSIDE.source, 'g');

/** For each part, whether its text has only characters the fast path accepts (about one pass over the file). */
export function subsetParts(text: string, parts: readonly { start: number; end: number }[]): boolean[] {
  let next = -1;
  return parts.map((p) => {
    if (next < p.start) {
      OUTSIDE_G.lastIndex = p.start;
      next = OUTSIDE_G.exec(text)?.index ?? Infinity;
    }
    return next >= p.end;
  });
}

function printable(text: string, start: number, end: number): boolean {
  return !OUTSIDE.test(text.slice(start, end));
}

const isFlowIndicator = (c: number) => c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
/** Characters that cannot start a plain scalar here (besides `- ? :` followed by a blank). */
const badPlainStart = (c: number) =>
  c === 35 || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 39 || c === 34 || c === 37 || c === 64 || c === 96 || isFlowIndicator(c);

/** A mapping being read in value mode: toValue's order (duplicate warnings as keys come, merges last). */
interface MapValue {
  obj: Record<string, unknown>;
  merges: unknown[][] | undefined;
  /** Warnings from inside merge sources, reported after the mapping's own pairs as toValue does. */
  late: YamlError[] | undefined;
}

/**
 * Reads one document. In tree mode (no warnings array) every node is a YNode; in value mode collections
 * come back as plain objects and arrays (scalars as their values) and no tree is built.
 */
class Scanner {
  private pos: number;
  private lineStart: number;
  /** Column of the content line the scanner stands on; -1 at the end of the document. */
  private col = -1;
  private depth = 0;
  private readonly tree: boolean;
  /**
   * Value mode: where the node read last ends, as its tree node would (a collection ends where its last
   * child does, or at its start), so the root's range is known without a tree.
   */
  private last = 0;
  /** The root node's offsets, once document() has read it. */
  rootSpan = { start: 0, end: 0 };
  /** The mapping key read last (see key()): its range and whether it was quoted. */
  private keyStart = 0;
  private keyEnd = 0;
  private keyQuoted = false;

  constructor(
    private readonly s: string,
    private readonly start: number,
    private readonly end: number,
    private readonly maxDepth: number,
    private warnings: YamlError[] | undefined,
  ) {
    this.pos = start;
    this.lineStart = start;
    this.tree = warnings === undefined;
  }

  private at(i: number): number {
    return i < this.end ? this.s.charCodeAt(i) : -1;
  }

  document(): unknown {
    if (this.s.startsWith('---', this.start)) {
      this.pos += 3;
      this.endLine(true);
    } else if (this.start > 0) {
      // The rest of a `...` line: blanks or a comment only.
      this.endLine(true);
    }
    this.nextContent();
    if (this.col < 0) throw DECLINE;
    const start = this.pos;
    const root = this.blockNode(this.col);
    if (this.col >= 0) throw DECLINE;
    this.rootSpan = this.tree ? { start: (root as YNode).start, end: (root as YNode).end } : { start, end: this.last };
    return root;
  }

  /*
   * The per-character loops read characters as `i < end ? s.charCodeAt(i) : -1` (what `at` does) written
   * out in place: the first load of a file runs them before V8 has optimised (and inlined) `at`, and a call
   * per character then costs more than the comparison it makes.
   */

  /** Skips blanks and a comment to the end of the line and past its line break. */
  private endLine(afterBlank: boolean): void {
    const s = this.s;
    const end = this.end;
    let i = this.pos;
    let blank = afterBlank;
    while (i < end && s.charCodeAt(i) === 32) {
      i++;
      blank = true;
    }
    let c = i < end ? s.charCodeAt(i) : -1;
    if (c === 35) {
      if (!blank) throw DECLINE;
      while (c !== 10 && c !== -1) c = ++i < end ? s.charCodeAt(i) : -1;
    }
    if (c === 10) i++;
    else if (c !== -1) throw DECLINE;
    this.pos = i;
    this.lineStart = i;
  }

  /** From a line start, skips blank and comment lines; stands on the next content character. */
  private nextContent(): void {
    const s = this.s;
    const end = this.end;
    let i = this.pos;
    for (;;) {
      const ls = i;
      while (i < end && s.charCodeAt(i) === 32) i++;
      let c = i < end ? s.charCodeAt(i) : -1;
      if (c === 35) while (c !== 10 && c !== -1) c = ++i < end ? s.charCodeAt(i) : -1;
      if (c === 10) {
        i++;
        continue;
      }
      this.pos = i;
      if (c === -1) {
        this.col = -1;
        return;
      }
      this.lineStart = ls;
      this.col = i - ls;
      return;
    }
  }

  /** A scalar as this mode returns it. */
  private out(n: YScalar): unknown {
    if (this.tree) return n;
    this.last = n.end;
    return n.value;
  }

  private empty(): unknown {
    if (this.tree) return { kind: 'scalar', start: this.start, end: this.start, value: null, quoted: false };
    this.last = this.start;
    return null;
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) throw DECLINE;
  }

  /** A block node starting on its own line at column `col` (the scanner stands on it). */
  private blockNode(col: number): unknown {
    if (this.isSeqEntry()) return this.blockSeq(col);
    if (this.keyAhead()) return this.blockMap(col);
    throw DECLINE;
  }

  private isSeqEntry(): boolean {
    const p = this.pos;
    if (p >= this.end || this.s.charCodeAt(p) !== 45) return false;
    if (p + 1 >= this.end) return true;
    const n = this.s.charCodeAt(p + 1);
    return n === 32 || n === 10;
  }

  /** Whether the line from pos holds `key:` followed by a blank or the line end. */
  private keyAhead(): boolean {
    let i = this.pos;
    let c = this.at(i);
    if (c === 91 || c === 123) return false;
    if (c === 39 || c === 34) {
      const q = c;
      for (c = this.at(++i); c !== q; c = ++i < this.end ? this.s.charCodeAt(i) : -1) {
        if (c === 10 || c === -1) return false;
        if (c === 92 && q === 34) i++;
      }
      c = this.at(++i);
      while (c === 32) c = this.at(++i);
      return c === 58;
    }
    const s = this.s;
    const end = this.end;
    for (; c !== 10 && c !== -1; c = ++i < end ? s.charCodeAt(i) : -1) {
      if (c === 58) {
        if (i + 1 >= end) return true;
        const n = s.charCodeAt(i + 1);
        if (n === 32 || n === 10) return true;
      } else if (c === 35 && this.at(i - 1) === 32) return false;
    }
    return false;
  }

  private blockMap(col: number): unknown {
    this.enter();
    const start = this.pos;
    const map: YMap | undefined = this.tree ? { kind: 'map', start, end: start, pairs: [] } : undefined;
    const mv: MapValue | undefined = this.tree ? undefined : { obj: {}, merges: undefined, late: undefined };
    for (;;) {
      const key = this.key();
      if (map) map.pairs.push({ key: this.keyNode(key), value: this.mapValue(col) as YNode });
      else {
        // Value mode builds no key node and no closure per pair: the key is checked, then its value read.
        const name = String(key);
        const outer = this.keyFirst(mv!, name, this.keyQuoted, this.keyStart, this.keyEnd);
        this.setValue(mv!, name, outer, this.mapValue(col));
      }
      if (this.col !== col) break;
      if (this.isSeqEntry()) throw DECLINE;
    }
    if (this.col > col) throw DECLINE;
    this.depth--;
    if (!map) {
      this.last = Math.max(this.last, start);
      return this.finish(mv!);
    }
    map.end = Math.max(map.pairs[map.pairs.length - 1]!.value.end, map.start);
    return map;
  }

  /**
   * Value mode, before a pair's value is read: checks its key (toValue's warning order). A merge key's value
   * collects its warnings apart (reported after the mapping's own pairs): returns the outer list to restore.
   */
  private keyFirst(mv: MapValue, name: string, quoted: boolean, start: number, end: number): YamlError[] | undefined {
    if (name === '<<' && !quoted) {
      const outer = this.warnings;
      this.warnings = [];
      return outer;
    }
    // Values are never undefined, so a missing key skips the own-property test.
    if (mv.obj[name] !== undefined && hasOwn(mv.obj, name)) this.warnings!.push(duplicateKey(name, start, end));
    return undefined;
  }

  /** Value mode, after a pair's value is read: stores it (a merge key's value joins the merges). */
  private setValue(mv: MapValue, name: string, outer: YamlError[] | undefined, v: unknown): void {
    if (outer === undefined) {
      setData(mv.obj, name, v);
      return;
    }
    const late = this.warnings!;
    this.warnings = outer;
    (mv.merges ??= []).push(Array.isArray(v) ? v : [v]);
    if (late.length) (mv.late ??= []).push(...late);
  }

  private finish(mv: MapValue): Record<string, unknown> {
    if (mv.late) this.warnings!.push(...mv.late);
    if (mv.merges) applyMerges(mv.obj, mv.merges);
    return mv.obj;
  }

  /**
   * A mapping key up to its `:` (the scanner ends just past the colon): its value; its range and quoting
   * are left in keyStart, keyEnd and keyQuoted (keyNode makes the tree's node of them).
   */
  private key(): YScalar['value'] {
    const c = this.at(this.pos);
    let value: YScalar['value'];
    if (c === 39 || c === 34) {
      const node = this.quoted(c);
      value = node.value;
      this.keyStart = node.start;
      this.keyEnd = node.end;
      this.keyQuoted = true;
      while (this.at(this.pos) === 32) this.pos++;
    } else {
      if (badPlainStart(c) || ((c === 45 || c === 63 || c === 58) && this.at(this.pos + 1) === 32)) throw DECLINE;
      const from = this.pos;
      const s = this.s;
      const end = this.end;
      let i = from;
      let last = from;
      for (let k = c; ; k = ++i < end ? s.charCodeAt(i) : -1) {
        if (k === 10 || k === -1) throw DECLINE;
        if (k === 58) {
          if (i + 1 >= end) break;
          const n = s.charCodeAt(i + 1);
          if (n === 32 || n === 10) break;
        } else if (k === 35 && this.at(i - 1) === 32) throw DECLINE;
        if (k !== 32) last = i + 1;
      }
      this.pos = i;
      value = plainKey(s, from, last);
      this.keyStart = from;
      this.keyEnd = last;
      this.keyQuoted = false;
    }
    if (this.keyEnd - this.keyStart > MAX_KEY || this.at(this.pos) !== 58) throw DECLINE;
    const n = this.at(this.pos + 1);
    if (n !== 32 && n !== 10 && n !== -1) throw DECLINE;
    this.pos++;
    return value;
  }

  /** The tree node of the key read last. */
  private keyNode(value: YScalar['value']): YScalar {
    return { kind: 'scalar', start: this.keyStart, end: this.keyEnd, value, quoted: this.keyQuoted };
  }

  /** The value after `key:` in a block mapping at column `col`. */
  private mapValue(col: number): unknown {
    const s = this.s;
    const end = this.end;
    let p = this.pos;
    while (p < end && s.charCodeAt(p) === 32) p++;
    this.pos = p;
    const c = p < end ? s.charCodeAt(p) : -1;
    if (c === 10 || c === -1 || c === 35) {
      this.endLine(true);
      this.nextContent();
      if (this.col > col) return this.blockNode(this.col);
      if (this.col === col && this.isSeqEntry()) return this.blockSeq(col);
      return this.empty();
    }
    return this.inline(col);
  }

  private blockSeq(col: number): unknown {
    this.enter();
    const start = this.pos;
    const items: unknown[] = [];
    while (this.col === col && this.isSeqEntry()) {
      this.pos++;
      while (this.at(this.pos) === 32) this.pos++;
      const c = this.at(this.pos);
      if (c === 10 || c === -1 || c === 35) {
        this.endLine(true);
        this.nextContent();
        items.push(this.col > col ? this.blockNode(this.col) : this.empty());
        continue;
      }
      if (this.isSeqEntry()) throw DECLINE;
      const itemCol = this.pos - this.lineStart;
      items.push(this.keyAhead() ? this.blockMap(itemCol) : this.inline(col));
    }
    if (this.col > col) throw DECLINE;
    this.depth--;
    if (!this.tree) {
      this.last = Math.max(this.last, start);
      return items;
    }
    const last = items[items.length - 1] as YNode;
    return { kind: 'seq', start, end: Math.max(last.end, start), items: items as YNode[] } satisfies YSeq;
  }

  /** A value on the current line inside a block collection at column `col`; ends on the next content line. */
  private inline(col: number): unknown {
    const c = this.at(this.pos);
    if (c === 124 || c === 62) return this.out(this.blockScalar(col));
    const node = c === 91 || c === 123 ? this.flow() : this.out(c === 39 || c === 34 ? this.quoted(c) : this.plain(false));
    this.endLine(false);
    this.nextContent();
    return node;
  }

  /** A one-line plain scalar; in flow context it also stops at `, [ ] { }`. */
  private plain(inFlow: boolean): YScalar {
    const from = this.pos;
    const c = this.at(from);
    const n = this.at(from + 1);
    if (badPlainStart(c) || ((c === 45 || c === 63 || c === 58) && (n === 32 || n === 10 || n === -1 || (inFlow && isFlowIndicator(n))))) throw DECLINE;
    const s = this.s;
    const end = this.end;
    let i = from;
    let last = from;
    for (let k = c; k !== 10 && k !== -1; k = ++i < end ? s.charCodeAt(i) : -1) {
      if (k === 58) {
        const f = i + 1 < end ? s.charCodeAt(i + 1) : -1;
        if (f === 32 || f === 10 || f === -1 || (inFlow && isFlowIndicator(f))) {
          if (!inFlow) throw DECLINE;
          break;
        }
      } else if (k === 35) {
        if (this.at(i - 1) === 32) break;
      } else if (inFlow && isFlowIndicator(k)) break;
      if (k !== 32) last = i + 1;
    }
    this.pos = last;
    return { kind: 'scalar', start: from, end: last, value: plainValue(this.s.slice(from, last)), quoted: false };
  }

  /** A one-line single- or double-quoted scalar; its range includes the quotes. */
  private quoted(q: number): YScalar {
    const from = this.pos;
    let i = from + 1;
    let simple = true;
    const s = this.s;
    const end = this.end;
    for (let c = i < end ? s.charCodeAt(i) : -1; c !== q || (q === 39 && this.at(i + 1) === 39); c = ++i < end ? s.charCodeAt(i) : -1) {
      if (c === 10 || c === -1) throw DECLINE;
      if (c === 39 && q === 39) {
        simple = false;
        i++;
      } else if (c === 92 && q === 34) {
        simple = false;
        i = this.escape(i + 1);
      }
    }
    this.pos = i + 1;
    let value: string;
    if (simple) value = this.s.slice(from + 1, i);
    else {
      const style = q === 39 ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED;
      value = getScalarValue(this.s, scalarEvent(from + 1, i, style, CHOMPING_MODE.CLIP, -1));
    }
    return { kind: 'scalar', start: from, end: i + 1, value, quoted: true };
  }

  /** Checks a double-quoted escape whose letter is at i; returns the index of its last character. */
  private escape(i: number): number {
    const c = this.at(i);
    if (c === 48 || c === 97 || c === 98 || c === 116 || c === 110 || c === 118 || c === 102 || c === 114 || c === 101 || c === 32 || c === 34 || c === 47 || c === 92 || c === 78 || c === 95 || c === 76 || c === 80) return i;
    const len = c === 120 ? 2 : c === 117 ? 4 : 0;
    if (len === 0) throw DECLINE;
    for (let k = 1; k <= len; k++) {
      const h = this.at(i + k);
      if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) throw DECLINE;
    }
    return i + len;
  }

  /** A flow collection that opens and closes on this line, without comments inside. */
  private flow(): unknown {
    this.enter();
    const start = this.pos;
    const isMap = this.at(start) === 123;
    const close = isMap ? 125 : 93;
    const tree = this.tree;
    const pairs: YMap['pairs'] = [];
    const items: unknown[] = [];
    const mv: MapValue | undefined = !tree && isMap ? { obj: {}, merges: undefined, late: undefined } : undefined;
    let last: YNode | undefined;
    let children = 0;
    this.pos++;
    for (;;) {
      this.skipFlowBlanks();
      if (this.at(this.pos) === close) break;
      if (isMap) {
        const c = this.at(this.pos);
        if (c === 91 || c === 123) throw DECLINE;
        const key = c === 39 || c === 34 ? this.quoted(c) : this.plain(true);
        this.skipFlowBlanks();
        if (this.at(this.pos) !== 58 || this.at(this.pos + 1) !== 32) throw DECLINE;
        this.pos++;
        this.skipFlowBlanks();
        if (mv) {
          const name = String(key.value);
          const outer = this.keyFirst(mv, name, key.quoted, key.start, key.end);
          this.setValue(mv, name, outer, this.flowValue(close));
        } else pairs.push({ key, value: (last = this.flowValue(close) as YNode) });
      } else {
        const item = this.flowNode();
        items.push(item);
        if (tree) last = item as YNode;
      }
      children++;
      this.skipFlowBlanks();
      const c = this.at(this.pos);
      if (c === 44) this.pos++;
      else if (c !== close) throw DECLINE;
    }
    this.pos++;
    this.depth--;
    if (!tree) {
      this.last = flowEnd(this.s, children ? Math.max(this.last, start) : start, isMap ? '}' : ']');
      return mv ? this.finish(mv) : items;
    }
    const from = last ? Math.max(last.end, start) : start;
    const end = flowEnd(this.s, from, isMap ? '}' : ']');
    return isMap ? ({ kind: 'map', start, end, pairs } satisfies YMap) : ({ kind: 'seq', start, end, items: items as YNode[] } satisfies YSeq);
  }

  /** A flow mapping value: empty before `,` or the closing brace. */
  private flowValue(close: number): unknown {
    const v = this.at(this.pos);
    return v === 44 || v === close ? this.empty() : this.flowNode();
  }

  private skipFlowBlanks(): void {
    while (this.at(this.pos) === 32) this.pos++;
    const c = this.at(this.pos);
    if (c === 10 || c === -1 || c === 35) throw DECLINE;
  }

  private flowNode(): unknown {
    const c = this.at(this.pos);
    if (c === 91 || c === 123) return this.flow();
    return this.out(c === 39 || c === 34 ? this.quoted(c) : this.plain(true));
  }

  /**
   * A `|` or `>` block scalar (optional chomping indicator, no explicit indentation) inside a collection
   * at column `col`. Its range runs from the line after the header to the end of its last line.
   */
  private blockScalar(col: number): YScalar {
    const style = this.at(this.pos) === 124 ? SCALAR_STYLE.LITERAL_BLOCK : SCALAR_STYLE.FOLDED_BLOCK;
    let chomping: number = CHOMPING_MODE.CLIP;
    const ind = this.at(++this.pos);
    if (ind === 43 || ind === 45) {
      chomping = ind === 43 ? CHOMPING_MODE.KEEP : CHOMPING_MODE.STRIP;
      this.pos++;
    }
    const after = this.at(this.pos);
    if (after !== 32 && after !== 10 && after !== -1) throw DECLINE;
    this.endLine(false);
    const valueStart = this.pos;
    const s = this.s;
    const end = this.end;
    let valueEnd = valueStart;
    let indent = -1;
    let maxLeading = 0;
    let i = valueStart;
    for (;;) {
      const ls = i;
      while (i < end && s.charCodeAt(i) === 32) i++;
      const c = i < end ? s.charCodeAt(i) : -1;
      const column = i - ls;
      if (c === -1) {
        // The document ends on this line: only a content line or nothing may be here.
        if (indent < 0 || column > indent) throw DECLINE;
        i = ls;
        break;
      }
      if (c === 10) {
        if (indent < 0) maxLeading = Math.max(maxLeading, column);
        i++;
        valueEnd = i;
        continue;
      }
      if (indent < 0) {
        if (column < col + 2 || column < maxLeading) throw DECLINE;
        indent = column;
      } else if (column < indent) {
        i = ls;
        break;
      }
      let k = i < end ? s.charCodeAt(i) : -1;
      while (k !== 10 && k !== -1) k = ++i < end ? s.charCodeAt(i) : -1;
      if (k === 10) i++;
      valueEnd = i;
    }
    this.pos = i;
    this.lineStart = i;
    this.nextContent();
    const value = getScalarValue(this.s, scalarEvent(valueStart, valueEnd, style, chomping, indent));
    return { kind: 'scalar', start: valueStart, end: valueEnd, value, quoted: true };
  }
}

/**
 * Plain keys read before, in slots by their length and three of their characters: a file of manifests
 * repeats a few dozen keys thousands of times. A hit hands back the string made the first time, which V8
 * has already internalised (it was stored as a property name), so the key is not cut out of the text again,
 * resolved again, nor looked up in V8's string table on every store and duplicate-key check.
 */
const KEY_SLOTS = 1024;
const MAX_KEPT_KEY = 64;
const keptKeys: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);

/** The value of the plain key text[from, last) (last > from): plainValue of its text. */
export function plainKey(s: string, from: number, last: number): YScalar['value'] {
  const len = last - from;
  const slot = (len * 977 + s.charCodeAt(from) * 31 + s.charCodeAt(from + (len >> 1)) * 7 + s.charCodeAt(last - 1)) & (KEY_SLOTS - 1);
  const kept = keptKeys[slot];
  if (kept !== undefined && kept.length === len && s.startsWith(kept, from)) return kept;
  const text = s.slice(from, last);
  const value = plainValue(text);
  // Only keys that stay strings as written (not `80:`, `true:`, `~:`) are kept.
  if (value === text && len <= MAX_KEPT_KEY) keptKeys[slot] = text;
  return value;
}

function scalarEvent(valueStart: number, valueEnd: number, style: number, chomping: number, indent: number): ScalarEvent {
  return { valueStart, valueEnd, style, chomping, indent, fast: false } as unknown as ScalarEvent;
}
