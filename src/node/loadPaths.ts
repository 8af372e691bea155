/** Reads manifest files and folders from disk for the CLI and the language server. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MAX_BYTES, loadManifest, parseYaml, tooLargeManifest, type LoadOptions, type ManifestFile } from '../core';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'out', 'dist']);

export interface PathProblem {
  path: string;
  message: string;
}

/**
 * Lists manifest files under the given paths (files are taken as given; folders recursively, sorted). A file
 * named twice (`ksd check k8s k8s/web.yaml`) or reached again through a symlink is listed once, and a symlink
 * back to a folder being walked is not followed again. A path given explicitly may also be a pipe or a
 * device (`ksd check <(helm template .)`, /dev/stdin): it is read as a stream.
 */
export async function listManifestFiles(paths: string[], problems: PathProblem[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const firstVisit = async (p: string): Promise<boolean> => {
    let real: string;
    try {
      real = await fs.realpath(p);
    } catch {
      real = path.resolve(p);
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    let st;
    try {
      st = await fs.stat(p);
    } catch (e) {
      problems.push({ path: p, message: describeFsError(e) });
      return;
    }
    if (st.isDirectory()) {
      if (!(await firstVisit(p))) return;
      let entries: string[];
      try {
        entries = (await fs.readdir(p)).sort();
      } catch (e) {
        problems.push({ path: p, message: describeFsError(e) });
        return;
      }
      for (const e of entries) {
        if (SKIP_DIRS.has(e)) continue;
        const child = path.join(p, e);
        await visit(child, false);
      }
    } else if ((st.isFile() && (explicit || MANIFEST_EXT.test(p))) || (explicit && (st.isFIFO() || st.isCharacterDevice()))) {
      if (await firstVisit(p)) out.push(p);
    }
  };
  for (const p of paths) await visit(p, true);
  return out;
}

export function describeFsError(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}

/** Files that kustomization.yaml files name as patches: fragments, never whole objects. */
export async function kustomizePatchFiles(files: string[]): Promise<Set<string>> {
  const patches = new Set<string>();
  for (const f of files) {
    if (!/(^|[\\/])kustomization\.ya?ml$/i.test(f)) continue;
    let text: string;
    try {
      text = await fs.readFile(f, 'utf8');
    } catch {
      continue;
    }
    const doc = parseYaml(text).documents[0]?.value as Record<string, unknown> | undefined;
    if (!doc || typeof doc !== 'object') continue;
    const dir = path.dirname(f);
    const add = (p: unknown) => {
      if (typeof p === 'string' && !p.includes('\n')) patches.add(path.resolve(dir, p));
    };
    for (const key of ['patchesStrategicMerge', 'patchesJson6902', 'patches']) {
      const list = doc[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (typeof item === 'string') add(item);
        else if (item && typeof item === 'object') add((item as Record<string, unknown>)['path']);
      }
    }
  }
  return patches;
}

type ReadResult = { text: string } | { size: number } | { error: unknown };

/** A file's text, or its size when it is over the limit (then it is not read), or the error. */
async function readText(file: string, max: number): Promise<ReadResult> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return await readStream(file, max);
    if (st.size > max) return { size: st.size };
    return { text: await fs.readFile(file, 'utf8') };
  } catch (error) {
    return { error };
  }
}

/** A pipe or device, read up to the limit: its size is known only by reading it (and /dev/zero never ends). */
async function readStream(file: string, max: number): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  const handle = await fs.open(file, 'r');
  try {
    for (;;) {
      const buf = Buffer.alloc(1 << 16);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      size += bytesRead;
      if (size > max) return { size };
      chunks.push(buf.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}

function fromRead(file: string, r: ReadResult, options: Partial<LoadOptions>): ManifestFile {
  if ('text' in r) return loadManifest(file, r.text, options);
  if ('size' in r) return tooLargeManifest(file, r.size, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const m = loadManifest(file, '', options);
  m.skipped = 'not-a-manifest';
  m.diagnostics.push({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code: 'KSD005', message: `Cannot read file: ${describeFsError(r.error)}` });
  return m;
}

export async function loadFile(file: string, options: Partial<LoadOptions> = {}): Promise<ManifestFile> {
  return fromRead(file, await readText(file, options.maxBytes ?? DEFAULT_MAX_BYTES), options);
}

/** Loads every manifest under the given paths. Paths may be files or folders; `-` reads stdin. */
export async function loadPaths(paths: string[], options: Partial<LoadOptions> = {}): Promise<{ files: ManifestFile[]; problems: PathProblem[] }> {
  const problems: PathProblem[] = [];
  // /dev/stdin is stdin: a process that spawned us may have made it a socket, which cannot be opened by name.
  paths = paths.map((p) => (p === '/dev/stdin' ? '-' : p));
  const names = await listManifestFiles(paths.filter((p) => p !== '-'), problems);
  const patches = await kustomizePatchFiles(names);
  const files: ManifestFile[] = [];
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // Reads run a few files ahead of parsing, so the disk and the parser overlap.
  const wanted = names.filter((f) => !/(^|[\\/])kustomization\.ya?ml$/i.test(f));
  const reads: Promise<ReadResult>[] = [];
  const AHEAD = 8;
  for (let i = 0; i < wanted.length; i++) {
    for (let k = reads.length; k < Math.min(wanted.length, i + AHEAD); k++) reads.push(readText(wanted[k]!, max));
    const f = wanted[i]!;
    files.push(fromRead(f, await reads[i]!, { ...options, partial: patches.has(path.resolve(f)) }));
  }
  if (paths.includes('-')) files.push(loadManifest('<stdin>', await readStdin(), options));
  return { files, problems };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
