/**
 * The workspace's manifests loaded into a core ClusterState for the Services tree and the panel. Open
 * documents win over disk; edits, saves, creations and deletions refresh it (debounced).
 */
import * as vscode from 'vscode';
import { buildClusterState, loadManifest, type ClusterState, type ManifestFile } from '../core';
import { readConfig } from './config';
import type { Log } from './log';

const MANIFEST_LANGS = new Set(['yaml', 'json', 'jsonc']);
const DEBOUNCE_MS = 250;

export class WorkspaceModel implements vscode.Disposable {
  private readonly files = new Map<string, ManifestFile>();
  private readonly emitter = new vscode.EventEmitter<ClusterState>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = new Set<string>();
  private loaded: Promise<void> | undefined;
  state: ClusterState | undefined;
  loading = false;
  /** Milliseconds the last full load took. */
  lastLoadMs = 0;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: Log) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.touch(e.document.uri, e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.touch(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kubeServiceDebugger')) void this.reload();
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => this.touch(u)),
      watcher.onDidChange((u) => this.touch(u)),
      watcher.onDidDelete((u) => {
        this.files.delete(u.toString());
        this.schedule();
      }),
    );
  }

  /** Loads once; later calls wait for the same load. */
  ready(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }

  async reload(): Promise<void> {
    const cfg = readConfig();
    const t0 = performance.now();
    this.loading = true;
    try {
      const exclude = cfg.exclude.length ? `{${cfg.exclude.join(',')}}` : undefined;
      const uris = await vscode.workspace.findFiles(cfg.include, exclude, cfg.maxFiles);
      if (uris.length >= cfg.maxFiles) this.log.warn(`Read the first ${cfg.maxFiles} manifest files only (setting kubeServiceDebugger.workspace.maxFiles).`);
      this.files.clear();
      await Promise.all(uris.map((u) => this.readInto(u)));
      for (const doc of vscode.workspace.textDocuments) if (this.isManifestDoc(doc)) this.files.set(doc.uri.toString(), loadManifest(doc.uri.fsPath, doc.getText()));
      this.rebuild();
    } finally {
      this.loading = false;
    }
    this.lastLoadMs = performance.now() - t0;
    this.log.info(`Read ${this.files.size} manifest files, ${this.state?.services.length ?? 0} Services in ${this.lastLoadMs.toFixed(0)} ms.`);
  }

  manifestFiles(): ManifestFile[] {
    return [...this.files.values()];
  }

  private isManifestDoc(doc: vscode.TextDocument): boolean {
    return (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled') && MANIFEST_LANGS.has(doc.languageId) && !!vscode.workspace.getWorkspaceFolder(doc.uri);
  }

  private async readInto(uri: vscode.Uri): Promise<void> {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      this.files.set(uri.toString(), loadManifest(uri.fsPath, new TextDecoder().decode(bytes)));
    } catch (e) {
      this.log.warn(`Cannot read ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private touch(uri: vscode.Uri, doc?: vscode.TextDocument): void {
    if (!/\.(ya?ml|json)$/i.test(uri.path) && !(doc && MANIFEST_LANGS.has(doc.languageId))) return;
    if (uri.scheme !== 'file' && uri.scheme !== 'untitled') return;
    this.pending.add(uri.toString());
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const changed = [...this.pending];
    this.pending.clear();
    for (const key of changed) {
      const uri = vscode.Uri.parse(key);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
      if (open && this.isManifestDoc(open)) this.files.set(key, loadManifest(uri.fsPath, open.getText()));
      else if (vscode.workspace.getWorkspaceFolder(uri)) await this.readInto(uri);
    }
    this.rebuild();
  }

  private rebuild(): void {
    const state = buildClusterState([...this.files.values()].flatMap((f) => f.objects), readConfig().cluster);
    this.state = state;
    this.emitter.fire(state);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
