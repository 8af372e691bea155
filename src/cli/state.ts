/** Loads PATHS into a cluster state, turning unreadable paths into a clear error. */
import { buildClusterState, type ClusterOptions, type ClusterState, type ManifestFile } from '../core';
import { loadPaths } from '../node/loadPaths';
import { CliError } from './io';
import { splitRef } from './ref';

export interface LoadedState {
  files: ManifestFile[];
  state: ClusterState;
}

export async function loadState(paths: string[], options: ClusterOptions = {}): Promise<LoadedState> {
  const { files, problems } = await loadPaths(paths);
  if (problems.length) throw new CliError(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const state = buildClusterState(
    files.flatMap((f) => f.objects),
    options,
  );
  return { files, state };
}

/** Finds NAMESPACE/NAME (or NAME in default) among the Services. */
export function findService(state: ClusterState, ref: string, where = 'in the given manifests') {
  const [ns, name] = splitRef(ref);
  const svc = state.services.find((s) => s.namespace === ns && s.name === name);
  if (!svc) {
    const known = state.services.map((s) => `${s.namespace}/${s.name}`);
    throw new CliError(`no Service ${ns}/${name} ${where}${known.length ? ` (Services: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''})` : ''}`);
  }
  return svc;
}
