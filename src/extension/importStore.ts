/**
 * The node rules imported in this window (Import Node Rules), kept parsed so the panel can trace through
 * them. Only the last few are kept: a node dump can be tens of megabytes. No vscode import.
 */
import type { ImportedRulesInfo } from '../protocol/webview';
import { dumpTracer, type DumpTracer, type RulesDump } from '../tracing/importedRules';

export interface ImportedEntry {
  info: ImportedRulesInfo;
  dump: RulesDump;
  /** The dump compiled for tracing, on first use. */
  tracer(): DumpTracer;
}

export const MAX_IMPORTS = 4;

export class ImportStore {
  private readonly entries: ImportedEntry[] = [];
  private readonly listeners = new Set<(list: ImportedRulesInfo[]) => void>();
  private next = 1;

  /** Keeps the dump (the same file imported again replaces its older import) and tells listeners. */
  add(info: Omit<ImportedRulesInfo, 'id'>, dump: RulesDump): ImportedRulesInfo {
    const full: ImportedRulesInfo = { ...info, id: `import-${this.next++}` };
    let compiled: DumpTracer | undefined;
    const at = this.entries.findIndex((e) => e.info.file === info.file && e.info.node === info.node);
    if (at >= 0) this.entries.splice(at, 1);
    this.entries.unshift({ info: full, dump, tracer: () => (compiled ??= dumpTracer(dump)) });
    this.entries.length = Math.min(this.entries.length, MAX_IMPORTS);
    const list = this.list();
    for (const l of this.listeners) l(list);
    return full;
  }

  get(id: string): ImportedEntry | undefined {
    return this.entries.find((e) => e.info.id === id);
  }

  /** Newest first. */
  list(): ImportedRulesInfo[] {
    return this.entries.map((e) => e.info);
  }

  onDidChange(listener: (list: ImportedRulesInfo[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
