/**
 * Lookup tables over a cluster state, built once per state on first use: pods by namespace, name and
 * label, workloads by name. They keep the analyses linear on large clusters (20,000 objects) where
 * scanning every pod per Service or per endpoint would be quadratic. States are not edited once built;
 * a changed pods or workloads array (or length) rebuilds the tables anyway.
 *
 * The tables are kept per namespace, each part built on first use. A state derived from another by an
 * edit (`indexFrom`) shares the parts of every namespace whose pods and workloads it did not change, so
 * an edit re-indexes one namespace, not the cluster.
 */
import { commonEnds } from '../lists';
import type { ClusterState, GivenSlice, PodModel, WorkloadModel } from './types';

/** One namespace's pods and workloads (state order) and the tables over them, built when first asked for. */
interface NamespacePart {
  pods: PodModel[];
  workloads: WorkloadModel[];
  /** name -> the first pod of that name. */
  podByName?: Map<string, PodModel>;
  /** `key\0value` -> pods carrying that label. */
  podsByLabel?: Map<string, PodModel[]>;
  /** `kind/name` -> the first workload of that kind and name. */
  workloadByKey?: Map<string, WorkloadModel>;
}

export interface StateIndex {
  pods: readonly PodModel[];
  podCount: number;
  workloads: readonly WorkloadModel[];
  workloadCount: number;
  slices: readonly GivenSlice[];
  sliceCount: number;
  /** `namespace/service-name` (the kubernetes.io/service-name label). */
  slicesByService: Map<string, GivenSlice[]>;
  namespaces: Map<string, NamespacePart>;
}

const cache = new WeakMap<ClusterState, StateIndex>();
/**
 * States derived from another by an edit: the other's tables, to start from. (The tables, not the state:
 * a link from each state to the one before would keep every earlier state alive.)
 */
const inherited = new WeakMap<ClusterState, StateIndex>();
const EMPTY_PODS: PodModel[] = [];
const EMPTY_WORKLOADS: WorkloadModel[] = [];

/** Notes that `next` was derived from `prev` (most of their pods and workloads are the same objects). */
export function indexFrom(next: ClusterState, prev: ClusterState): void {
  const idx = cache.get(prev);
  if (next !== prev && current(idx, prev)) inherited.set(next, idx);
}

function current(idx: StateIndex | undefined, state: ClusterState): idx is StateIndex {
  return (
    !!idx &&
    idx.pods === state.pods &&
    idx.podCount === state.pods.length &&
    idx.workloads === state.workloads &&
    idx.workloadCount === state.workloads.length &&
    idx.slices === state.slices &&
    idx.sliceCount === state.slices.length
  );
}

