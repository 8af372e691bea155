/**
 * Check findings by file and by the object they are written in (their subject). Incremental analysis drops
 * the findings of re-checked subjects and keeps the others, moving their positions along with their
 * documents when lines above them were added or removed.
 */
import { sourceSpan, type Diagnostic, type LoadedObject, type Range } from '../../core';
import type { LineMove } from './incrementalManifest';
import type { FileChange, WorkspaceIndex } from './workspaceIndex';

/** Findings in no object (not expected from the checks) are kept under `null`. */
type PerObject = Map<LoadedObject | null, Diagnostic[]>;

export class Findings {
  private byFile = new Map<string, PerObject>();

  files(): string[] {
    return [...this.byFile.keys()];
  }

  clear(): void {
    this.byFile.clear();
  }

  inFile(uri: string): Diagnostic[] {
    const per = this.byFile.get(uri);
    if (!per) return [];
    const out: Diagnostic[] = [];
    for (const list of per.values()) for (const d of list) out.push(d);
    return out;
  }

  /** The subjects holding a finding with this code. */
  holders(code: string): LoadedObject[] {
    const out: LoadedObject[] = [];
    for (const per of this.byFile.values()) for (const [o, list] of per) if (o && list.some((d) => d.code === code)) out.push(o);
    return out;
  }

  /** Forgets the findings of these subjects; returns the files that held some. */
  drop(objects: Iterable<LoadedObject>): string[] {
    const files = new Set<string>();
    for (const o of objects) {
      const file = o.source?.file;
      if (file !== undefined && this.byFile.get(file)?.delete(o)) files.add(file);
    }
    return [...files];
  }

  /**
   * Files each finding under the object it is written in. With `focus`, returns true when a finding lands
   * outside it (the caller then checks everything, since that subject's other findings may be stale).
   */
  add(found: readonly Diagnostic[], index: WorkspaceIndex, focus?: ReadonlySet<LoadedObject>): boolean {
    let stray = false;
    const locators = new Map<string, Locator>();
    // Re-checked subjects write their findings in themselves: where a file's documents do not overlap
    // (no retained last good copy), the subject a line is in is found among them, without placing every
    // object of a large file.
    const focused = new Map<string, Locator>();
    const locate = (file: string, line: number): LoadedObject | null => {
      if (focus && !index.retainedSpans(file).length) {
        let near = focused.get(file);
        if (!near) focused.set(file, (near = new Locator([...focus].filter((o) => o.source?.file === file))));
        const o = near.find(line);
        if (o) return o;
      }
      let at = locators.get(file);
      if (!at) locators.set(file, (at = new Locator(index.objectsOf(file))));
      return at.find(line);
    };
    for (const d of found) {
      const o = locate(d.file, d.range.start.line);
      if (focus && (!o || !focus.has(o))) stray = true;
      let per = this.byFile.get(d.file);
      if (!per) this.byFile.set(d.file, (per = new Map()));
      const list = per.get(o);
      if (list) list.push(d);
      else per.set(o, [d]);
    }
    return stray;
  }

  /**
   * Moves kept findings (and the related places and fix edits they point at) along with their documents.
   * Returns the subjects with a position that cannot be mapped (inside a re-parsed document, or in a file
   * re-read whole): they must be re-checked. 'all' when such a finding has no subject. `moved` collects
   * the files whose findings now read differently.
   */
  move(changes: readonly FileChange[], moved: Set<string>): Set<LoadedObject> | 'all' {
    const byUri = new Map(changes.map((c) => [c.uri, c.moves]));
    const unmapped = new Set<LoadedObject>();
    for (const [file, per] of this.byFile) {
      for (const [o, list] of per) {
        for (let i = 0; i < list.length; i++) {
          const next = moveDiagnostic(list[i]!, byUri);
          if (next === undefined) {
            if (!o) return 'all';
            unmapped.add(o);
            break;
          }
          if (next !== list[i]) moved.add(file);
          list[i] = next;
        }
      }
    }
    return unmapped;
  }
}

/** Finds the object whose text covers a line of one file. */
class Locator {
  private spans: { start: number; end: number; o: LoadedObject }[] = [];
  constructor(objects: readonly LoadedObject[]) {
    for (const o of objects) {
      if (!o.source) continue;
      // The object's extent only: a lazy source's tree stays unbuilt, and so do its document's line starts.
      const { start, end } = sourceSpan(o.source);
      const index = o.source.index;
      this.spans.push({ start: index.lineOf(start), end: index.lineOf(end), o });
    }
    this.spans.sort((a, b) => a.start - b.start);
  }
  find(line: number): LoadedObject | null {
    let lo = 0;
    let hi = this.spans.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid]!.start <= line) {
        hit = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Spans may nest only when a retained copy overlaps; walk back to one that reaches the line.
    for (let i = hit; i >= 0; i--) if (this.spans[i]!.end >= line) return this.spans[i]!.o;
    return null;
  }
}

type Moves = Map<string, LineMove[] | undefined>;

/** The diagnostic with every position in a changed file moved; the same object when nothing moves; undefined when a position cannot be mapped. */
function moveDiagnostic(d: Diagnostic, byUri: Moves): Diagnostic | undefined {
  if (!touches(d, byUri)) return d;
  const range = moveRange(d.file, d.range, byUri);
  if (!range) return undefined;
  // Unmoved (the usual case: an edit that adds or removes no line) stays the same object.
  if (range === d.range && !d.related && !d.fixes) return d;
  let moved = range !== d.range;
  const out: Diagnostic = { ...d, range };
  if (d.related) {
    const related = [];
    for (const r of d.related) {
      const to = moveRange(r.location.file, r.location.range, byUri);
      if (!to) return undefined;
      if (to !== r.location.range) moved = true;
      related.push({ ...r, location: { file: r.location.file, range: to } });
    }
    out.related = related;
  }
  if (d.fixes) {
    const fixes = [];
    for (const f of d.fixes) {
      const edits = [];
      for (const e of f.edits) {
        const to = moveRange(e.file, e.range, byUri);
        if (!to) return undefined;
        if (to !== e.range) moved = true;
        edits.push({ ...e, range: to });
      }
      fixes.push({ ...f, edits });
    }
    out.fixes = fixes;
  }
  return moved ? out : d;
}

function touches(d: Diagnostic, byUri: Moves): boolean {
  if (byUri.has(d.file)) return true;
  if (d.related?.some((r) => byUri.has(r.location.file))) return true;
  return !!d.fixes?.some((f) => f.edits.some((e) => byUri.has(e.file)));
}

function moveRange(file: string, range: Range, byUri: Moves): Range | undefined {
  if (!byUri.has(file)) return range;
  const moves = byUri.get(file);
  if (!moves) return undefined;
  const m = findMove(moves, range.start.line);
  if (!m || range.end.line > m.end) return undefined;
  if (m.delta === 0) return range;
  return { start: { line: range.start.line + m.delta, character: range.start.character }, end: { line: range.end.line + m.delta, character: range.end.character } };
}

function findMove(moves: readonly LineMove[], line: number): LineMove | undefined {
  let lo = 0;
  let hi = moves.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = moves[mid]!;
    if (line < m.start) hi = mid - 1;
    else if (line > m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}
