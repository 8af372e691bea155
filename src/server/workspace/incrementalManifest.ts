/**
 * Loads a manifest file document by document and, on the next version of the text, re-parses only the
 * documents whose text changed. Results equal core `loadManifest` on the whole text: the same splitting,
 * limits and diagnostics; only the line index of each document is shifted to its place in the file.
 *
 * While a document does not parse (half-typed YAML), the objects of its last good version are kept aside as
 * `retained`: the analysis still sees them, the file's own objects (features, positions) do not.
 */
import { isHelmTemplate, LineIndex, loadManifest, splitDocuments, tooLargeManifest, type Diagnostic, type LoadedObject, type LoadOptions, type ManifestFile, type Position, type Range } from '../../core';
import { ShiftedLineIndex } from './shiftedLineIndex';

interface CachedDoc {
  text: string;
  index: ShiftedLineIndex;
  objects: LoadedObject[];
  /** Load diagnostics with ranges relative to the document (line 0 = its first line). */
  diagnostics: Diagnostic[];
  /** While this document does not parse: the objects of its last good version, on their own line index. */
  lastGood?: { objects: LoadedObject[]; index: ShiftedLineIndex };
}

/** File lines [start, end] of a document that does not parse and whose last good objects are retained. */
export interface LineSpan {
  start: number;
  end: number;
}

/** Old file lines [start, end] of a reused document, now `delta` lines further down. */
export interface LineMove {
  start: number;
  end: number;
  delta: number;
}

export interface UpdateResult {
  manifest: ManifestFile;
  /** Where the reused documents went (lines of other documents are not mapped: they were re-parsed). */
  moves: LineMove[];
  stats: UpdateStats;
  /** Objects of the last good version of each document that does not parse now. */
  retained: LoadedObject[];
  /** Where those documents are (their findings are stale and not shown). */
  retainedSpans: LineSpan[];
}

export interface UpdateStats {
  documents: number;
  reparsed: number;
}

export class IncrementalManifest {
  private docs: CachedDoc[] = [];
  private optionsKey = '';

  constructor(readonly file: string) {}

  /** Loads the new text, reusing the parse of every unchanged document. */
  update(text: string, options: LoadOptions): UpdateResult {
    const key = `${options.maxBytes}|${options.partial ? 1 : 0}|${JSON.stringify(options.limits)}`;
    if (key !== this.optionsKey) this.docs = [];
    this.optionsKey = key;
    if (text.length > options.maxBytes) {
      this.docs = [];
      return { manifest: tooLargeManifest(this.file, text.length, options.maxBytes), moves: [], stats: { documents: 0, reparsed: 0 }, retained: [], retainedSpans: [] };
    }
    if (isHelmTemplate(text)) {
      this.docs = [];
      return { manifest: loadManifest(this.file, text, options), moves: [], stats: { documents: 1, reparsed: 1 }, retained: [], retainedSpans: [] };
    }
    const fileIndex = new LineIndex(text);
    const reuse = new Map<string, CachedDoc[]>();
    for (const d of this.docs) {
      const list = reuse.get(d.text);
      if (list) list.push(d);
      else reuse.set(d.text, [d]);
    }
    const next: CachedDoc[] = [];
    const ends: Position[] = [];
    let reparsed = 0;
    const moves: LineMove[] = [];
    for (const part of splitDocuments(text)) {
      const slice = text.slice(part.start, part.end);
      const base = fileIndex.position(part.start);
      ends.push(fileIndex.position(part.end));
      const cached = reuse.get(slice)?.shift();
      if (cached) {
        const old = cached.index.base;
        // The document's last line is that of its last character (the line after a final newline is the next document's).
        const end = cached.text.length ? cached.index.position(cached.text.length - 1).line : old.line;
        if (old.character === base.character) moves.push({ start: old.line, end, delta: base.line - old.line });
        cached.index.base = base;
        next.push(cached);
        continue;
      }
      reparsed++;
      next.push(this.parseDocument(slice, base, options));
    }
    this.inheritLastGood(this.docs, next);
    this.docs = next;
    const manifest: ManifestFile = { file: this.file, index: fileIndex, objects: [], diagnostics: [] };
    const retained: LoadedObject[] = [];
    const retainedSpans: LineSpan[] = [];
    next.forEach((d, i) => {
      manifest.objects.push(...d.objects);
      for (const diag of d.diagnostics) manifest.diagnostics.push({ ...diag, range: shift(diag.range, d.index.base) });
      if (d.lastGood) {
        // The old parse sits where the document is now; its positions stay inside the document.
        const end = ends[i]!;
        const last = end.character === 0 && end.line > d.index.base.line ? end.line - 1 : end.line;
        d.lastGood.index.base = d.index.base;
        d.lastGood.index.maxLine = last;
        retained.push(...d.lastGood.objects);
        retainedSpans.push({ start: d.index.base.line, end: last });
      }
    });
    moves.sort((a, b) => a.start - b.start);
    return { manifest, moves, stats: { documents: next.length, reparsed }, retained, retainedSpans };
  }

  /**
   * A re-parsed document with a syntax error keeps the last good objects of the document it replaces, the
   * one at the same place when the number of documents is unchanged (a document split or joined while
   * broken keeps nothing).
   */
  private inheritLastGood(prev: readonly CachedDoc[], next: CachedDoc[]): void {
    if (prev.length !== next.length) return;
    const kept = new Set(next);
    for (let i = 0; i < next.length; i++) {
      const doc = next[i]!;
      const old = prev[i]!;
      if (kept.has(old) || !broken(doc)) continue;
      if (old.lastGood) doc.lastGood = old.lastGood;
      else if (!broken(old) && old.objects.length) {
        const index = new ShiftedLineIndex(old.text, old.index.base);
        doc.lastGood = { index, objects: old.objects.map((o) => (o.source ? { ...o, source: { ...o.source, index } } : o)) };
      }
    }
  }

  private parseDocument(text: string, base: Position, options: LoadOptions): CachedDoc {
    const index = new ShiftedLineIndex(text, base);
    const loaded = loadManifest(this.file, text, options);
    for (const o of loaded.objects) if (o.source) o.source = { ...o.source, index };
    return { text, index, objects: loaded.objects, diagnostics: loaded.diagnostics };
  }
}

function broken(d: CachedDoc): boolean {
  return d.diagnostics.some((x) => x.code === 'KSD001');
}

function shift(r: Range, base: Position): Range {
  const p = (q: Position): Position => (q.line === 0 ? { line: base.line, character: base.character + q.character } : { line: q.line + base.line, character: q.character });
  return { start: p(r.start), end: p(r.end) };
}
