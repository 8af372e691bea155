/** Linux /proc readings about processes (the language server may run as a child of the process started). */
import { readdirSync, readFileSync } from 'node:fs';

/** Ids of the processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (comm) state ": the parent's id (comm may hold spaces and parentheses).
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** The process's command line, arguments split. */
export function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** The process doing the work: the node child `ksd lsp` restarted itself as, else the process itself. */
export function serverPid(pid: number): number {
  const node = childPids(pid).find((c) => {
    try {
      return commandLine(c).includes('lsp');
    } catch {
      return false;
    }
  });
  return node ?? pid;
}
