/**
 * How many threads a `ksd trace --batch` uses. Each worker thread loads its own copy of the cluster state, so
 * a worker costs a thread start, a second load and that memory: it is worth it only for a batch large enough,
 * and only as many as the cores and the free memory allow. Figures behind the constants are in
 * docs/perf/trace-batch-parallel.md.
 */

/**
 * Below this many flows a batch stays on one thread unless --jobs says otherwise. A worker loads while this
 * thread loads, so it pays off once the traces take longer than a worker takes to start and warm up (about
 * 0.3 s of CPU); 1,000 flows are about 0.5 s of tracing.
 */
export const MIN_PARALLEL_FLOWS = 1000;
/** Each thread beyond the first should get at least this many flows. */
export const MIN_FLOWS_PER_THREAD = 500;
/** Automatic choice: at most this many threads, however many cores. */
export const MAX_AUTO_THREADS = 8;
/** --jobs above this is refused. */
export const MAX_JOBS = 64;
/**
 * A thread's memory: a fixed part plus this many times the size of the inputs it loads (measured: a worker
 * adds about 17 MB + 11 bytes per input byte to the peak RSS; these leave room above that).
 */
export const THREAD_BASE_BYTES = 32 * 2 ** 20;
export const BYTES_PER_INPUT_BYTE = 20;
/** What this thread keeps per flow until the end: the result's JSON text (about 10 KB) and the printed copy. */
export const RESULT_BYTES_PER_FLOW = 20 * 1024;

export interface PlanInput {
  flows: number;
  /** --jobs, when given. */
  requested?: number;
  /** Inputs a worker cannot read on its own (--live, stdin, a pipe) keep the batch on this thread. */
  rereadable: boolean;
  /** os.availableParallelism() */
  cpus: number;
  /** Memory the threads may take: free memory, within the process's limit (cgroup). */
  availableBytes: number;
  /** Size of the manifests and rules file each thread loads. */
  inputBytes: number;
}

export function threadBytes(inputBytes: number): number {
  return THREAD_BASE_BYTES + BYTES_PER_INPUT_BYTE * inputBytes;
}

/** The number of threads, this one included (1: no worker). */
export function planThreads(p: PlanInput): number {
  if (!p.rereadable || p.flows < 2) return 1;
  let n: number;
  if (p.requested !== undefined) n = p.requested;
  else if (p.flows < MIN_PARALLEL_FLOWS) return 1;
  else n = Math.min(p.cpus, MAX_AUTO_THREADS, Math.floor(p.flows / MIN_FLOWS_PER_THREAD));
  // Every thread holds a state, this one the results too; a quarter of the available memory stays free.
  const byMemory = Math.floor((0.75 * p.availableBytes - p.flows * RESULT_BYTES_PER_FLOW) / threadBytes(p.inputBytes));
  return Math.max(1, Math.min(n, byMemory, p.flows));
}

/** Chunks small enough that threads finish close together, large enough that messages stay few. */
export function chunkSizeFor(flows: number, threads: number): number {
  if (threads <= 1) return Math.max(1, flows);
  return Math.max(8, Math.min(128, Math.ceil(flows / (threads * 16))));
}
