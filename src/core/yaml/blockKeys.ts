/**
 * Where a mapping key sits in a document the fast scanner accepted (fastScan.ts), found from line starts
 * alone instead of building the document's node tree: a check that reports on a key (`spec.selector` of
 * hundreds of Services) then leaves those trees unbuilt.
 *
 * It relies on what the scanner accepts: spaces only (no tabs or carriage returns), one-line plain and
 * quoted scalars and flow collections, block scalars whose lines are indented deeper than their key, and
 * comments. In such a document every line at a block mapping's own column inside that mapping is one of
 * its keys, or an entry of a sequence written under the key above it at the same column. It answers only for plain keys that read as
 * themselves and are written once at their level, and returns undefined whenever anything else is met (a
 * quoted key, a merge key, a flow or inline value on the way, a key written twice): the caller then walks
 * the tree as before.
 */
import type { PathSegment } from './nodes';

/** Keys that are plain YAML strings as written (no number, bool or null spelling, no indicator). */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const NOT_STRINGS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/**
 * The offsets of the key at `path` (string segments only) in the document text[start, end) that the fast
 * scanner parsed, as its tree gives them (`walk(tree, path).key`); undefined when not found this way.
 */
export function blockKeyRange(text: string, start: number, end: number, path: readonly PathSegment[]): { start: number; end: number } | undefined {
  if (!path.length) return undefined;
  for (const seg of path) if (typeof seg !== 'string' || !PLAIN_KEY.test(seg) || NOT_STRINGS.has(seg)) return undefined;
  let pos = start;
  // The scanner skips a leading `---` line (and, in a later part of a stream, the rest of a `...` line).
  if (text.startsWith('---', start) || start > 0) pos = nextLine(text, pos, end);
  let parentCol = -1;
  let found: { start: number; end: number } | undefined;
  for (let s = 0; s < path.length; s++) {
    const seg = path[s] as string;
    let col = -1;
    found = undefined;
    let next = -1;
    for (let ls = pos; ls < end; ls = nextLine(text, ls, end)) {
      let i = ls;
      while (i < end && text.charCodeAt(i) === 32) i++;
      const c = i < end ? text.charCodeAt(i) : -1;
      if (c === 10 || c === -1 || c === 35) continue;
      const lineCol = i - ls;
      const entry = c === 45 && isBlankOrEnd(text, i + 1, end);
      if (col < 0) {
        // The mapping's first line: deeper than its parent's key, and a key rather than a sequence entry.
        if (lineCol <= parentCol || entry) return undefined;
        col = lineCol;
      }
      if (lineCol < col) {
        if (lineCol > parentCol) return undefined;
        break;
      }
      // Deeper lines belong to a value; entries at the mapping's column to a sequence value of its key above.
      if (lineCol > col || entry) continue;
      if (c === 34 || c === 39 || (c === 60 && text.startsWith('<<', i))) return undefined;
      if (!text.startsWith(seg, i)) continue;
      let k = i + seg.length;
      while (k < end && text.charCodeAt(k) === 32) k++;
      if (k >= end || text.charCodeAt(k) !== 58 || !isBlankOrEnd(text, k + 1, end)) continue;
      // The same key twice at one level: leave it to the tree.
      if (found) return undefined;
      found = { start: i, end: i + seg.length };
      if (s < path.length - 1) {
        // Going deeper needs a block value: nothing but a comment after the colon.
        let v = k + 1;
        while (v < end && text.charCodeAt(v) === 32) v++;
        const after = v < end ? text.charCodeAt(v) : -1;
        if (after !== 10 && after !== -1 && after !== 35) return undefined;
        next = nextLine(text, ls, end);
      }
    }
    if (!found) return undefined;
    if (s < path.length - 1) {
      pos = next;
      parentCol = col;
    }
  }
  return found;
}

function nextLine(text: string, from: number, end: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 || nl >= end ? end : nl + 1;
}

function isBlankOrEnd(text: string, i: number, end: number): boolean {
  if (i >= end) return true;
  const c = text.charCodeAt(i);
  return c === 32 || c === 10;
}
