/**
 * What crosses the thread boundary of a chunked batch: the data each worker starts with, the messages it
 * posts back, and the shared counters every thread claims chunks through.
 *
 * Work is cut into chunks of consecutive items. Threads (this one and the workers) claim the next chunk with
 * an atomic add on a shared counter, so a thread that starts late or runs slow simply takes fewer chunks.
 */
import { CliError } from '../io';

/** Marks a worker started by the batch pool (the same bundle runs as the CLI and as a worker). */
export const WORKER_MARK = 'ksd-chunk-worker';

/** Int32 slots of the shared buffer. */
export const NEXT = 0; // the next chunk to claim
export const STOP = 1; // chunks from here on are not wanted (lowered to the lowest failing chunk)
export const HELD = 2; // HELD + thread: the chunk that thread is working on, -1 for none

export interface WorkerData<P = unknown> {
  mark: typeof WORKER_MARK;
  shared: SharedArrayBuffer;
  /** This worker's thread number (0 is the main thread). */
  thread: number;
  count: number;
  chunkSize: number;
  payload: P;
}

/** An error as it crosses the boundary: a CliError keeps its exit code; anything else its stack. */
export interface WireError {
  cli: boolean;
  message: string;
  exitCode: number;
  stack?: string;
}

export type WorkerMessage =
  | { type: 'chunk'; chunk: number; text: string }
  | { type: 'failed'; chunk: number; error: WireError }
  | { type: 'setupFailed'; error: WireError };

export function isWorkerData(v: unknown): v is WorkerData {
  return !!v && typeof v === 'object' && (v as { mark?: unknown }).mark === WORKER_MARK;
}

export function toWire(e: unknown): WireError {
  if (e instanceof CliError) return { cli: true, message: e.message, exitCode: e.exitCode };
  if (e instanceof Error) return { cli: false, message: e.message, exitCode: 3, stack: e.stack };
  return { cli: false, message: String(e), exitCode: 3 };
}

/** The error the main thread throws for a worker's: a CliError as such, else an Error with the worker's stack. */
export function fromWire(w: WireError): Error {
  if (w.cli) return new CliError(w.message, w.exitCode);
  const e = new Error(w.message);
  if (w.stack) e.stack = w.stack;
  return e;
}

/** Claims the next wanted chunk for `thread`, or undefined when none is left. */
export function claimChunk(a: Int32Array, thread: number, chunks: number): number | undefined {
  const c = Atomics.add(a, NEXT, 1);
  if (c >= chunks || c >= Atomics.load(a, STOP)) return undefined;
  Atomics.store(a, HELD + thread, c);
  return c;
}

export function releaseChunk(a: Int32Array, thread: number): void {
  Atomics.store(a, HELD + thread, -1);
}

/** No thread needs to start a chunk after `chunk` once it failed: the output stops at the lowest failure. */
export function stopAfter(a: Int32Array, chunk: number): void {
  for (;;) {
    const cur = Atomics.load(a, STOP);
    if (chunk >= cur || Atomics.compareExchange(a, STOP, cur, chunk) === cur) return;
  }
}

export function chunkRange(chunk: number, chunkSize: number, count: number): [number, number] {
  return [chunk * chunkSize, Math.min(count, (chunk + 1) * chunkSize)];
}
