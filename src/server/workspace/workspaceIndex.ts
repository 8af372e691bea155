/**
 * Every manifest in the workspace folders, kept current from editor events (open documents win over disk)
 * and watched-file events. Holds parsed files only; the cluster state and diagnostics are built on top.
 */
import { promises as fs, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_YAML_LIMITS, loadManifest, tooLargeManifest, type LoadedObject, type LoadOptions, type ManifestFile } from '../../core';
import { describeFsError, kustomizePatchFiles, listManifestFiles } from '../../node/loadPaths';
import type { KsdSettings } from '../../protocol/settings';
import { PathFilter } from './glob';
import { IncrementalManifest, type LineMove, type LineSpan } from './incrementalManifest';
import type { TextChange } from './textChange';
import { MANIFEST_FILE, pathToUri, uriToPath } from './uri';

interface Entry {
  uri: string;
  /** Text currently open in the editor (undefined: disk content). */
  open: boolean;
  loader?: IncrementalManifest;
  file: ManifestFile;
  /**
   * Open documents only, when some `---` document does not parse now: the objects to analyse, in document
   * order, with the last good version's objects in place of each broken document's.
   */
  retained?: LoadedObject[];
  retainedSpans?: LineSpan[];
}

/** The objects an entry contributes to the analysis. */
function analyzed(e: Entry | undefined): readonly LoadedObject[] {
  if (!e) return [];
  return e.retained ?? e.file.objects;
}

/** What a change did to one file: its objects before and after (for the incremental analysis). */
export interface FileChange {
  uri: string;
  before: readonly LoadedObject[];
  after: readonly LoadedObject[];
  /** Open documents only: where the lines of reused documents went (other old lines cannot be mapped). */
  moves?: LineMove[];
  /** Documents re-parsed / documents in the file (open documents only). */
  reparsed?: number;
  documents?: number;
}

const KUSTOMIZATION = /(^|[\\/])kustomization\.ya?ml$/i;
/** Files read between two turns of the event loop while indexing. */
const SCAN_BATCH = 100;

function unreadable(uri: string, e: unknown, opts: LoadOptions): ManifestFile {
  const m = loadManifest(uri, '', opts);
  m.skipped = 'not-a-manifest';
  m.diagnostics.push({ file: uri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code: 'KSD005', message: `Cannot read file: ${describeFsError(e)}` });
  return m;
}

export class WorkspaceIndex {
  private entries = new Map<string, Entry>();
  private folders: string[] = [];
  private filter = new PathFilter([]);
  private patches = new Set<string>();
  private kustomizations = new Set<string>();
  private maxBytes: number;

  constructor(settings: KsdSettings) {
    this.maxBytes = settings.maxFileSize;
    this.filter = new PathFilter(settings.ignoredPaths);
  }

  /** Applies new settings; returns true when the set of indexed files may have changed (rescan needed). */
  configure(settings: KsdSettings): boolean {
    const changed = settings.maxFileSize !== this.maxBytes || JSON.stringify(settings.ignoredPaths) !== JSON.stringify(this.filterPatterns);
    this.maxBytes = settings.maxFileSize;
    this.filterPatterns = settings.ignoredPaths;
    this.filter = new PathFilter(settings.ignoredPaths);
    return changed;
  }
  private filterPatterns: string[] = [];

  get size(): number {
    return this.entries.size;
  }
  files(): ManifestFile[] {
    return [...this.entries.values()].map((e) => e.file);
  }
  file(uri: string): ManifestFile | undefined {
    return this.entries.get(uri)?.file;
  }
  objects(): LoadedObject[] {
    const out: LoadedObject[] = [];
    for (const e of this.entries.values()) for (const o of analyzed(e)) out.push(o);
    return out;
  }
  /** The objects one file contributes to the analysis (with the last good copies of broken documents). */
  objectsOf(uri: string): readonly LoadedObject[] {
    return analyzed(this.entries.get(uri));
  }
  /** Line spans of an open file's documents that do not parse and are analysed as they last parsed. */
  retainedSpans(uri: string): readonly LineSpan[] {
    return this.entries.get(uri)?.retainedSpans ?? [];
  }
  isOpen(uri: string): boolean {
    return this.entries.get(uri)?.open ?? false;
  }

  /** Is this URI one the index should hold (a manifest, not ignored)? */
  accepts(uri: string, languageId?: string): boolean {
    const p = uriToPath(uri);
    const looksLikeManifest = MANIFEST_FILE.test(p ?? uri) || languageId === 'yaml' || languageId === 'json';
    if (!looksLikeManifest) return false;
    if (p && KUSTOMIZATION.test(p)) return false;
    if (!p) return true;
    const rel = this.relative(p);
    return !this.filter.ignores(rel ?? p.replace(/\\/g, '/'));
  }

  private relative(p: string): string | undefined {
    for (const f of this.folders) {
      const rel = path.relative(f, p);
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.replace(/\\/g, '/');
    }
    return undefined;
  }

  private loadOptions(uri: string): LoadOptions {
    const p = uriToPath(uri);
    return { maxBytes: this.maxBytes, limits: DEFAULT_YAML_LIMITS, partial: p ? this.patches.has(path.resolve(p)) : false };
  }

