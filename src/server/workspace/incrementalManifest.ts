/**
 * Loads a manifest file document by document and, on the next version of the text, re-parses only the
 * documents whose text changed. Results equal core `loadManifest` on the whole text: the same splitting,
 * limits and diagnostics; only the line index of each document is shifted to its place in the file.
 *
 * While a document does not parse (half-typed YAML), the objects of its last good version are kept aside as
 * `retained`: the analysis still sees them, the file's own objects (features, positions) do not.
 */
import { commonEnds, isHelmTemplate, LineIndex, loadManifest, splitDocumentsFrom, tooLargeManifest, type Diagnostic, type LoadedObject, type LoadOptions, type ManifestFile, type Position, type Range } from '../../core';
import { LineCursor } from './lineCursor';
import { ShiftedLineIndex } from './shiftedLineIndex';
import { fits, type TextChange } from './textChange';

interface CachedDoc {
  text: string;
  /** Offset of the document in the text it was last loaded from. */
  start: number;
  index: ShiftedLineIndex;
  objects: LoadedObject[];
  /** Load diagnostics with ranges relative to the document (line 0 = its first line). */
  diagnostics: Diagnostic[];
  /**
   * While this document does not parse: the objects of the last good version of the document(s) it
   * replaces, each part on its own line index.
   */
  lastGood?: LastGood[];
}

interface LastGood {
  objects: LoadedObject[];
  /** Its line index holds the text of that version. */
  index: ShiftedLineIndex;
  diagnostics: Diagnostic[];
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
  /** The objects to analyse in document order: each broken document's retained objects in its place. */
  analyzed: LoadedObject[];
  /** Where those documents are (their findings are stale and not shown). */
  retainedSpans: LineSpan[];
}

export interface UpdateStats {
  documents: number;
  reparsed: number;
  /** Documents of the new text that were split out and compared with the old ones (not kept by place). */
  compared: number;
}

export class IncrementalManifest {
  private docs: CachedDoc[] = [];
  private length = 0;
  private optionsKey = '';
  /** Whether the last text had a `{{` (a Helm template needs one). */
  private braces = false;

  constructor(readonly file: string) {}

