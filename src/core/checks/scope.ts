/** What the checks look at: label sources (workload templates, real pods), owners, selectors without ignored labels. */
import type { LoadedObject } from '../manifest/load';
import type { ClusterState, PodModel, ServiceModel, WorkloadModel } from '../model/types';
import { RUNTIME_LABELS } from '../selectors';
import { podsInNamespace, podsWithLabels, workloadByName, workloadsInNamespace } from '../model/indexes';
import type { CheckContext, CheckOptions } from './types';

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

/** Memoised per state and namespace: checks ask for the same namespace once per Service. Read-only. */
const sourcesCache = new WeakMap<ClusterState, Map<string, LabelSource[]>>();

export function labelSources(state: ClusterState, namespace?: string): LabelSource[] {
  let perState = sourcesCache.get(state);
  if (!perState) sourcesCache.set(state, (perState = new Map()));
  const key = namespace === undefined ? '\0all' : namespace;
  let hit = perState.get(key);
  if (!hit) perState.set(key, (hit = computeLabelSources(state, namespace)));
  return hit;
}

function computeLabelSources(state: ClusterState, namespace?: string): LabelSource[] {
  const out: LabelSource[] = [];
  for (const w of namespace !== undefined ? workloadsInNamespace(state, namespace) : state.workloads) out.push(templateSourceOf(w));
  for (const p of namespace !== undefined ? podsInNamespace(state, namespace) : state.pods) {
    if (p.simulated && !p.loaded?.kind.startsWith('Pod')) continue;
    out.push(podSourceOf(p, ownerWorkload(state, p)));
  }
  return out;
}

/**
 * The label source of a workload's template, or of a Pod with a given owner, made once per model (models
 * are not edited once built, and a state derived by an edit keeps most of them): each new state lists the
 * same objects instead of making a thousand new ones. Read-only, like the lists holding them.
 */
const workloadSources = new WeakMap<WorkloadModel, LabelSource>();
const podSources = new WeakMap<PodModel, LabelSource>();

function templateSourceOf(w: WorkloadModel): LabelSource {
  let s = workloadSources.get(w);
  if (!s) workloadSources.set(w, (s = { namespace: w.namespace, labels: w.templateLabels, loaded: w.loaded, labelsPath: [...w.templatePath, 'metadata', 'labels'], describe: workloadName(w), workload: w }));
  return s;
}

function podSourceOf(p: PodModel, owner: WorkloadModel | undefined): LabelSource {
  let s = podSources.get(p);
  // The owner is looked up in the state, so a kept pod may have another one in a later state.
  if (!s || s.workload !== owner) podSources.set(p, (s = { namespace: p.namespace, labels: p.labels, loaded: p.loaded, labelsPath: ['metadata', 'labels'], describe: `Pod "${p.name}"`, workload: owner }));
  return s;
}

/** The given workload that owns (or would own) a pod: its owner, or the Deployment behind its ReplicaSet. */
export function ownerWorkload(state: ClusterState, pod: PodModel): WorkloadModel | undefined {
  let perState = ownerCache.get(state);
  if (!perState) ownerCache.set(state, (perState = new WeakMap()));
  let hit = perState.get(pod);
  if (hit === undefined) perState.set(pod, (hit = findOwner(state, pod) ?? null));
  return hit ?? undefined;
}

/** Memoised per state and pod: describing and grouping pods asks for owners again and again. */
const ownerCache = new WeakMap<ClusterState, WeakMap<PodModel, WorkloadModel | null>>();

function findOwner(state: ClusterState, pod: PodModel): WorkloadModel | undefined {
  const o = pod.owner;
  if (!o) return undefined;
  const same = workloadByName(state, pod.namespace, o.kind, o.name);
  if (same) return same;
  if (o.kind === 'ReplicaSet') return deploymentOfReplicaSet(state, pod.namespace, o.name);
  return undefined;
}

/** Memoised per state: the pods of one ReplicaSet all ask for the same Deployment. */
const rsOwnerCache = new WeakMap<ClusterState, Map<string, WorkloadModel | null>>();

function deploymentOfReplicaSet(state: ClusterState, namespace: string, rs: string): WorkloadModel | undefined {
  let perState = rsOwnerCache.get(state);
  if (!perState) rsOwnerCache.set(state, (perState = new Map()));
  const key = `${namespace}\0${rs}`;
  let hit = perState.get(key);
  if (hit === undefined) {
    hit = workloadsInNamespace(state, namespace).find((w) => w.kind === 'Deployment' && rs.startsWith(`${w.name}-`)) ?? null;
    perState.set(key, hit);
  }
  return hit ?? undefined;
}

