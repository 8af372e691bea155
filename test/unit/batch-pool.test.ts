import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { runChunks, type WorkerCrash } from '../../src/cli/batch/pool';
import { CliError } from '../../src/cli/io';
import { SIGNAL, testRunner, type TestPayload } from './batch-pool-runner';

// The chunk pool behind `ksd trace --batch --jobs N`, with a worker whose items fail or crash on demand.
const script = path.join(__dirname, 'batch-pool-worker.js');
const crashes: WorkerCrash[] = [];
let crashed = () => {};

/** What this thread's setup waits for before it takes chunks: a time, a worker's crash, or its announced error. */
type Wait = number | 'crash' | 'signal';

function waitFor(w: Wait): Promise<void> {
  if (typeof w === 'number') return new Promise((r) => setTimeout(r, w));
  const cap = new Promise<void>((r) => setTimeout(r, 30_000).unref());
  if (w === 'crash') return Promise.race([new Promise<void>((r) => (crashed = r)), cap]);
  const ch = new BroadcastChannel(SIGNAL);
  return Promise.race([new Promise<void>((r) => (ch.onmessage = () => r())), cap]).finally(() => ch.close());
}

function run(p: TestPayload, o: { count?: number; chunkSize?: number; workers?: number; mainWaits?: Wait; heapMb?: number } = {}) {
  const waited = waitFor(o.mainWaits ?? 0);
  return runChunks<TestPayload>({
    count: o.count ?? 200,
    chunkSize: o.chunkSize ?? 10,
    workers: o.workers ?? 2,
    script,
    payload: p,
    resourceLimits: o.heapMb ? { maxOldGenerationSizeMb: o.heapMb, maxYoungGenerationSizeMb: 4 } : undefined,
    setup: async () => {
      await waited;
      return testRunner(p, 0);
    },
    crashError: (c) => {
      crashes.push(c);
      crashed();
      return new CliError(`worker ${c.worker} ${c.outOfMemory ? 'out of memory' : 'crashed'}${c.range ? ` at ${c.range[0]}-${c.range[1]}` : ''}`, 3);
    },
  });
}

const items = (texts: string[]) => texts.join(',').split(',');

test('chunks come back in item order, whichever thread traced them; the workers did take chunks', async () => {
  const texts = await run({ chunkMs: 5, announce: true }, { mainWaits: 'signal' });
  assert.equal(texts.length, 20);
  const all = items(texts);
  assert.deepEqual(all.map((x) => Number(x.split('@')[0])), [...Array(200).keys()]);
  const threads = new Set(all.map((x) => x.split('@')[1]));
  assert.ok(threads.has('1') || threads.has('2'), `threads: ${[...threads].join(',')}`);
  // Each chunk is one thread's: consecutive items of a chunk share their thread.
  for (const t of texts) assert.equal(new Set(t.split(',').map((x) => x.split('@')[1])).size, 1);
});

test('no workers: one chunk at a time on this thread; an empty batch gives no chunks', async () => {
  const texts = await run({}, { workers: 0 });
  assert.ok(items(texts).every((x) => x.endsWith('@0')));
  assert.deepEqual(await run({}, { count: 0 }), []);
  // Fewer chunks than workers: no worker is started for nothing (one chunk: this thread alone).
  assert.deepEqual(await run({}, { count: 5, workers: 3 }), ['0@0,1@0,2@0,3@0,4@0']);
});

test('the lowest failing item wins, whoever hit it, with its own error and exit code', async () => {
  for (const mainWaits of [0, 300]) {
    await assert.rejects(run({ failAt: [175, 42, 120], chunkMs: 3 }, { mainWaits }), (e: unknown) => {
      assert.ok(e instanceof CliError);
      assert.equal(e.message, 'item 43: refused');
      assert.equal(e.exitCode, 4);
      return true;
    });
  }
});

test('an unexpected error in a worker comes back as an Error with the worker\'s stack, not a CliError', async () => {
  await assert.rejects(run({ internalAt: 150 }, { mainWaits: 'signal' }), (e: unknown) => {
    assert.ok(e instanceof Error && !(e instanceof CliError));
    assert.equal(e.message, 'item 151: cannot read properties of undefined');
    assert.match(e.stack ?? '', /TypeError: item 151[\s\S]*batch-pool-runner/);
    return true;
  });
});

test('a worker that exits in the middle of a chunk fails the run at that chunk; no hang', async () => {
  crashes.length = 0;
  await assert.rejects(run({ exitAt: 45 }, { mainWaits: 'crash' }), /worker \d crashed at 40-50/);
  assert.equal(crashes[0]!.detail, 'exit code 7');
  // The crash is below a failing item: the crash is what is reported.
  await assert.rejects(run({ exitAt: 45, failAt: [150] }, { mainWaits: 'crash' }), /worker \d crashed at 40-50/);
});

test('a worker that runs out of memory is reported as such; no hang', async () => {
  crashes.length = 0;
  await assert.rejects(run({ oomAt: 25 }, { mainWaits: 'crash', heapMb: 16 }), /worker \d out of memory at 20-30/);
  assert.ok(crashes.some((c) => c.outOfMemory && /memory/i.test(c.detail)));
});

test('a worker whose setup fails fails the run at once; this thread\'s setup failure wins and stops the workers', async () => {
  await assert.rejects(run({ workerSetupFails: true, chunkMs: 20 }, { count: 2000 }), /worker setup: inputs are gone/);
  const mainFails = runChunks<TestPayload>({
    count: 100,
    chunkSize: 10,
    workers: 2,
    script,
    payload: { workerSetupMs: 60_000 },
    setup: () => Promise.reject(new CliError('no such file', 2)),
    crashError: () => new Error('unexpected'),
  });
  await assert.rejects(mainFails, /no such file/);
});

test('workers still loading when this thread has done every chunk are stopped, not waited for', async () => {
  const t0 = Date.now();
  const texts = await run({ workerSetupMs: 60_000 }, { count: 50 });
  assert.ok(items(texts).every((x) => x.endsWith('@0')));
  assert.ok(Date.now() - t0 < 20_000);
});