  /** Indexes every manifest in the folders (replacing what was loaded from disk; open documents stay). */
  async scan(folderPaths: string[], onProgress?: (done: number, total: number) => void): Promise<string[]> {
    this.folders = folderPaths.map((f) => path.resolve(f));
    const problems: { path: string; message: string }[] = [];
    const all = await listManifestFiles(this.folders, problems);
    this.kustomizations = new Set(all.filter((f) => KUSTOMIZATION.test(f)).map((f) => path.resolve(f)));
    this.patches = await kustomizePatchFiles([...this.kustomizations]);
    const wanted = all.filter((f) => this.accepts(pathToUri(f)));
    const wantedUris = new Set(wanted.map(pathToUri));
    for (const [uri, e] of this.entries) if (!e.open && !wantedUris.has(uri)) this.entries.delete(uri);
    // Small files are read synchronously in batches (no promise and thread-pool round trip per file: a
    // third of the indexing time went there); between batches the server answers its messages.
    for (let i = 0; i < wanted.length; i += SCAN_BATCH) {
      for (const f of wanted.slice(i, i + SCAN_BATCH)) {
        const uri = pathToUri(f);
        if (!this.entries.get(uri)?.open) this.entries.set(uri, { uri, open: false, file: this.readDiskNow(uri, f) });
      }
      onProgress?.(Math.min(i + SCAN_BATCH, wanted.length), wanted.length);
      await new Promise((r) => setImmediate(r));
    }
    return problems.map((p) => `${p.path}: ${p.message}`);
  }

  private readDiskNow(uri: string, p: string): ManifestFile {
    const opts = this.loadOptions(uri);
    try {
      const size = statSync(p).size;
      if (size > opts.maxBytes) return tooLargeManifest(uri, size, opts.maxBytes);
      return loadManifest(uri, readFileSync(p, 'utf8'), opts);
    } catch (e) {
      return unreadable(uri, e, opts);
    }
  }

  private async readDisk(uri: string, p: string): Promise<ManifestFile> {
    const opts = this.loadOptions(uri);
    try {
      const st = await fs.stat(p);
      if (st.size > opts.maxBytes) return tooLargeManifest(uri, st.size, opts.maxBytes);
      return loadManifest(uri, await fs.readFile(p, 'utf8'), opts);
    } catch (e) {
      return unreadable(uri, e, opts);
    }
  }

  /**
   * An editor opened or changed a document: its text wins over the disk. `change`: what the edits since
   * the last `setText` of this document did (where its text is unchanged), when known.
   */
  setText(uri: string, text: string, change?: TextChange): FileChange {
    const prev = this.entries.get(uri);
    const loader = prev?.loader ?? new IncrementalManifest(uri);
    const { manifest, stats, moves, retained, analyzed: withRetained, retainedSpans } = loader.update(text, this.loadOptions(uri), change);
    const entry: Entry = { uri, open: true, loader, file: manifest, retained: retained.length ? withRetained : undefined, retainedSpans };
    this.entries.set(uri, entry);
    return { uri, before: analyzed(prev), after: analyzed(entry), moves: prev?.loader ? moves : undefined, reparsed: stats.reparsed, documents: stats.documents };
  }

  /** The editor closed a document: fall back to the disk content (or drop it when not in the workspace). */
  async close(uri: string): Promise<FileChange | undefined> {
    const prev = this.entries.get(uri);
    if (!prev) return undefined;
    const p = uriToPath(uri);
    if (!p || this.relative(p) === undefined || !this.accepts(uri)) {
      this.entries.delete(uri);
      return { uri, before: analyzed(prev), after: [] };
    }
    return this.reloadFromDisk(uri, p, prev);
  }

  /** A watched file was created, changed or deleted on disk. Open documents keep their editor text. */
  async diskChanged(uri: string, deleted: boolean): Promise<FileChange[]> {
    const p = uriToPath(uri);
    if (!p) return [];
    if (KUSTOMIZATION.test(p)) return this.kustomizationChanged(p, deleted);
    const prev = this.entries.get(uri);
    if (prev?.open) return [];
    if (deleted || !this.accepts(uri) || this.relative(p) === undefined) {
      if (!prev) return [];
      this.entries.delete(uri);
      return [{ uri, before: analyzed(prev), after: [] }];
    }
    return [await this.reloadFromDisk(uri, p, prev)];
  }

  private async reloadFromDisk(uri: string, p: string, prev: Entry | undefined): Promise<FileChange> {
    const file = await this.readDisk(uri, p);
    if (file.skipped === 'not-a-manifest') {
      this.entries.delete(uri);
      return { uri, before: analyzed(prev), after: [] };
    }
    this.entries.set(uri, { uri, open: false, file });
    return { uri, before: analyzed(prev), after: file.objects };
  }

  /** Patches named by kustomization files are fragments: reload the files whose role changed. */
  private async kustomizationChanged(p: string, deleted: boolean): Promise<FileChange[]> {
    if (deleted) this.kustomizations.delete(path.resolve(p));
    else this.kustomizations.add(path.resolve(p));
    const before = this.patches;
    this.patches = await kustomizePatchFiles([...this.kustomizations]);
    const flipped = [...new Set([...before, ...this.patches])].filter((f) => before.has(f) !== this.patches.has(f));
    const out: FileChange[] = [];
    for (const f of flipped) {
      const uri = pathToUri(f);
      const e = this.entries.get(uri);
      if (!e) continue;
      if (e.open && e.loader) out.push(this.setText(uri, e.file.index.text));
      else out.push(await this.reloadFromDisk(uri, f, e));
    }
    return out;
  }
}
