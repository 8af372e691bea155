/**
 * What a worker thread will read again: every manifest file under PATHS and the --rules file, with size and
 * modification time. The main thread takes it before any thread loads and again after its own load; each
 * worker takes it after its load. Equal stamps mean every thread read the same inputs.
 */
import { promises as fs } from 'node:fs';
import { listManifestFiles, type PathProblem } from '../../node/loadPaths';

export interface InputStamp {
  /** One line per input: path, size, mtime (ns). */
  text: string;
  /** The inputs' total size. */
  bytes: number;
  /** False when an input cannot be read twice (stdin `-`, a pipe given as --rules). */
  rereadable: boolean;
}

export async function inputStamp(paths: string[], rulesFile: string | undefined): Promise<InputStamp> {
  const problems: PathProblem[] = [];
  const files = await listManifestFiles(paths.filter((p) => p !== '-'), problems);
  let rereadable = !paths.includes('-') && !paths.includes('/dev/stdin');
  let bytes = 0;
  const stat = async (f: string): Promise<string> => {
    try {
      const st = await fs.stat(f, { bigint: true });
      if (!st.isFile()) rereadable = false;
      bytes += Number(st.size);
      return `${f}\t${st.size}\t${st.mtimeNs}\t${st.ino}`;
    } catch (e) {
      rereadable = false;
      return `? ${f} ${(e as { code?: string }).code ?? String(e)}`;
    }
  };
  const all = rulesFile ? [...files, rulesFile] : files;
  const lines: string[] = problems.map((p) => `? ${p.path} ${p.message}`);
  for (let i = 0; i < all.length; i += 64) lines.push(...(await Promise.all(all.slice(i, i + 64).map(stat))));
  return { text: lines.join('\n'), bytes, rereadable };
}
