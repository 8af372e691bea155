/**
 * How eagerly V8 optimises the language server's functions. Its first analysis of a large file runs most of
 * its functions a few thousand times, once: with V8's default interrupt budget (67,584 bytes of bytecode
 * executed per function before it is considered for optimisation) about a hundred of them are handed to
 * TurboFan mid-analysis, and those compiles, on V8's worker threads, took more CPU than the rest of the
 * process (~350 of ~600 ms) and competed with the main thread for the machine's cores. Optimised code
 * mostly arrived after the work it was for. A budget about three times larger leaves the lukewarm
 * functions in V8's baseline tiers and still optimises the truly hot ones (the YAML scanner's loops): the
 * server's CPU over the cold path drops by about a third, its main thread's stays about the same (within
 * run-to-run noise in interleaved runs; docs/perf/lsp-cold.md).
 * Later edits run the same functions again and again, so they reach the optimiser all the same.
 */
import { setFlagsFromString } from 'node:v8';

/** V8 flags the server process runs with (set at run time: `ksd lsp` and dist/server.js need no restart). */
export const SERVER_V8_FLAGS = '--interrupt-budget=200000';

let applied = false;

/** Applies SERVER_V8_FLAGS to this process once (later calls do nothing); true when this call applied them. */
export function tuneServerTiering(set: (flags: string) => void = setFlagsFromString): boolean {
  if (applied) return false;
  set(SERVER_V8_FLAGS);
  applied = true;
  return true;
}

/** Whether this process runs with the server's flags. */
export function serverTieringTuned(): boolean {
  return applied;
}
