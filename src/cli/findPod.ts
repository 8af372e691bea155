/** Finds NAMESPACE/NAME (or NAME in default) among the pods, real or simulated, or a workload's first pod. */
import type { ClusterState, PodModel } from '../core';
import { CliError } from './io';
import { splitRef } from './ref';

export function findPod(state: ClusterState, ref: string): PodModel {
  const [ns, name] = splitRef(ref);
  const pod = state.pods.find((p) => p.namespace === ns && p.name === name) ?? state.pods.find((p) => p.namespace === ns && p.owner?.name === name);
  if (pod) return pod;
  const known = state.pods.map((p) => `${p.namespace}/${p.name}`);
  throw new CliError(
    `no pod or workload ${ns}/${name} in the given manifests${known.length ? ` (pods: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''})` : ''}`,
  );
}
