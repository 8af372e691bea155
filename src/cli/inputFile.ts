/**
 * The text of a file named by a flag (--rules, --ipset, --expected, --batch), read once per run: a regular
 * file, a pipe (`--rules <(ssh node sudo iptables-save)`), /dev/stdin, or `-` for stdin. Reading a pipe
 * twice would give nothing the second time, so every reader of the same name shares one read.
 */
import { promises as fs } from 'node:fs';
import { describeFsError } from '../node/loadPaths';
import { CliError } from './io';

const reads = new Map<string, Promise<string>>();

export function readInputFile(flag: string, file: string): Promise<string> {
  let text = reads.get(file);
  if (!text) {
    // /dev/stdin as stdin: a spawning process may have made it a socket, which cannot be opened by name.
    text = file === '-' || file === '/dev/stdin' ? readStdin() : readNamed(flag, file);
    reads.set(file, text);
  }
  return text;
}

/** A usage error when stdin would be read for two inputs (PATHS `-` and `--rules -`, say). */
export function stdinOnce(uses: readonly (string | undefined)[]): string | undefined {
  const named = uses.filter((u) => u !== undefined && (u.endsWith(' -') || u.endsWith(' /dev/stdin')));
  return named.length > 1 ? `stdin (-) can feed only one input, but ${named.join(' and ')} both read it` : undefined;
}

async function readNamed(flag: string, file: string): Promise<string> {
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw new CliError(`--${flag} ${file}: is a directory, expected a file`);
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`--${flag} ${file}: ${describeFsError(e)}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
