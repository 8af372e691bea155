import type { Diagnostic, Severity } from '../diagnostics';
import type { ManifestFile } from '../manifest/load';
import type { LoadedObject } from '../manifest/load';
import type { ClusterState } from '../model/types';

/** What a check reads: the whole cluster state (cross-file) and the loaded files. */
export interface CheckContext {
  state: ClusterState;
  files: readonly ManifestFile[];
  /**
   * When set, report only on these subjects (the Services, workloads, Pods, routes... each finding is
   * written in): the language server re-checks just what an edit can affect. The whole state is still
   * read, so cross-object findings (conflicts, matches) come out as in a full run.
   */
  focus?: ReadonlySet<LoadedObject>;
}

export interface CheckInfo {
  /** Stable code shown to users and used in settings and SARIF: KSDnnn. */
  code: string;
  /** Short kebab-case id. */
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** A sentence on what it finds and why it matters (SARIF fullDescription, docs). */
  description: string;
}

export interface Check extends CheckInfo {
  /**
   * 'cluster': the check compares objects across namespaces (node ports, cluster IPs, cross-namespace
   * backends), so it needs the whole state; run on one namespace's slice it misses conflicts. Default
   * 'namespace': results for a namespace depend only on that namespace (plus cluster-scoped objects).
   */
  scope?: 'namespace' | 'cluster';
  /**
   * What its findings depend on besides the object they are written in. 'object': nothing else (field syntax
   * and values, its own pod template), so no other object, workspace or live, can answer differently. A list:
   * the kinds of the other objects it reads ('Workload' for Deployments, StatefulSets... and their templates;
   * pod templates count as 'Pod', which they stand for). Checking against a live cluster, a check whose kinds
   * the live source all follows is answered by the live analysis instead of the offline one. Undeclared: it
   * may read anything, so it stays offline.
   */
  reads?: 'object' | readonly string[];
  run(ctx: CheckContext, options: CheckOptions): Diagnostic[];
}

export interface CheckOptions {
  /** Per-code overrides: a severity, or 'off'. */
  severities?: Record<string, Severity | 'off'>;
  /** Labels to ignore in selector comparisons. */
  ignoredLabels?: string[];
}