  /**
   * Loads the new text, reusing the parse of every unchanged document. With `change` (what the editor's
   * edits did since the last text), only the documents around the edit are split and compared; those
   * before it are kept as they are, those after it are moved by the change in length and lines.
   */
  update(text: string, options: LoadOptions, change?: TextChange): UpdateResult {
    const key = `${options.maxBytes}|${options.partial ? 1 : 0}|${JSON.stringify(options.limits)}`;
    if (key !== this.optionsKey) this.docs = [];
    this.optionsKey = key;
    const known = change && this.docs.length && fits(change, this.length, text.length) ? change : undefined;
    if (text.length > options.maxBytes) {
      this.docs = [];
      return whole(tooLargeManifest(this.file, text.length, options.maxBytes), 0);
    }
    // A text without `{{` is no template; an edit can only add one where it wrote.
    const braces = known && !this.braces ? text.slice(Math.max(0, known.head - 1), text.length - known.tail + 1).includes('{{') : text.includes('{{');
    this.braces = braces;
    if (braces && isHelmTemplate(text)) {
      this.docs = [];
      return whole(loadManifest(this.file, text, options), 1);
    }
    const prev = this.docs;
    const split = (known && this.around(text, known)) || { kept: 0, parts: splitDocumentsFrom(text, 0).parts, resumed: prev.length, lines: 0 };
    // The file's own index is built only if asked for; document bases come from a forward walk.
    const fileIndex = new LineIndex(text);
    const cursor = this.cursorAt(text, split.kept);
    const reuse = new Reuse(prev.slice(split.kept, split.resumed), text.length - this.length);
    this.length = text.length;
    // A broken document typed back to its last good text gets that parse (and its objects) back.
    const restore = new Map<string, LastGood>();
    for (const d of prev) if (d.lastGood?.length === 1) restore.set(d.lastGood[0]!.index.text, d.lastGood[0]!);
    const next: CachedDoc[] = prev.slice(0, split.kept);
    /** End positions of the documents split now (others are worked out when needed). */
    const ends = new Map<CachedDoc, Position>();
    let reparsed = 0;
    const moves: LineMove[] = [];
    if (split.kept) moves.push(this.moved(prev[0]!, prev[split.kept - 1]!, 0));
    for (const part of split.parts) {
      const slice = text.slice(part.start, part.end);
      const base = cursor.at(part.start);
      const cached = reuse.take(slice, part.start);
      if (cached) {
        cached.start = part.start;
        const old = cached.index.base;
        if (old.character === base.character) moves.push(this.moved(cached, cached, base.line - old.line));
        cached.index.base = base;
        next.push(cached);
        ends.set(cached, cursor.over(part.start, cached.index));
        continue;
      }
      // (A map lookup hashes the whole document text: skipped when nothing is kept to restore.)
      const good = restore.size ? restore.get(slice) : undefined;
      if (good) {
        restore.delete(slice);
        good.index.base = base;
        good.index.maxLine = Infinity;
        const doc = { text: good.index.text, start: part.start, index: good.index, objects: good.objects, diagnostics: good.diagnostics };
        next.push(doc);
        ends.set(doc, cursor.over(part.start, good.index));
        continue;
      }
      reparsed++;
      const doc = this.parseDocument(slice, part.start, base, options);
      next.push(doc);
      ends.set(doc, cursor.over(part.start, doc.index));
    }
    if (split.resumed < prev.length) {
      // The documents after the edit: the same text, `delta` characters and `split.lines` lines further on.
      const delta = known!.after - known!.before;
      moves.push(this.moved(prev[split.resumed]!, prev[prev.length - 1]!, split.lines));
      for (let i = split.resumed; i < prev.length; i++) {
        const d = prev[i]!;
        d.start += delta;
        if (split.lines) d.index.base = { line: d.index.base.line + split.lines, character: d.index.base.character };
        next.push(d);
      }
    }
    this.inheritLastGood(prev, next);
    this.docs = next;
    const manifest: ManifestFile = { file: this.file, index: fileIndex, objects: [], diagnostics: [] };
    const retained: LoadedObject[] = [];
    const analyzed: LoadedObject[] = [];
    const retainedSpans: LineSpan[] = [];
    for (const d of next) {
      for (const o of d.objects) {
        manifest.objects.push(o);
        analyzed.push(o);
      }
      for (const diag of d.diagnostics) manifest.diagnostics.push({ ...diag, range: shift(diag.range, d.index.base) });
      if (d.lastGood) {
        // The old parse sits where the document is now; its positions stay inside the document.
        const end = ends.get(d) ?? new LineCursor(text, { offset: d.start, position: d.index.base }).over(d.start, d.index);
        const last = end.character === 0 && end.line > d.index.base.line ? end.line - 1 : end.line;
        for (const part of d.lastGood) {
          part.index.base = d.index.base;
          part.index.maxLine = last;
          retained.push(...part.objects);
          analyzed.push(...part.objects);
        }
        retainedSpans.push({ start: d.index.base.line, end: last });
      }
    }
    moves.sort((a, b) => a.start - b.start);
    return { manifest, moves, stats: { documents: next.length, reparsed, compared: split.parts.length }, retained, analyzed, retainedSpans };
  }

