/** Loads PATHS into a cluster state, turning unreadable paths into a clear error. */
import { buildClusterState, DEFAULT_MAX_BYTES, type ClusterOptions, type ClusterState, type ManifestFile } from '../core';
import { loadPaths } from '../node/loadPaths';
import { flagString, UsageError, type FlagSpec, type ParsedArgs } from './args';
import { CliError, type CliIO } from './io';
import { splitRef } from './ref';

export interface LoadedState {
  files: ManifestFile[];
  state: ClusterState;
}

/** What reading the files found (syntax errors, skipped, unreadable): `ksd check` reports these itself. */
const LOAD_CODES = new Set(['KSD001', 'KSD002', 'KSD003', 'KSD004', 'KSD005']);
const MAX_LOAD_WARNINGS = 20;

/**
 * Loads PATHS. With `io`, what kept a file (or part of it) out of the state goes to stderr as
 * `warning: FILE:LINE:COL: CODE: message`, so "no Service web" is not the only clue that web.yaml did not parse.
 */
export async function loadState(paths: string[], options: ClusterOptions = {}, io?: CliIO, maxBytes?: number): Promise<LoadedState> {
  const { files, problems } = await loadPaths(paths, maxBytes ? { maxBytes } : {});
  if (problems.length) throw new CliError(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  if (io) printLoadWarnings(io, files);
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

function printLoadWarnings(io: CliIO, files: readonly ManifestFile[]): void {
  const found = files.flatMap((f) => f.diagnostics.filter((d) => LOAD_CODES.has(d.code)));
  for (const d of found.slice(0, MAX_LOAD_WARNINGS)) io.err(`warning: ${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.code}: ${d.message}${d.code === 'KSD002' ? ' --max-file-size MB reads it.' : ''}\n`);
  const more = found.length - MAX_LOAD_WARNINGS;
  if (more > 0) io.err(`warning: ${more} more like these (ksd check lists them all)\n`);
}

/** --max-file-size MB: files larger than this are skipped with KSD002 (default 10, as in the editor). */
export const PATH_FLAGS: Record<string, FlagSpec> = { 'max-file-size': { value: true } };

export function maxFileSize(args: ParsedArgs): number | undefined {
  const v = flagString(args, 'max-file-size');
  if (v === undefined) return undefined;
  const mb = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(mb > 0)) throw new UsageError(`--max-file-size must be a size in MB, like 50 (got "${v}"); the default is ${DEFAULT_MAX_BYTES / 1024 / 1024}`);
  return Math.round(mb * 1024 * 1024);
}
