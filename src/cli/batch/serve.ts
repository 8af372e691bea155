/** The worker side of a chunked batch: set up once, then claim chunks until none is left or one fails. */
import { parentPort } from 'node:worker_threads';
import { chunkRange, claimChunk, releaseChunk, stopAfter, toWire, type WorkerData, type WorkerMessage } from './protocol';

/** Turns items [start, end) into their text; throws the first item's error. */
export type ChunkRunner = (start: number, end: number) => string;

export async function serveChunks<P>(data: WorkerData<P>, setup: (payload: P) => Promise<ChunkRunner>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveChunks runs in a worker thread');
  const post = (m: WorkerMessage) => port.postMessage(m);
  const a = new Int32Array(data.shared);
  const chunks = Math.ceil(data.count / data.chunkSize);
  let run: ChunkRunner;
  try {
    run = await setup(data.payload);
  } catch (e) {
    post({ type: 'setupFailed', error: toWire(e) });
    return;
  }
  for (let c = claimChunk(a, data.thread, chunks); c !== undefined; c = claimChunk(a, data.thread, chunks)) {
    const [start, end] = chunkRange(c, data.chunkSize, data.count);
    try {
      post({ type: 'chunk', chunk: c, text: run(start, end) });
    } catch (e) {
      stopAfter(a, c);
      post({ type: 'failed', chunk: c, error: toWire(e) });
      return;
    } finally {
      releaseChunk(a, data.thread);
    }
  }
}