  /**
   * Where the split of the new text can differ from the last one: from the last document that starts
   * before the edit (a marker at offset p is read from p - 1 to p + 4) to the first marker wholly in the
   * unchanged end (from the top when the edit is in the first document, to the end when none follows).
   * `kept`: documents before it, kept as they are; `resumed`: the first old document after it, `lines`
   * further down now. Undefined also when those do not move by whole lines.
   */
  private around(text: string, change: TextChange): { kept: number; parts: { start: number; end: number }[]; resumed: number; lines: number } | undefined {
    const docs = this.docs;
    // The last document starting at least 5 characters before the edit.
    let lo = 0;
    let hi = docs.length - 1;
    let a = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (docs[mid]!.start + 5 <= change.head) {
        a = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const from = a < 0 ? 0 : docs[a]!.start;
    const unchangedFrom = text.length - change.tail;
    const { parts, next } = splitDocumentsFrom(text, from, (marker) => marker - 1 >= unchangedFrom);
    let resumed = docs.length;
    let lines = 0;
    if (next !== undefined) {
      // The old split made the same part start there, so its documents from that start on are the same.
      const oldNext = next - (change.after - change.before);
      lo = 0;
      hi = docs.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (docs[mid]!.start >= oldNext) {
          resumed = mid;
          hi = mid - 1;
        } else lo = mid + 1;
      }
    }
    const kept = Math.max(0, a);
    if (resumed < docs.length) {
      const old = docs[resumed]!;
      const base = this.cursorAt(text, kept).at(old.start + change.after - change.before);
      // Not a shift by whole lines (a marker after a break LineIndex does not count): compare them all.
      if (base.character !== old.index.base.character) return undefined;
      lines = base.line - old.index.base.line;
    }
    return { kept, parts, resumed, lines };
  }

  /** A walk from the start of document `i` (where the split resumes), or from the top. */
  private cursorAt(text: string, i: number): LineCursor {
    const d = this.docs[i];
    return i && d ? new LineCursor(text, { offset: d.start, position: d.index.base }) : new LineCursor(text);
  }

  /** Old lines of documents first..last (in order), now `delta` lines further down. */
  private moved(first: CachedDoc, last: CachedDoc, delta: number): LineMove {
    // The document's last line is that of its last character (the line after a final newline is the next document's).
    const end = last.text.length ? last.index.position(last.text.length - 1).line : last.index.base.line;
    return { start: first.index.base.line, end, delta };
  }

  /**
   * A re-parsed document with a syntax error keeps the last good objects of the document(s) it replaces.
   * The unchanged documents at the start and at the end of the file line the two versions up; between
   * them, old and new documents pair by position when their numbers agree. When a document was added or
   * removed there (a `---` typed, deleted or pasted while a document is broken), the first broken new
   * document keeps every last good object of the replaced ones that no new document there defines again.
   */
  private inheritLastGood(prev: readonly CachedDoc[], next: CachedDoc[]): void {
    const [head, tail] = commonEnds(prev, next);
    // A document object is used once, so those of one middle can only sit in the other's middle.
    const prevMid = prev.slice(head, prev.length - tail);
    const nextMid = next.slice(head, next.length - tail);
    if (!nextMid.some(broken)) return;
    const kept = new Set(nextMid);
    const oldMid = prevMid.filter((d) => !kept.has(d));
    const old = new Set(prevMid);
    const newMid = nextMid.filter((d) => !old.has(d));
    if (!newMid.some(broken)) return;
    if (oldMid.length === newMid.length) {
      newMid.forEach((doc, i) => {
        if (broken(doc)) doc.lastGood = lastGoodOf(oldMid[i]!);
      });
      return;
    }
    const defined = new Set(newMid.flatMap((d) => d.objects.map(identity)));
    const parts = oldMid.flatMap((d) => lastGoodOf(d) ?? []).map((p) => ({ ...p, objects: p.objects.filter((o) => !defined.has(identity(o))) }));
    const first = newMid.find(broken)!;
    const useful = parts.filter((p) => p.objects.length);
    if (useful.length) first.lastGood = useful;
  }

