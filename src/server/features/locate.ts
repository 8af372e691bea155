/** What is under the cursor: the object, and the path of keys and indexes inside it. */
import type { LoadedObject, ManifestFile, PathSegment, Position, YNode } from '../../core';

export interface Located {
  object: LoadedObject;
  /** Path from the object root to the node under the cursor. */
  path: PathSegment[];
  node: YNode;
  /** The cursor is on a mapping key (the node is that key's value). */
  onKey: boolean;
  /** Offset in the object's own coordinates. */
  offset: number;
}

export function objectAt(file: ManifestFile, pos: Position): { object: LoadedObject; offset: number } | undefined {
  for (const object of file.objects) {
    const src = object.source;
    if (!src) continue;
    const offset = src.index.offset(pos);
    const back = src.index.position(offset);
    if (back.line !== pos.line) continue;
    if (offset >= src.node.start && offset <= src.node.end) return { object, offset };
  }
  return undefined;
}

export function locate(file: ManifestFile, pos: Position): Located | undefined {
  const hit = objectAt(file, pos);
  if (!hit) return undefined;
  const { object, offset } = hit;
  const path: PathSegment[] = [];
  let node: YNode = object.source!.node;
  let onKey = false;
  for (let depth = 0; depth < 200; depth++) {
    if (node.kind === 'map') {
      const pair = node.pairs.find((p) => within(p.key, offset) || within(p.value, offset));
      if (!pair || pair.key.kind !== 'scalar') break;
      path.push(String(pair.key.value));
      onKey = within(pair.key, offset) && !within(pair.value, offset);
      node = pair.value;
      if (onKey) break;
    } else if (node.kind === 'seq') {
      const i = node.items.findIndex((n) => within(n, offset));
      if (i < 0) break;
      path.push(i);
      node = node.items[i]!;
    } else break;
  }
  return { object, path, node, onKey, offset };
}

function within(n: YNode, offset: number): boolean {
  return offset >= n.start && offset <= n.end && !(n.start === n.end && n.kind !== 'scalar');
}

export function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}
