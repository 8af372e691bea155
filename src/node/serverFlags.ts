/**
 * Node flags for the language server process (the extension starts it with these; `ksd lsp --stdio`
 * restarts itself with them when it was not given them).
 *
 * V8 runs its optimising compiler and parts of the garbage collector on a pool of worker threads, by
 * default four. On the first analysis of a large file those threads compile the hot functions while the
 * main thread runs them; on a two-core machine five busy threads share two cores and the main thread
 * (the one whose work the user waits for) gets about half of the time it could have. A pool of one
 * thread fewer than the cores (at least one, at most V8's usual four) leaves the main thread a core of
 * its own. bench:lsp-cold measures the effect (--flag-sets compares flag sets, runs interleaved).
 */
import { availableParallelism } from 'node:os';

export const POOL_FLAG = '--v8-pool-size';

/** Worker threads for V8's pool given the number of cores: one core stays free for the main thread. */
export function serverPoolSize(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(4, Math.floor(cores) - 1));
}

/** The flags the language server process should run with. */
export function serverExecArgv(cores?: number): string[] {
  return [`${POOL_FLAG}=${serverPoolSize(cores)}`];
}

/** Was the pool size chosen already (on the command line or in NODE_OPTIONS)? Then it is left as given. */
export function poolSizeGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const given = (a: string) => a === POOL_FLAG || a.startsWith(`${POOL_FLAG}=`);
  return execArgv.some(given) || (nodeOptions ?? '').split(/\s+/).some(given);
}
