/**
 * Per-object conversions remembered by `LoadedObject` identity, so rebuilding the cluster state after an
 * edit converts only the objects that changed (an editor re-parses only the edited document and keeps the
 * other objects). A `LoadedObject` is treated as immutable once loaded.
 *
 * The remembered models stay pristine: the later steps of a build fill in addresses (`assignAddresses`)
 * and runtime state (`assumeRunning`) by assigning fields of the Service, its ports and the Pod, so every
 * build gets its own copies of those; everything else in the models is only read.
 */
import type { LoadedObject } from '../manifest/load';
import { nodeFrom, podFrom, serviceFrom, workloadFrom } from './defaults';
import { normalizeSlice } from './mirror';
import type { GivenSlice, NodeModel, PodModel, ServiceModel, WorkloadModel } from './types';

const services = new WeakMap<LoadedObject, ServiceModel>();
const pods = new WeakMap<LoadedObject, PodModel>();
const workloads = new WeakMap<LoadedObject, WorkloadModel | null>();
const nodes = new WeakMap<LoadedObject, NodeModel>();
const slices = new WeakMap<LoadedObject, GivenSlice>();

function remember<V>(cache: WeakMap<LoadedObject, V>, o: LoadedObject, make: (o: LoadedObject) => V): V {
  if (cache.has(o)) return cache.get(o) as V;
  const v = make(o);
  cache.set(o, v);
  return v;
}

/** The Service's model, a copy this build may fill in (cluster IPs, node ports). */
export function serviceModel(o: LoadedObject): ServiceModel {
  const s = remember(services, o, (x) => serviceFrom(x));
  return { ...s, ports: s.ports.map((p) => ({ ...p })) };
}

/** The Pod's model, a copy this build may fill in (IPs, node, phase and conditions of an assumed-running pod). */
export function podModel(o: LoadedObject): PodModel {
  return { ...remember(pods, o, (x) => podFrom(x)) };
}

export function workloadModel(o: LoadedObject): WorkloadModel | undefined {
  return remember(workloads, o, (x) => workloadFrom(x) ?? null) ?? undefined;
}

export function nodeModel(o: LoadedObject): NodeModel {
  return remember(nodes, o, nodeFrom);
}

/** A given EndpointSlice, normalised, in the namespace it was written for. */
export function givenSlice(o: LoadedObject): GivenSlice {
  const g = remember(slices, o, (x) => {
    const slice = normalizeSlice(x.object);
    slice.metadata!.namespace = x.namespace ?? 'default';
    return { slice, loaded: x };
  });
  return { ...g };
}
