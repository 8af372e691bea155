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
   * 'object': a finding depends only on the object it is written in (field syntax and values, its own pod
   * template), so no other object, workspace or live, can answer it differently. Default 'state': it reads
   * other objects (pods, workloads, Services, EndpointSlices, nodes, Service CIDRs, the node-port range), so
   * when open manifests are checked against a live cluster, the live analysis answers it instead.
   */
  reads?: 'object' | 'state';
  run(ctx: CheckContext, options: CheckOptions): Diagnostic[];
}

export interface CheckOptions {
  /** Per-code overrides: a severity, or 'off'. */
  severities?: Record<string, Severity | 'off'>;
  /** Labels to ignore in selector comparisons. */
  ignoredLabels?: string[];
}
