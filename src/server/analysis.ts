/**
 * The cluster state over the whole index and the diagnostics of every file, updated incrementally: after
 * a change only the check subjects it can affect (see workspace/affected.ts) are re-checked, the findings
 * of every other subject are kept (their positions moved with their documents), and only files whose
 * diagnostics changed are published. The result equals a full check of the workspace.
 */
import { buildClusterState, commonEnds, compareDiagnostics, updateClusterState, runChecks, type CheckOptions, type ClusterOptions, type ClusterState, type Diagnostic, type LoadedObject } from '../core';
import { parseNodePortRange, type KsdSettings } from '../protocol/settings';
import { addCompanions, affectedSubjects, type Affected } from './workspace/affected';
import { Findings } from './workspace/findings';
import type { FileChange, WorkspaceIndex } from './workspace/workspaceIndex';

export interface UpdateResult {
  /** Subjects re-checked ('all': a full check). */
  subjects: number | 'all';
  published: number;
  ms: number;
  /** Where the time went (ms): building the state, working out what to re-check, checking, publishing. */
  phases: { state: number; affected: number; check: number; publish: number };
}

export class Analysis {
  state: ClusterState | undefined;
  private findings = new Findings();
  /** What was last published per file (compared with the next list before publishing again). */
  private published = new Map<string, readonly Diagnostic[]>();
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

  private checkOptions(): CheckOptions {
    return { severities: this.settings.checks, ignoredLabels: this.settings.ignoredLabels };
  }

  /** Diagnostics last computed for a file (with fixes), as published. */
  diagnosticsFor(uri: string): readonly Diagnostic[] {
    return this.current.get(uri) ?? [];
  }

  /**
   * Rebuilds the state and re-checks what the changes can affect ('all' after settings or a rescan).
   * `first` names a file to publish before the others (the document the user is looking at).
   */
  update(changes: readonly FileChange[] | 'all', first?: string): UpdateResult {
    const t0 = performance.now();
    const prev = this.state;
    const touched = new Set<string>();
    let removed: LoadedObject[] = [];
    let added: LoadedObject[] = [];
    if (changes !== 'all') {
      const before = new Set<LoadedObject>();
      const after = new Set<LoadedObject>();
      for (const c of changes) {
        touched.add(c.uri);
        // Only the objects between the unchanged head and tail of the file's list can differ.
        const [head, tail] = commonEnds(c.before, c.after);
        for (let i = head; i < c.before.length - tail; i++) before.add(c.before[i]!);
        for (let i = head; i < c.after.length - tail; i++) after.add(c.after[i]!);
      }
      removed = [...before].filter((o) => !after.has(o));
      added = [...after].filter((o) => !before.has(o));
    }
    const objects = this.index.objects();
    // The same objects in the same order (a comment, a moved or a still-broken document): the same state.
    const same = changes !== 'all' && prev && !removed.length && !added.length && sameList(prev.objects, objects);
    // One workload edited in place (a replica count, a label): derived from the previous state.
    const state = same ? prev : prev && changes !== 'all' ? updateClusterState(prev, objects, removed, added, this.clusterOptions()) : buildClusterState(objects, this.clusterOptions());
    this.state = state;
    const t1 = performance.now();
    let t2 = t1;
    const options = this.checkOptions();
    let affected: Affected = 'all';
    // Most of the objects changed (a large file opened into a small workspace): a full check is cheaper
    // than working out and focusing on nearly every subject, and as exact.
    const moved = removed.length + added.length;
    const most = moved >= 200 && moved * 2 >= objects.length;
    if (changes !== 'all' && prev && !most) {
      affected = affectedSubjects({ removed, added, prev, next: state, options, holders: (code) => this.findings.holders(code) });
      if (affected !== 'all') {
        const unmapped = this.findings.move(changes, touched);
        if (unmapped === 'all') affected = 'all';
        else if (unmapped.size) {
          for (const o of unmapped) affected.add(o);
          addCompanions(affected, state);
        }
      }
      t2 = performance.now();
      if (affected !== 'all') {
        for (const uri of this.findings.drop([...removed, ...affected])) touched.add(uri);
        for (const o of removed) affected.delete(o);
        const found = affected.size ? runChecks({ state, files: [], focus: affected }, options) : [];
        const stray = this.findings.add(found, this.index, affected);
        for (const d of found) touched.add(d.file);
        // A finding written outside its subject (a rule above missed a dependency): be exact, check everything.
        if (stray) affected = 'all';
      }
    }
    if (affected === 'all') {
      for (const uri of this.findings.files()) touched.add(uri);
      for (const f of this.index.files()) touched.add(f.file);
      for (const uri of this.published.keys()) touched.add(uri);
      this.findings.clear();
      this.findings.add(runChecks({ state, files: [] }, options), this.index);
    }
    const t3 = performance.now();
    let published = 0;
    if (first && touched.delete(first) && this.assemble(first)) published++;
    for (const uri of touched) if (this.assemble(uri)) published++;
    const t4 = performance.now();
    return { subjects: affected === 'all' ? 'all' : affected.size, published, ms: t4 - t0, phases: { state: t1 - t0, affected: t2 - t1, check: t3 - t2, publish: t4 - t3 } };
  }

  /** Load problems plus the findings written in one file, de-duplicated; publishes when different. */
  private assemble(uri: string): boolean {
    const file = this.index.file(uri);
    const all: Diagnostic[] = file ? [...file.diagnostics] : [];
    // Findings inside a document that does not parse are about its last good version: not shown there.
    const stale = this.index.retainedSpans(uri);
    for (const d of this.findings.inFile(uri)) if (!stale.some((s) => d.range.start.line >= s.start && d.range.start.line <= s.end)) all.push(d);
    const seen = new Set<string>();
    const unique = all.filter((d) => {
      const k = dedupeKey(d);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    unique.sort(compareDiagnostics);
    this.current.set(uri, unique);
    if (!file && !unique.length) this.current.delete(uri);
    const last = this.published.get(uri);
    if (last && sameDiagnostics(last, unique)) return false;
    // A clean file is announced only when open (the editor then knows the analysis ran); disk files stay quiet.
    if (!last && unique.length === 0 && !this.index.isOpen(uri)) return false;
    this.published.set(uri, unique);
    this.publish(uri, unique);
    return true;
  }
}

/**
 * Texts of diagnostics, made once per diagnostic object: kept findings are the same objects edit after
 * edit, so a file's list is compared without serialising all of it again.
 */
const texts = new WeakMap<Diagnostic, { key: string; json?: string }>();

function textsOf(d: Diagnostic): { key: string; json?: string } {
  let t = texts.get(d);
  if (!t) texts.set(d, (t = { key: `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}|${d.code}|${d.message}` }));
  return t;
}

/** Two diagnostics at the same place with the same code and message are shown once. */
function dedupeKey(d: Diagnostic): string {
  return textsOf(d).key;
}

/** Everything published of a diagnostic (its fixes are served on request, not published). */
function published(d: Diagnostic): string {
  const t = textsOf(d);
  return (t.json ??= JSON.stringify(d, (k, v: unknown) => (k === 'fixes' ? undefined : v)));
}

function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && published(a[i]!) !== published(b[i]!)) return false;
  return true;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

