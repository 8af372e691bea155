/**
 * The cluster state over the whole index and the diagnostics of every file, updated incrementally: after
 * a change only the affected partitions (namespaces) are re-checked and only files whose diagnostics
 * changed are published.
 */
import { buildClusterState, compareDiagnostics, runChecks, type ClusterOptions, type ClusterState, type Diagnostic, type LoadedObject, type ManifestFile } from '../core';
import { parseNodePortRange, type KsdSettings } from '../protocol/settings';
import { affectedPartitions, partitionsOf, scopedState } from './workspace/partitions';
import type { FileChange, WorkspaceIndex } from './workspace/workspaceIndex';

export interface UpdateResult {
  partitions: number;
  published: number;
  ms: number;
}

export class Analysis {
  state: ClusterState | undefined;
  private byPartition = new Map<string, Map<string, Diagnostic[]>>();
  private published = new Map<string, string>();
  private current = new Map<string, Diagnostic[]>();

  constructor(
    private readonly index: WorkspaceIndex,
    private settings: KsdSettings,
    private readonly publish: (uri: string, diagnostics: Diagnostic[]) => void,
  ) {}

  configure(settings: KsdSettings): void {
    this.settings = settings;
  }

  clusterOptions(): ClusterOptions {
    const s = this.settings;
    return {
      serviceCIDRs: s.serviceCIDRs.length ? s.serviceCIDRs : undefined,
      clusterCIDRs: s.clusterCIDRs.length ? s.clusterCIDRs : undefined,
      nodePortRange: parseNodePortRange(s.nodePortRange),
      proxyMode: s.proxy.mode || undefined,
    };
  }

  /** Diagnostics last computed for a file (with fixes), as published. */
  diagnosticsFor(uri: string): readonly Diagnostic[] {
    return this.current.get(uri) ?? [];
  }

  /** Rebuilds the state and re-checks what the changes can affect ('all' after settings or a rescan). */
  update(changes: readonly FileChange[] | 'all'): UpdateResult {
    const t0 = performance.now();
    const prev = this.state;
    const state = buildClusterState(this.index.objects(), this.clusterOptions());
    this.state = state;
    const changedObjects: LoadedObject[] = changes === 'all' ? [] : changes.flatMap((c) => [...c.before, ...c.after]);
    const affected = changes === 'all' ? 'all' : affectedPartitions(changedObjects, prev, state);
    const partitions = new Set(partitionsOf(state));
    const rerun = affected === 'all' ? partitions : new Set([...affected].filter((p) => partitions.has(p)));
    const touched = new Set<string>(changes === 'all' ? [...this.index.files().map((f) => f.file), ...this.published.keys()] : changes.map((c) => c.uri));
    for (const p of [...this.byPartition.keys()]) {
      if (partitions.has(p) && !rerun.has(p)) continue;
      for (const uri of this.byPartition.get(p)!.keys()) touched.add(uri);
      this.byPartition.delete(p);
    }
    if (rerun.size) {
      const files = this.index.files();
      const checkOptions = { severities: this.settings.checks, ignoredLabels: this.settings.ignoredLabels };
      for (const p of rerun) {
        const scoped = scopedState(state, p);
        const found = runChecks({ state: scoped, files: filesOf(files, scoped.objects) }, checkOptions);
        const perFile = new Map<string, Diagnostic[]>();
        for (const d of found) {
          const list = perFile.get(d.file);
          if (list) list.push(d);
          else perFile.set(d.file, [d]);
          touched.add(d.file);
        }
        this.byPartition.set(p, perFile);
      }
    }
    let published = 0;
    for (const uri of touched) if (this.assemble(uri)) published++;
    return { partitions: rerun.size, published, ms: performance.now() - t0 };
  }

  /** Load problems plus each partition's findings for one file, de-duplicated; publishes when different. */
  private assemble(uri: string): boolean {
    const file = this.index.file(uri);
    const all: Diagnostic[] = file ? [...file.diagnostics] : [];
    for (const perFile of this.byPartition.values()) {
      const list = perFile.get(uri);
      if (list) all.push(...list);
    }
    const seen = new Set<string>();
    const unique = all.filter((d) => {
      const k = `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}|${d.code}|${d.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    unique.sort(compareDiagnostics);
    const key = JSON.stringify(unique, (k, v: unknown) => (k === 'fixes' ? undefined : v));
    this.current.set(uri, unique);
    if (!file && !unique.length) this.current.delete(uri);
    if (this.published.get(uri) === key) return false;
    // A clean file is announced only when open (the editor then knows the analysis ran); disk files stay quiet.
    if (!this.published.has(uri) && unique.length === 0 && !this.index.isOpen(uri)) return false;
    this.published.set(uri, key);
    this.publish(uri, unique);
    return true;
  }
}

/** Check contexts carry the files of the partition's objects, without their load problems (published once, per file). */
function filesOf(files: readonly ManifestFile[], objects: readonly LoadedObject[]): ManifestFile[] {
  const uris = new Set(objects.map((o) => o.source?.file));
  return files.filter((f) => uris.has(f.file)).map((f) => ({ ...f, diagnostics: [] }));
}
