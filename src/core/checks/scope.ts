/** What the checks look at: label sources (workload templates, real pods), owners, selectors without ignored labels. */
import type { LoadedObject } from '../manifest/load';
import type { ClusterState, PodModel, ServiceModel, WorkloadModel } from '../model/types';
import { RUNTIME_LABELS } from '../selectors';
import type { CheckOptions } from './types';

/** A place pods get their labels from: a workload's pod template, or a real Pod. */
export interface LabelSource {
  namespace: string;
  labels: Record<string, string>;
  loaded?: LoadedObject;
  /** Path to the labels map inside `loaded`. */
  labelsPath: string[];
  /** "Deployment web", "Pod web-0". */
  describe: string;
  workload?: WorkloadModel;
}

export function workloadName(w: { kind: string; name: string }): string {
  return `${w.kind} "${w.name}"`;
}

/** Per-state indexes, built once: the checks ask the same questions for every Service. */
interface Index {
  podsByNs: Map<string, PodModel[]>;
  workloads: Map<string, WorkloadModel>;
  deploymentsByNs: Map<string, WorkloadModel[]>;
  sources: Map<string, LabelSource[]>;
  selected: Map<string, WeakMap<ServiceModel, PodModel[]>>;
}
const indexes = new WeakMap<ClusterState, Index>();

function indexOf(state: ClusterState): Index {
  let ix = indexes.get(state);
  if (ix) return ix;
  ix = { podsByNs: new Map(), workloads: new Map(), deploymentsByNs: new Map(), sources: new Map(), selected: new Map() };
  for (const p of state.pods) push(ix.podsByNs, p.namespace, p);
  for (const w of state.workloads) {
    ix.workloads.set(`${w.namespace}/${w.kind}/${w.name}`, w);
    if (w.kind === 'Deployment') push(ix.deploymentsByNs, w.namespace, w);
  }
  indexes.set(state, ix);
  return ix;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Label sources in a namespace (all namespaces when undefined), memoised per state. */
export function labelSources(state: ClusterState, namespace?: string): LabelSource[] {
  const ix = indexOf(state);
  const key = namespace ?? '\u0000all';
  let hit = ix.sources.get(key);
  if (!hit) ix.sources.set(key, (hit = computeLabelSources(state, namespace)));
  return hit;
}

function computeLabelSources(state: ClusterState, namespace?: string): LabelSource[] {
  const out: LabelSource[] = [];
  for (const w of state.workloads) {
    if (namespace !== undefined && w.namespace !== namespace) continue;
    out.push({ namespace: w.namespace, labels: w.templateLabels, loaded: w.loaded, labelsPath: [...w.templatePath, 'metadata', 'labels'], describe: workloadName(w), workload: w });
  }
  for (const p of state.pods) {
    if (p.simulated && !p.loaded?.kind.startsWith('Pod')) continue;
    if (namespace !== undefined && p.namespace !== namespace) continue;
    out.push({ namespace: p.namespace, labels: p.labels, loaded: p.loaded, labelsPath: ['metadata', 'labels'], describe: `Pod "${p.name}"`, workload: ownerWorkload(state, p) });
  }
  return out;
}

/** The given workload that owns (or would own) a pod: its owner, or the Deployment behind its ReplicaSet. */
export function ownerWorkload(state: ClusterState, pod: PodModel): WorkloadModel | undefined {
  const o = pod.owner;
  if (!o) return undefined;
  const ix = indexOf(state);
  const same = ix.workloads.get(`${pod.namespace}/${o.kind}/${o.name}`);
  if (same) return same;
  if (o.kind === 'ReplicaSet') return ix.deploymentsByNs.get(pod.namespace)?.find((w) => o.name.startsWith(`${w.name}-`));
  return undefined;
}

/** The selector terms that count: minus the user's ignored labels (and runtime labels, for templates). */
export function effectiveSelector(svc: ServiceModel, options: CheckOptions, forTemplates = false): Record<string, string> {
  const ignored = new Set(options.ignoredLabels ?? []);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.selector ?? {})) {
    if (ignored.has(k) || (forTemplates && RUNTIME_LABELS.has(k))) continue;
    out[k] = v;
  }
  return out;
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(sel);
  return keys.length > 0 && keys.every((k) => labels[k] === sel[k]);
}

/** Services the pod-facing checks look at: with a selector, not ExternalName. */
export function selectingServices(state: ClusterState): ServiceModel[] {
  return state.services.filter((s) => s.type !== 'ExternalName' && s.selector);
}

/** Pods a Service selects, honouring ignored labels; simulated pods are matched on their template labels. */
export function podsFor(state: ClusterState, svc: ServiceModel, options: CheckOptions): PodModel[] {
  const ix = indexOf(state);
  const key = JSON.stringify(options.ignoredLabels ?? []);
  let memo = ix.selected.get(key);
  if (!memo) ix.selected.set(key, (memo = new WeakMap()));
  const hit = memo.get(svc);
  if (hit) return hit;
  const real = effectiveSelector(svc, options);
  const tpl = effectiveSelector(svc, options, true);
  const pods = (ix.podsByNs.get(svc.namespace) ?? []).filter((p) => selectorMatches(p.simulated ? tpl : real, p.labels));
  memo.set(svc, pods);
  return pods;
}

export function isSimulated(pods: readonly PodModel[]): boolean {
  return pods.length > 0 && pods.every((p) => p.simulated);
}
