/** `ksd trace --batch` over one or more threads: the flows' results as JSON array items, in flow order. */
import { availableParallelism, freemem } from 'node:os';
import { CliError, type CliIO } from '../io';
import { prepareFlowTracer, type Flow, type TraceOptions } from '../traceFlows';
import { chunkSizeFor, MIN_PARALLEL_FLOWS, planThreads } from './plan';
import { runChunks, type WorkerCrash } from './pool';
import { inputStamp, type InputStamp } from './stamp';
import { inputsChanged, traceChunks, TRACE_WORKER_SCRIPT, type TracePayload } from './traceWorker';

/** Memory the threads may use: free memory, within a cgroup limit when there is one. */
export function availableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  const free = freemem();
  return limit > 0 && limit < Number.MAX_SAFE_INTEGER ? Math.min(free, limit - process.memoryUsage.rss()) : free;
}

/** The chunks of items text; `jobs` is --jobs (undefined: chosen from the batch, the cores and the memory). */
export async function traceBatch(flows: Flow[], options: TraceOptions, jobs: number | undefined, io: CliIO): Promise<string[]> {
  const mayParallel = !options.live && flows.length > 1 && (jobs === undefined ? flows.length >= MIN_PARALLEL_FLOWS : jobs > 1);
  const before: InputStamp | undefined = mayParallel ? await inputStamp(options.paths, options.rulesFile) : undefined;
  const threads = before
    ? planThreads({ flows: flows.length, requested: jobs, rereadable: before.rereadable, cpus: availableParallelism(), availableBytes: availableMemory(), inputBytes: before.bytes })
    : 1;
  const payload: TracePayload = { options, flows, stamp: before?.text ?? '' };
  return runChunks({
    count: flows.length,
    chunkSize: chunkSizeFor(flows.length, threads),
    workers: threads - 1,
    script: TRACE_WORKER_SCRIPT,
    payload,
    setup: async () => {
      const trace = await prepareFlowTracer(options, io);
      if (threads > 1 && (await inputStamp(options.paths, options.rulesFile)).text !== before?.text) throw inputsChanged();
      return traceChunks(trace, flows);
    },
    crashError,
  });
}

function crashError(c: WorkerCrash): CliError {
  const where = c.range ? ` while tracing flows ${c.range[0] + 1}-${c.range[1]}` : ' while loading the inputs';
  const why = c.outOfMemory
    ? `ran out of memory${where} (each thread holds its own copy of the cluster state): run with a smaller --jobs, or --jobs 1 for one thread`
    : `stopped unexpectedly${where} (${c.detail}); --jobs 1 traces on one thread`;
  return new CliError(`--batch: worker thread ${c.worker} ${why}`, 3);
}