  private parseDocument(slice: string, start: number, base: Position, options: LoadOptions): CachedDoc {
    // A slice of the file's text (and every string cut from it while parsing) would keep that whole
    // version of the file alive for as long as the document is cached: one file copy per edit.
    const text = ownCopy(slice);
    const index = new ShiftedLineIndex(text, base);
    // The text is one part of the file's split: loading need not split it again. Sources name the
    // document's shifted index from the start (trees stay unbuilt until a position is asked for).
    // Every option named (no spread per document; `satisfies` fails the build when LoadOptions grows one).
    const docOptions = { maxBytes: options.maxBytes, limits: options.limits, partial: options.partial, oneDocument: true, sourceIndex: index } satisfies Record<keyof LoadOptions, unknown>;
    const loaded = loadManifest(this.file, text, docOptions);
    return { text, start, index, objects: loaded.objects, diagnostics: loaded.diagnostics };
  }
}

/**
 * Finds the previous version's document with the same text as a new one without hashing every document
 * (hashing the whole file per edit was most of an edit's parse time): a document before the edit is where
 * it was, one after it is `delta` characters further on (the change in the text's length), and equal
 * strings compare as memory. Others (moved, pasted) are looked for among the unused ones of the same length.
 */
class Reuse {
  private byStart = new Map<number, CachedDoc>();
  private byLength: Map<number, CachedDoc[]> | undefined;
  private used = new Set<CachedDoc>();

  constructor(
    private readonly docs: readonly CachedDoc[],
    private readonly delta: number,
  ) {
    for (const d of docs) this.byStart.set(d.start, d);
  }

  take(text: string, start: number): CachedDoc | undefined {
    const hit = this.fits(this.byStart.get(start), text) ?? this.fits(this.byStart.get(start - this.delta), text);
    if (hit) return this.use(hit);
    if (!this.byLength) {
      this.byLength = new Map();
      for (const d of this.docs) {
        const list = this.byLength.get(d.text.length);
        if (list) list.push(d);
        else this.byLength.set(d.text.length, [d]);
      }
    }
    for (const d of this.byLength.get(text.length) ?? []) if (this.fits(d, text)) return this.use(d);
    return undefined;
  }

  private fits(d: CachedDoc | undefined, text: string): CachedDoc | undefined {
    return d && !this.used.has(d) && d.text.length === text.length && d.text === text ? d : undefined;
  }

  private use(d: CachedDoc): CachedDoc {
    this.used.add(d);
    return d;
  }
}

/**
 * The same characters in a string of their own, not a view into the file's text. Slicing a concatenation
 * makes V8 copy both parts into one flat string first, and the slice then points into that copy only (the
 * cached-document test in incremental-reuse.test.ts checks no file version stays alive). A fifth of the
 * cost of a UTF-16 Buffer round trip on the 2,000-document file; exact, lone surrogates included.
 */
export function ownCopy(s: string): string {
  return s.length ? ` ${s}`.slice(1) : '';
}

/** The result for a file loaded whole (skipped, or a Helm template). */
function whole(manifest: ManifestFile, documents: number): UpdateResult {
  return { manifest, moves: [], stats: { documents, reparsed: documents, compared: documents }, retained: [], analyzed: manifest.objects, retainedSpans: [] };
}

/** What a replaced document leaves to a broken successor: its own last good parts, or its objects when it parsed. */
function lastGoodOf(old: CachedDoc): LastGood[] | undefined {
  if (old.lastGood) return old.lastGood;
  if (broken(old) || !old.objects.length) return undefined;
  // The replaced document is dropped, so its parse (objects, line index) moves over as it is: same identities.
  return [{ index: old.index, objects: old.objects, diagnostics: old.diagnostics }];
}

function identity(o: LoadedObject): string {
  return `${o.apiVersion}|${o.kind}|${o.namespace ?? ''}|${o.name}`;
}

function broken(d: CachedDoc): boolean {
  return d.diagnostics.some((x) => x.code === 'KSD001');
}

function shift(r: Range, base: Position): Range {
  const p = (q: Position): Position => (q.line === 0 ? { line: base.line, character: base.character + q.character } : { line: q.line + base.line, character: q.character });
  return { start: p(r.start), end: p(r.end) };
}
