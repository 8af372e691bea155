// A worker for test/unit/batch-pool.test.ts: serves chunks of numbered items, failing as its payload says.
import { isMainThread, workerData } from 'node:worker_threads';
import { CliError } from '../../src/cli/io';
import { isWorkerData, type WorkerData } from '../../src/cli/batch/protocol';
import { serveChunks } from '../../src/cli/batch/serve';
import { testRunner, type TestPayload } from './batch-pool-runner';

if (!isMainThread && isWorkerData(workerData)) {
  const data = workerData as WorkerData<TestPayload>;
  void serveChunks(data, async (p) => {
    await new Promise((r) => setTimeout(r, p.workerSetupMs ?? 0));
    if (p.workerSetupFails) throw new CliError('worker setup: inputs are gone', 2);
    return testRunner(p, data.thread);
  });
}
