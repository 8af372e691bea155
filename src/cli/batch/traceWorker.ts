/**
 * A worker thread of `ksd trace --batch`: it loads the state itself, from the same inputs and through the same
 * functions as the main thread, checks it read what the main thread read, then traces the chunks it claims.
 * The CLI bundle (dist/cli.js) is also the worker's script: loading it in a worker started by the batch pool
 * runs this entry instead of the command line.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { traceResult } from '../../core';
import { JsonArrayText } from '../format/jsonArray';
import { CliError } from '../io';
import { prepareFlowTracer, type Flow, type FlowTracer, type TraceOptions } from '../traceFlows';
import { isWorkerData, type WorkerData } from './protocol';
import { serveChunks, type ChunkRunner } from './serve';
import { inputStamp } from './stamp';

/** The script a trace worker runs: this module, or the bundle it is part of. */
export const TRACE_WORKER_SCRIPT = __filename;

export interface TracePayload {
  options: TraceOptions;
  flows: Flow[];
  /** The main thread's input stamp, taken before any thread loaded. */
  stamp: string;
}

/** Flows [start, end) as the JSON array text's items (what JSON.stringify(results, null, 2) holds between its brackets). */
export function traceChunks(trace: FlowTracer, flows: Flow[]): ChunkRunner {
  return (start, end) => {
    const json = new JsonArrayText();
    for (let i = start; i < end; i++) json.add(traceResult(trace(flows[i]!, i, true)));
    return json.body();
  };
}

export function inputsChanged(): CliError {
  return new CliError('the manifests or the --rules file changed while the --batch threads were reading them; run again (or with --jobs 1)');
}

/** Loads as the main thread did; fails when the inputs are not the ones the main thread stamped. */
export async function traceWorkerSetup(p: TracePayload): Promise<ChunkRunner> {
  const trace = await prepareFlowTracer(p.options);
  if ((await inputStamp(p.options.paths, p.options.rulesFile)).text !== p.stamp) throw inputsChanged();
  return traceChunks(trace, p.flows);
}

if (!isMainThread && isWorkerData(workerData)) void serveChunks(workerData as WorkerData<TracePayload>, traceWorkerSetup);
