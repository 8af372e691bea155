/**
 * Finds NAMESPACE/NAME (or NAME in default) among the pods, real or simulated, or a workload's first pod: the
 * one lookup `ksd env`, `ksd dns --pod` and `ksd trace --from` share, with one wording when nothing matches.
 */
import type { ClusterState, PodModel } from '../core';
import { CliError } from './io';
import { splitRef } from './ref';

/** The pod NAMESPACE/NAME, else the first pod of the workload of that name, else undefined. */
export function lookupPod(state: ClusterState, ref: string): PodModel | undefined {
  const [ns, name] = splitRef(ref);
  return state.pods.find((p) => p.namespace === ns && p.name === name) ?? state.pods.find((p) => p.namespace === ns && p.owner?.name === name);
}

/** Up to ten names as a parenthesised hint ("" when there are none). */
export function knownHint(what: string, names: readonly string[]): string {
  return names.length ? ` (${what}: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''})` : '';
}

/** "no pod or workload NS/NAME in the given manifests (pods: ...)". */
export function noPodMessage(state: ClusterState, ref: string): string {
  const [ns, name] = splitRef(ref);
  return `no pod or workload ${ns}/${name} in the given manifests${knownHint('pods', state.pods.map((p) => `${p.namespace}/${p.name}`))}`;
}

export function findPod(state: ClusterState, ref: string): PodModel {
  const pod = lookupPod(state, ref);
  if (pod) return pod;
  throw new CliError(noPodMessage(state, ref));
}
