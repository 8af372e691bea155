/**
 * Lookup tables over a cluster state, built once per state on first use: pods by namespace, name and
 * label, workloads by name. They keep the analyses linear on large clusters (20,000 objects) where
 * scanning every pod per Service or per endpoint would be quadratic. States are not edited once built;
 * a changed pods or workloads array (or length) rebuilds the tables anyway.
 */
import type { ClusterState, GivenSlice, PodModel, WorkloadModel } from './types';

export interface StateIndex {
  pods: readonly PodModel[];
  podCount: number;
  workloads: readonly WorkloadModel[];
  workloadCount: number;
  slices: readonly GivenSlice[];
  sliceCount: number;
  /** `namespace/service-name` (the kubernetes.io/service-name label). */
  slicesByService: Map<string, GivenSlice[]>;
  podsByNamespace: Map<string, PodModel[]>;
  /** `namespace/name`. */
  podByName: Map<string, PodModel>;
  /** Per namespace, built on first use (an edit re-checks a few namespaces): `key\0value`. */
  podsByLabel: Map<string, Map<string, PodModel[]>>;
  workloadsByNamespace: Map<string, WorkloadModel[]>;
  /** `namespace/kind/name`. */
  workloadByKey: Map<string, WorkloadModel>;
}

const cache = new WeakMap<ClusterState, StateIndex>();
const EMPTY: PodModel[] = [];

export function stateIndex(state: ClusterState): StateIndex {
  const hit = cache.get(state);
  if (
    hit &&
    hit.pods === state.pods &&
    hit.podCount === state.pods.length &&
    hit.workloads === state.workloads &&
    hit.workloadCount === state.workloads.length &&
    hit.slices === state.slices &&
    hit.sliceCount === state.slices.length
  ) {
    return hit;
  }
  const idx: StateIndex = {
    pods: state.pods,
    podCount: state.pods.length,
    workloads: state.workloads,
    workloadCount: state.workloads.length,
    slices: state.slices,
    sliceCount: state.slices.length,
    slicesByService: new Map(),
    podsByNamespace: new Map(),
    podByName: new Map(),
    podsByLabel: new Map(),
    workloadsByNamespace: new Map(),
    workloadByKey: new Map(),
  };
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const p of state.pods) {
    push(idx.podsByNamespace, p.namespace, p);
    const key = `${p.namespace}/${p.name}`;
    // The first pod of a name wins, as a linear find would.
    if (!idx.podByName.has(key)) idx.podByName.set(key, p);
  }
  for (const w of state.workloads) {
    push(idx.workloadsByNamespace, w.namespace, w);
    const key = `${w.namespace}/${w.kind}/${w.name}`;
    if (!idx.workloadByKey.has(key)) idx.workloadByKey.set(key, w);
  }
  for (const g of state.slices) {
    const ns = g.slice.metadata?.namespace;
    const svc = g.slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (ns !== undefined && svc !== undefined) push(idx.slicesByService, `${ns}/${svc}`, g);
  }
  cache.set(state, idx);
  return idx;
}

export function podsInNamespace(state: ClusterState, namespace: string): readonly PodModel[] {
  return stateIndex(state).podsByNamespace.get(namespace) ?? EMPTY;
}

export function podByName(state: ClusterState, namespace: string, name: string): PodModel | undefined {
  return stateIndex(state).podByName.get(`${namespace}/${name}`);
}

/**
 * The pods of `namespace` that carry every label of `selector` (state order). An empty selector gives every
 * pod of the namespace; callers decide what an empty selector means for them.
 */
export function podsWithLabels(state: ClusterState, namespace: string, selector: Readonly<Record<string, string>>): readonly PodModel[] {
  const idx = stateIndex(state);
  const keys = Object.keys(selector);
  if (!keys.length) return idx.podsByNamespace.get(namespace) ?? EMPTY;
  let byLabel = idx.podsByLabel.get(namespace);
  if (!byLabel) {
    idx.podsByLabel.set(namespace, (byLabel = new Map()));
    for (const p of idx.podsByNamespace.get(namespace) ?? EMPTY) {
      for (const k in p.labels) {
        const key = `${k}\0${p.labels[k]}`;
        const list = byLabel.get(key);
        if (list) list.push(p);
        else byLabel.set(key, [p]);
      }
    }
  }
  // Start from the rarest term.
  let best: PodModel[] | undefined;
  for (const k of keys) {
    const list = byLabel.get(`${k}\0${selector[k]}`);
    if (!list) return EMPTY;
    if (!best || list.length < best.length) best = list;
  }
  return keys.length === 1 ? best! : best!.filter((p) => keys.every((k) => p.labels[k] === selector[k]));
}

export function workloadsInNamespace(state: ClusterState, namespace: string): readonly WorkloadModel[] {
  return stateIndex(state).workloadsByNamespace.get(namespace) ?? [];
}

export function workloadByName(state: ClusterState, namespace: string, kind: string, name: string): WorkloadModel | undefined {
  return stateIndex(state).workloadByKey.get(`${namespace}/${kind}/${name}`);
}

/** The given (or mirrored) EndpointSlices labelled for a Service, in state order. */
export function slicesOfService(state: ClusterState, namespace: string, name: string): readonly GivenSlice[] {
  return stateIndex(state).slicesByService.get(`${namespace}/${name}`) ?? [];
}