export function stateIndex(state: ClusterState): StateIndex {
  const hit = cache.get(state);
  if (current(hit, state)) return hit;
  const from = inherited.get(state);
  inherited.delete(state);
  const idx = from ? derived(state, from) : built(state);
  cache.set(state, idx);
  return idx;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function part(namespaces: Map<string, NamespacePart>, ns: string): NamespacePart {
  let p = namespaces.get(ns);
  if (!p) namespaces.set(ns, (p = { pods: [], workloads: [] }));
  return p;
}

function built(state: ClusterState): StateIndex {
  const namespaces = new Map<string, NamespacePart>();
  for (const p of state.pods) part(namespaces, p.namespace).pods.push(p);
  for (const w of state.workloads) part(namespaces, w.namespace).workloads.push(w);
  return { ...arrays(state), slicesByService: slicesByService(state), namespaces };
}

function arrays(state: ClusterState) {
  return { pods: state.pods, podCount: state.pods.length, workloads: state.workloads, workloadCount: state.workloads.length, slices: state.slices, sliceCount: state.slices.length };
}

function slicesByService(state: ClusterState): Map<string, GivenSlice[]> {
  const out = new Map<string, GivenSlice[]>();
  for (const g of state.slices) {
    const ns = g.slice.metadata?.namespace;
    const svc = g.slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (ns !== undefined && svc !== undefined) push(out, `${ns}/${svc}`, g);
  }
  return out;
}

/** The tables of `state` from those of the state it was derived from: only changed namespaces are re-listed. */
function derived(state: ClusterState, from: StateIndex): StateIndex {
  const touched = new Set<string>();
  changedNamespaces(from.pods, state.pods, touched);
  changedNamespaces(from.workloads, state.workloads, touched);
  const namespaces = new Map(from.namespaces);
  for (const ns of touched) namespaces.delete(ns);
  for (const p of state.pods) if (touched.has(p.namespace)) part(namespaces, p.namespace).pods.push(p);
  for (const w of state.workloads) if (touched.has(w.namespace)) part(namespaces, w.namespace).workloads.push(w);
  return { ...arrays(state), slicesByService: from.slices === state.slices ? from.slicesByService : slicesByService(state), namespaces };
}

/** Adds the namespaces of the items that differ between two lists (by identity, past their common ends). */
function changedNamespaces(a: readonly { namespace: string }[], b: readonly { namespace: string }[], into: Set<string>): void {
  if (a === b) return;
  const [head, tail] = commonEnds(a, b);
  for (let i = head; i < a.length - tail; i++) into.add(a[i]!.namespace);
  for (let i = head; i < b.length - tail; i++) into.add(b[i]!.namespace);
}

export function podsInNamespace(state: ClusterState, namespace: string): readonly PodModel[] {
  return stateIndex(state).namespaces.get(namespace)?.pods ?? EMPTY_PODS;
}

export function podByName(state: ClusterState, namespace: string, name: string): PodModel | undefined {
  const p = stateIndex(state).namespaces.get(namespace);
  if (!p) return undefined;
  if (!p.podByName) {
    p.podByName = new Map();
    // The first pod of a name wins, as a linear find would.
    for (const pod of p.pods) if (!p.podByName.has(pod.name)) p.podByName.set(pod.name, pod);
  }
  return p.podByName.get(name);
}

/**
 * The pods of `namespace` that carry every label of `selector` (state order). An empty selector gives every
 * pod of the namespace; callers decide what an empty selector means for them.
 */
export function podsWithLabels(state: ClusterState, namespace: string, selector: Readonly<Record<string, string>>): readonly PodModel[] {
  const p = stateIndex(state).namespaces.get(namespace);
  if (!p) return EMPTY_PODS;
  const keys = Object.keys(selector);
  if (!keys.length) return p.pods;
  let byLabel = p.podsByLabel;
  if (!byLabel) {
    p.podsByLabel = byLabel = new Map();
    for (const pod of p.pods) for (const k in pod.labels) push(byLabel, `${k}\0${pod.labels[k]}`, pod);
  }
  // Start from the rarest term.
  let best: PodModel[] | undefined;
  for (const k of keys) {
    const list = byLabel.get(`${k}\0${selector[k]}`);
    if (!list) return EMPTY_PODS;
    if (!best || list.length < best.length) best = list;
  }
  return keys.length === 1 ? best! : best!.filter((pod) => keys.every((k) => pod.labels[k] === selector[k]));
}

export function workloadsInNamespace(state: ClusterState, namespace: string): readonly WorkloadModel[] {
  return stateIndex(state).namespaces.get(namespace)?.workloads ?? EMPTY_WORKLOADS;
}

export function workloadByName(state: ClusterState, namespace: string, kind: string, name: string): WorkloadModel | undefined {
  const p = stateIndex(state).namespaces.get(namespace);
  if (!p) return undefined;
  if (!p.workloadByKey) {
    p.workloadByKey = new Map();
    for (const w of p.workloads) {
      const key = `${w.kind}/${w.name}`;
      if (!p.workloadByKey.has(key)) p.workloadByKey.set(key, w);
    }
  }
  return p.workloadByKey.get(`${kind}/${name}`);
}

/** The given (or mirrored) EndpointSlices labelled for a Service, in state order. */
export function slicesOfService(state: ClusterState, namespace: string, name: string): readonly GivenSlice[] {
  return stateIndex(state).slicesByService.get(`${namespace}/${name}`) ?? [];
}