/** Effective selectors per Service model, for the ignored-label list they were made with (models outlive a run). */
const selectors = new WeakMap<ServiceModel, { ignored: readonly string[] | undefined; real?: Record<string, string>; tpl?: Record<string, string> }>();

/** The selector terms that count: minus the user's ignored labels (and runtime labels, for templates). Read-only. */
export function effectiveSelector(svc: ServiceModel, options: CheckOptions, forTemplates = false): Record<string, string> {
  let memo = selectors.get(svc);
  if (!memo || memo.ignored !== options.ignoredLabels) selectors.set(svc, (memo = { ignored: options.ignoredLabels }));
  if (forTemplates) return (memo.tpl ??= selectorTerms(svc, options, true));
  return (memo.real ??= selectorTerms(svc, options, false));
}

function selectorTerms(svc: ServiceModel, options: CheckOptions, forTemplates: boolean): Record<string, string> {
  const ignored = new Set(options.ignoredLabels ?? []);
  const out: Record<string, string> = {};
  const selector = svc.selector ?? {};
  const keys = Object.keys(selector);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (ignored.has(k) || (forTemplates && RUNTIME_LABELS.has(k))) continue;
    out[k] = selector[k]!;
  }
  return out;
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(sel);
  // Indexed, no callback: run per pod and Service of a first analysis before V8 optimises it.
  for (let i = 0; i < keys.length; i++) if (labels[keys[i]!] !== sel[keys[i]!]) return false;
  return keys.length > 0;
}

/** Services the pod-facing checks look at: with a selector, not ExternalName. */
export function selectingServices(state: ClusterState): ServiceModel[] {
  return state.services.filter((s) => s.type !== 'ExternalName' && s.selector);
}

/** Is this subject one to report on (every subject when the context has no focus)? */
export function inFocus(ctx: CheckContext, o: LoadedObject | undefined): boolean {
  return !ctx.focus || (!!o && ctx.focus.has(o));
}

/** Focused Services per check context (every check of a run asks; a run re-checking a few would scan them all each time). */
const focused = new WeakMap<CheckContext, ServiceModel[]>();

/** The Services to report on. */
export function focusServices(ctx: CheckContext): ServiceModel[] {
  if (!ctx.focus) return ctx.state.services;
  let hit = focused.get(ctx);
  if (!hit) focused.set(ctx, (hit = ctx.state.services.filter((s) => inFocus(ctx, s.loaded))));
  return hit.slice();
}

/** The selecting Services (see `selectingServices`) to report on. */
/*
 * Every check walks these lists once per run; in a first analysis that happens before V8 optimises the
 * checks, so their loops are indexed (a for-of allocates an iterator and a result object per Service).
 */
const selecting = new WeakMap<CheckContext, ServiceModel[]>();
/** The Services in focus that select pods (a copy: callers may change it). Worked out once per check run. */
export function focusSelecting(ctx: CheckContext): ServiceModel[] {
  let hit = selecting.get(ctx);
  if (!hit) {
    hit = [];
    const services = focusServices(ctx);
    for (let i = 0; i < services.length; i++) {
      const s = services[i]!;
      if (s.type !== 'ExternalName' && s.selector) hit.push(s);
    }
    selecting.set(ctx, hit);
  }
  return hit.slice();
}

/**
 * Pods a Service selects, honouring ignored labels; simulated pods are matched on their template labels.
 * Remembered per state, Service and options object (one check run asks for a Service's pods in six checks).
 */
export function podsFor(state: ClusterState, svc: ServiceModel, options: CheckOptions): readonly PodModel[] {
  let perState = podsCache.get(state);
  if (!perState) podsCache.set(state, (perState = new WeakMap()));
  const hit = perState.get(svc);
  if (hit && hit.options === options) return hit.pods;
  const real = effectiveSelector(svc, options);
  const tpl = effectiveSelector(svc, options, true);
  // The template selector is a subset of the real one, so every pod either could match carries its labels.
  const candidates = Object.keys(tpl).length ? podsWithLabels(state, svc.namespace, tpl) : podsInNamespace(state, svc.namespace);
  const pods = candidates.filter((p) => selectorMatches(p.simulated ? tpl : real, p.labels));
  perState.set(svc, { options, pods });
  return pods;
}

/** States are not edited once built, so a Service's pods in a state change only with the options. */
const podsCache = new WeakMap<ClusterState, WeakMap<ServiceModel, { options: CheckOptions; pods: readonly PodModel[] }>>();

export function isSimulated(pods: readonly PodModel[]): boolean {
  return pods.length > 0 && pods.every((p) => p.simulated);
}
