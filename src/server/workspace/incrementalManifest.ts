/**
 * Loads a manifest file document by document and, on the next version of the text, re-parses only the
 * documents whose text changed. Results equal core `loadManifest` on the whole text: the same splitting,
 * limits and diagnostics; only the line index of each document is shifted to its place in the file.
 */
import { isHelmTemplate, LineIndex, loadManifest, splitDocuments, tooLargeManifest, type Diagnostic, type LoadedObject, type LoadOptions, type ManifestFile, type Position, type Range } from '../../core';
import { ShiftedLineIndex } from './shiftedLineIndex';

interface CachedDoc {
  text: string;
  index: ShiftedLineIndex;
  objects: LoadedObject[];
  /** Load diagnostics with ranges relative to the document (line 0 = its first line). */
  diagnostics: Diagnostic[];
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
  update(text: string, options: LoadOptions): { manifest: ManifestFile; stats: UpdateStats } {
    const key = `${options.maxBytes}|${options.partial ? 1 : 0}|${JSON.stringify(options.limits)}`;
    if (key !== this.optionsKey) this.docs = [];
    this.optionsKey = key;
    if (text.length > options.maxBytes) {
      this.docs = [];
      return { manifest: tooLargeManifest(this.file, text.length, options.maxBytes), stats: { documents: 0, reparsed: 0 } };
    }
    if (isHelmTemplate(text)) {
      this.docs = [];
      return { manifest: loadManifest(this.file, text, options), stats: { documents: 1, reparsed: 1 } };
    }
    const fileIndex = new LineIndex(text);
    const reuse = new Map<string, CachedDoc[]>();
    for (const d of this.docs) {
      const list = reuse.get(d.text);
      if (list) list.push(d);
      else reuse.set(d.text, [d]);
    }
    const next: CachedDoc[] = [];
    let reparsed = 0;
    for (const part of splitDocuments(text)) {
      const slice = text.slice(part.start, part.end);
      const base = fileIndex.position(part.start);
      const cached = reuse.get(slice)?.shift();
      if (cached) {
        cached.index.base = base;
        next.push(cached);
        continue;
      }
      reparsed++;
      next.push(this.parseDocument(slice, base, options));
    }
    this.docs = next;
    const manifest: ManifestFile = { file: this.file, index: fileIndex, objects: [], diagnostics: [] };
    for (const d of next) {
      manifest.objects.push(...d.objects);
      for (const diag of d.diagnostics) manifest.diagnostics.push({ ...diag, range: shift(diag.range, d.index.base) });
    }
    return { manifest, stats: { documents: next.length, reparsed } };
  }

  private parseDocument(text: string, base: Position, options: LoadOptions): CachedDoc {
    const index = new ShiftedLineIndex(text, base);
    const loaded = loadManifest(this.file, text, options);
    for (const o of loaded.objects) if (o.source) o.source = { ...o.source, index };
    return { text, index, objects: loaded.objects, diagnostics: loaded.diagnostics };
  }
}

function shift(r: Range, base: Position): Range {
  const p = (q: Position): Position => (q.line === 0 ? { line: base.line, character: base.character + q.character } : { line: q.line + base.line, character: q.character });
  return { start: p(r.start), end: p(r.end) };
}
