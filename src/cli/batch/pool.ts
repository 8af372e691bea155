/**
 * The main-thread side of a chunked batch: this thread and up to `workers` worker threads turn `count` items
 * into text, chunk by chunk, and the chunks come back in item order.
 *
 * Failures keep the one-thread semantics: the error reported is the one of the lowest failing chunk (so the
 * lowest failing item), once every chunk before it is done; a worker that dies while holding a chunk fails at
 * that chunk; a worker that fails outside any chunk (its setup, a crash while loading) fails the run at once.
 * Every worker is terminated before runChunks returns or throws.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { chunkRange, claimChunk, fromWire, HELD, releaseChunk, STOP, stopAfter, WORKER_MARK, type WorkerData, type WorkerMessage } from './protocol';
import type { ChunkRunner } from './serve';

export interface WorkerCrash {
  /** 1-based worker number. */
  worker: number;
  outOfMemory: boolean;
  /** The error the worker died of, or its exit code. */
  detail: string;
  /** Items [start, end) it was working on, when it held a chunk. */
  range?: [number, number];
}

export interface ChunkPoolOptions<P> {
  count: number;
  chunkSize: number;
  /** Worker threads to start besides this one (fewer when there are fewer chunks). */
  workers: number;
  /** The script a worker runs; it calls serveChunks with its workerData. */
  script: string;
  payload: P;
  resourceLimits?: ResourceLimits;
  /** This thread's setup, run while the workers start. */
  setup(): Promise<ChunkRunner>;
  /** The error to report for a worker that died. */
  crashError(c: WorkerCrash): Error;
}

export async function runChunks<P>(o: ChunkPoolOptions<P>): Promise<string[]> {
  const chunks = Math.ceil(o.count / o.chunkSize);
  const nWorkers = Math.max(0, Math.min(o.workers, chunks - 1));
  const a = new Int32Array(new SharedArrayBuffer(4 * (HELD + 1 + nWorkers)));
  a[STOP] = chunks;
  a.fill(-1, HELD);
  const texts: (string | undefined)[] = new Array<string | undefined>(chunks);
  // Errors are kept as thrown: this thread's reach the caller exactly as with no workers at all.
  let lowest: { chunk: number; error: unknown } | undefined;
  let fatal: { error: unknown } | undefined;
  let wake = () => {};
  // Done when a fatal error came, or every chunk below the lowest failure (or every chunk) has its text.
  let done = 0; // chunks [0, done) have their text
  const finished = () => {
    if (fatal) return true;
    while (done < chunks && texts[done] !== undefined) done++;
    return done >= (lowest ? lowest.chunk : chunks);
  };
  const failAt = (chunk: number, error: unknown) => {
    if (!lowest || chunk < lowest.chunk) lowest = { chunk, error };
    stopAfter(a, chunk);
    wake();
  };
  const failNow = (error: unknown) => {
    fatal ??= { error };
    stopAfter(a, 0);
    wake();
  };

  const workers: Worker[] = [];
  for (let t = 1; t <= nWorkers; t++) {
    const data: WorkerData<P> = { mark: WORKER_MARK, shared: a.buffer as SharedArrayBuffer, thread: t, count: o.count, chunkSize: o.chunkSize, payload: o.payload };
    let w: Worker;
    try {
      w = new Worker(o.script, { workerData: data, resourceLimits: o.resourceLimits });
    } catch {
      break; // No more threads to be had (a resource limit): the ones started, and this one, do the work.
    }
    let died: Error | undefined;
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'chunk') {
        texts[m.chunk] = m.text;
        wake();
      } else if (m.type === 'failed') failAt(m.chunk, fromWire(m.error));
      else failNow(fromWire(m.error));
    });
    w.on('error', (e) => (died = e));
    w.on('exit', (code) => {
      const held = Atomics.load(a, HELD + t);
      const lost = held >= 0 && texts[held] === undefined && lowest?.chunk !== held;
      if (!lost && !died && code === 0) return wake();
      const oom = (died as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const detail = died ? died.message : `exit code ${code}`;
      if (lost) failAt(held, o.crashError({ worker: t, outOfMemory: oom, detail, range: chunkRange(held, o.chunkSize, o.count) }));
      else if (!finished()) failNow(o.crashError({ worker: t, outOfMemory: oom, detail }));
      else wake();
    });
    workers.push(w);
  }
  const stopWorkers = () => Promise.all(workers.map((w) => w.terminate()));

  let run: ChunkRunner;
  try {
    run = await o.setup();
  } catch (e) {
    await stopWorkers();
    throw e;
  }
  for (let c = claimChunk(a, 0, chunks); c !== undefined; c = claimChunk(a, 0, chunks)) {
    const [start, end] = chunkRange(c, o.chunkSize, o.count);
    try {
      texts[c] = run(start, end);
    } catch (e) {
      failAt(c, e);
      break;
    } finally {
      releaseChunk(a, 0);
    }
    // Let the workers' messages and exits in between chunks (a fatal one stops this loop too).
    if (workers.length) await new Promise((r) => setImmediate(r));
  }
  if (!finished()) await new Promise<void>((resolve) => (wake = () => finished() && resolve()));
  await stopWorkers();
  if (fatal) throw fatal.error;
  if (lowest) throw lowest.error;
  return texts as string[];
}
