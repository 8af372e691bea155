import * as path from 'node:path';
import { runChecks, type Diagnostic } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { toSarif } from '../format/sarif';
import type { CliIO } from '../io';
import { loadState, maxFileSize, PATH_FLAGS } from '../state';
import { checkAgainstLive } from '../../live/merge';
import { LIVE_FLAGS, liveFlags, loadLiveState } from '../liveState';
import { VERSION } from '../version';
import { tuneServerTiering } from '../../server/tiering';

export const checkHelp = `ksd check PATHS [--format text|json|sarif] [--live [--context NAME] [--kubeconfig FILE]]
  Checks Services against the pods, workloads, EndpointSlices and routes in PATHS (files or folders,
  - for stdin). Exit 1 when any error is found. --live checks the manifests against the cluster of the
  kubeconfig's current context (or --context), read-only: the manifests win for every object they
  define, the cluster supplies the rest (its pods, nodes, kube-proxy configuration), and each manifest
  Service is compared with the live one (KSD801 drift, KSD802 not in the cluster).`;

export async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { format: { value: true, choices: ['text', 'json', 'sarif'] }, ...LIVE_FLAGS, ...PATH_FLAGS });
  const live = liveFlags(args);
  if (!args.positionals.length) throw new UsageError('ksd check needs at least one PATH (a file or folder)');
  // A check is the language server's first analysis run once: the same V8 budget spares it the optimising
  // compiles of functions that run a few thousand times and never again (~30% less CPU on a 2,000-object file).
  tuneServerTiering();
  const loaded = await loadState(args.positionals, {}, undefined, maxFileSize(args));
  const files = loaded.files;
  let state = loaded.state;
  let diags: Diagnostic[];
  let against = '';
  if (live) {
    const snap = await loadLiveState(undefined, live);
    const result = checkAgainstLive(files, snap.state, { context: snap.context, defaultNamespace: snap.defaultNamespace });
    state = result.state;
    diags = result.diagnostics;
    against = ` (against context ${snap.context})`;
  } else {
    diags = runChecks({ state, files });
  }
  const format = flagString(args, 'format') ?? 'text';
  if (format === 'json') {
    io.out(JSON.stringify(diags.map(toJson), null, 2) + '\n');
  } else if (format === 'sarif') {
    io.out(JSON.stringify(toSarif(diags, VERSION), null, 2) + '\n');
  } else {
    for (const d of diags) io.out(formatText(d));
    const counts = { error: 0, warning: 0, info: 0, hint: 0 };
    for (const d of diags) counts[d.severity]++;
    const objects = files.reduce((n, f) => n + f.objects.length, 0);
    io.out(`${files.length} file${files.length === 1 ? '' : 's'}, ${objects} object${objects === 1 ? '' : 's'}, ${state.services.length} Service${state.services.length === 1 ? '' : 's'}${against}: ${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info + counts.hint} info\n`);
  }
  return diags.some((d) => d.severity === 'error') ? 1 : 0;
}

/** The JSON contract: 0-based LSP ranges. */
function toJson(d: Diagnostic) {
  return { file: d.file, range: d.range, severity: d.severity, code: d.code, message: d.message };
}

/** A path as the user gave it, or relative to the working folder when it is under it (not ../../dev/fd/63). */
function shown(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function formatText(d: Diagnostic): string {
  let s = `${shown(d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}\n`;
  for (const r of d.related ?? []) s += `    ${shown(r.location.file)}:${r.location.range.start.line + 1}:${r.location.range.start.character + 1}: ${r.message}\n`;
  for (const f of d.fixes ?? []) s += `    fix: ${f.title}\n`;
  return s;
}
