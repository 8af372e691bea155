/** Finding the models behind loaded objects, and where pod templates and container ports are written. */
import { findPort, matchesServiceSelector, rangeOf, serviceEndpoints, type ClusterState, type LoadedObject, type PathSegment, type PodModel, type Range, type ServiceModel, type WorkloadModel } from '../../core';

export function serviceOf(state: ClusterState, object: LoadedObject): ServiceModel | undefined {
  return state.services.find((s) => s.loaded === object);
}
export function workloadOf(state: ClusterState, object: LoadedObject): WorkloadModel | undefined {
  return state.workloads.find((w) => w.loaded === object);
}

/** Where a pod's spec is written: the Pod itself, or its workload's template. */
export function podSpecPath(state: ClusterState, pod: PodModel): { object: LoadedObject; path: PathSegment[] } | undefined {
  if (!pod.loaded) return undefined;
  if (pod.loaded.kind === 'Pod') return { object: pod.loaded, path: [] };
  const w = workloadOf(state, pod.loaded);
  return w ? { object: pod.loaded, path: w.templatePath } : undefined;
}

/** Label sets that carry pods: real Pods and workload templates (which stand for the pods they create). */
export interface LabelOwner {
  object: LoadedObject;
  namespace: string;
  labels: Record<string, string>;
  /** Path to the labels map inside the object. */
  labelsPath: PathSegment[];
  what: string;
  /** The workload whose template this is, or the real Pod. */
  workload?: WorkloadModel;
  pod?: PodModel;
}

export function labelOwners(state: ClusterState, namespace?: string): LabelOwner[] {
  const out: LabelOwner[] = [];
  for (const w of state.workloads) {
    if (!w.loaded || (namespace !== undefined && w.namespace !== namespace)) continue;
    out.push({ object: w.loaded, namespace: w.namespace, labels: w.templateLabels, labelsPath: [...w.templatePath, 'metadata', 'labels'], what: `${w.kind} ${w.name}`, workload: w });
  }
  for (const p of state.pods) {
    if (p.simulated || !p.loaded || (namespace !== undefined && p.namespace !== namespace)) continue;
    out.push({ object: p.loaded, namespace: p.namespace, labels: p.labels, labelsPath: ['metadata', 'labels'], what: `Pod ${p.name}`, pod: p });
  }
  return out;
}

export function selects(svc: ServiceModel, owner: LabelOwner): boolean {
  return owner.namespace === svc.namespace && matchesServiceSelector(svc.selector, owner.labels);
}

export function rangeIn(object: LoadedObject, path: readonly PathSegment[], which: 'value' | 'key' = 'value'): Range | undefined {
  return object.source ? rangeOf(object.source, path, which) : undefined;
}

/**
 * Pods and ready endpoints of a Service, counted as a person reads them. An endpoint in a slice without ports
 * serves no Service port (a named targetPort no pod declares: kubernetes#109627), so it is not counted as
 * ready; `portless` counts the matched pods left out that way, with the Service ports they lack.
 */
export function endpointCounts(state: ClusterState, svc: ServiceModel): { pods: number; ready: number; notReady: number; portless: number; missingPorts: string[] } {
  const eps = serviceEndpoints(state, svc);
  const ready = new Set<string>();
  const notReady = new Set<string>();
  for (const s of eps.slices) {
    if (svc.ports.length && !(s.ports ?? []).length) continue;
    for (const e of s.endpoints ?? []) {
      const key = e.targetRef?.name ?? e.addresses[0] ?? '';
      if (e.conditions?.ready !== false) ready.add(key);
      else notReady.add(key);
    }
  }
  const pods = eps.source === 'slices' && eps.matched.length === 0 ? ready.size + notReady.size : eps.matched.length;
  const portless = new Set<string>();
  const missingPorts = new Set<string>();
  for (const x of eps.excluded) {
    if (x.code !== 'port-not-found') continue;
    portless.add(`${x.pod.namespace}/${x.pod.name}`);
    if (x.port) missingPorts.add(x.port);
  }
  return { pods, ready: ready.size, notReady: notReady.size, portless: portless.size, missingPorts: [...missingPorts] };
}

/** "2 pods, 2 ready", and how many lack a Service port's target ("2 pods, 0 ready, 2 without port dns"). */
export function podCountsText(c: ReturnType<typeof endpointCounts>): string {
  const base = `${c.pods} pod${c.pods === 1 ? '' : 's'}, ${c.ready} ready`;
  if (!c.portless) return base;
  const ports = c.missingPorts.length ? ` ${c.missingPorts.length === 1 ? 'port' : 'ports'} ${c.missingPorts.join(', ')}` : ' the target port';
  return `${base}, ${c.portless} without${ports}`;
}

/** For a Service port, each matched pod's resolved container port (or why there is none). */
export function resolvePort(pod: PodModel, svcPortIndex: number, svc: ServiceModel): { port?: number; container?: string } {
  const sp = svc.ports[svcPortIndex];
  if (!sp) return {};
  const port = findPort(pod, sp);
  const decl = port === undefined ? undefined : pod.ports.find((p) => p.containerPort === port && p.protocol === sp.protocol);
  return { port, container: decl?.container };
}
