/** A YAML document as a tree of nodes that keep their source offsets (end-exclusive). */
export type YNode = YScalar | YMap | YSeq;

export interface YBase {
  start: number;
  end: number;
}
export interface YScalar extends YBase {
  kind: 'scalar';
  /** The resolved value (string, number, boolean or null). */
  value: string | number | boolean | null;
  /** True for quoted or block scalars: the value was written as a string. */
  quoted: boolean;
}
export interface YPair {
  key: YNode;
  value: YNode;
}
export interface YMap extends YBase {
  kind: 'map';
  pairs: YPair[];
}
export interface YSeq extends YBase {
  kind: 'seq';
  items: YNode[];
}

export type PathSegment = string | number;

/** The pair whose key is `key` in a mapping node (last one wins, as in the decoded value). */
export function mapGet(node: YNode | undefined, key: string): YPair | undefined {
  if (!node || node.kind !== 'map') return undefined;
  for (let i = node.pairs.length - 1; i >= 0; i--) {
    const p = node.pairs[i]!;
    if (p.key.kind === 'scalar' && String(p.key.value) === key) return p;
  }
  return undefined;
}

/** Walk a path of keys and indexes; returns the deepest node reached and whether the whole path exists. */
export function walk(root: YNode | undefined, path: readonly PathSegment[]): { node: YNode | undefined; key?: YNode; complete: boolean } {
  let node = root;
  let key: YNode | undefined;
  for (const seg of path) {
    if (!node) return { node: undefined, complete: false };
    if (typeof seg === 'number') {
      if (node.kind !== 'seq' || seg >= node.items.length) return { node, key, complete: false };
      node = node.items[seg];
      key = undefined;
    } else {
      const pair = mapGet(node, seg);
      if (!pair) return { node, key, complete: false };
      node = pair.value;
      key = pair.key;
    }
  }
  return { node, key, complete: true };
}
