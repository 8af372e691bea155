import type { LineIndex, Range } from '../yaml/lineIndex';
import { blockKeyRange } from '../yaml/blockKeys';
import { walk, type PathSegment, type YNode } from '../yaml/nodes';

/** Where an object came from: its file, its node in the YAML tree and the file's line index. */
export interface ObjectSource {
  file: string;
  node: YNode;
  index: LineIndex;
  /**
   * The offsets `node` starts and ends at, when known without building the tree (a lazy source): what
   * needs only the object's extent (which object a line is in) reads this and leaves the tree unbuilt.
   */
  span?: { start: number; end: number };
}

/** Where an object's node starts and ends, without building a lazy source's tree when its span is known. */
export function sourceSpan(src: ObjectSource): { start: number; end: number } {
  return src.span ?? src.node;
}

/**
 * A source whose node tree is built the first time `node` is read (and then kept). Node trees are only
 * needed for positions, and most objects are never asked for one: keeping 20,000 of them costs more memory
 * than the objects themselves. `node` is an own enumerable property, so spreading a source copies the tree.
 * Every lazy source shares one getter and setter (the builder is kept on the source under a symbol), so they
 * all have one hidden class: per-source closures gave each its own, and every read of a source's fields
 * went megamorphic.
 */
export function lazySource(file: string, index: LineIndex, build: () => YNode, span?: { start: number; end: number }, scanned?: ScannedText): ObjectSource {
  const src: LazyFields = { file, index, span, [BUILD]: build, [TREE]: undefined, [SCANNED]: scanned };
  Object.defineProperty(src, 'node', LAZY_NODE);
  return src as unknown as ObjectSource;
}

/**
 * The text a lazy source's document was read from by the fast scanner (its tree is that scanner's), kept so
 * that a key's range can be found without building the tree (blockKeys.ts).
 */
export interface ScannedText {
  text: string;
  start: number;
  end: number;
}

const BUILD = Symbol('build');
const TREE = Symbol('tree');
const SCANNED = Symbol('scanned');

interface LazyFields {
  file: string;
  index: LineIndex;
  span: { start: number; end: number } | undefined;
  [BUILD]: () => YNode;
  [TREE]: YNode | undefined;
  [SCANNED]: ScannedText | undefined;
}

const LAZY_NODE: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyFields): YNode {
    return (this[TREE] ??= this[BUILD]());
  },
  set(this: LazyFields, n: YNode): void {
    this[TREE] = n;
  },
};

/**
 * The range of a field inside an object. `which: 'key'` gives the key token (for "add a field"
 * messages); when the path does not exist, the deepest existing ancestor's key is used.
 */
export function rangeOf(src: ObjectSource, path: readonly PathSegment[], which: 'value' | 'key' = 'value'): Range {
  if (which === 'key') {
    // A key of a document whose tree is not built yet: found from its lines when that is certain.
    const lazy = src as unknown as Partial<LazyFields>;
    const scanned = lazy[SCANNED];
    if (scanned && lazy[TREE] === undefined) {
      const key = blockKeyRange(scanned.text, scanned.start, scanned.end, path);
      if (key) return src.index.range(key.start, key.end);
    }
  }
  const r = walk(src.node, path);
  if (r.complete && r.node) {
    if (which === 'key' && r.key) return src.index.range(r.key.start, r.key.end);
    return src.index.range(r.node.start, r.node.end);
  }
  // Fall back to the deepest part of the path that exists.
  for (let n = path.length - 1; n >= 0; n--) {
    const p = walk(src.node, path.slice(0, n));
    if (p.complete && p.node) {
      if (p.key) return src.index.range(p.key.start, p.key.end);
      return src.index.range(p.node.start, Math.min(p.node.end, p.node.start + 1));
    }
  }
  return src.index.range(src.node.start, src.node.start);
}

export function hasPath(src: ObjectSource, path: readonly PathSegment[]): boolean {
  return walk(src.node, path).complete;
}

export function nodeAt(src: ObjectSource, path: readonly PathSegment[]): YNode | undefined {
  const r = walk(src.node, path);
  return r.complete ? r.node : undefined;
}
