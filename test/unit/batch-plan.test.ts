import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chunkSizeFor, MAX_AUTO_THREADS, MIN_PARALLEL_FLOWS, planThreads, threadBytes, type PlanInput } from '../../src/cli/batch/plan';

// How many threads `ksd trace --batch` uses: flows, --jobs, cores, memory.
const GB = 2 ** 30;
const base: PlanInput = { flows: 10_000, rereadable: true, cpus: 2, availableBytes: 16 * GB, inputBytes: 12e6 };

test('automatic: one thread for a small batch, then one per core up to the cap, at least 500 flows each', () => {
  assert.equal(planThreads({ ...base, flows: 5 }), 1);
  assert.equal(planThreads({ ...base, flows: MIN_PARALLEL_FLOWS - 1 }), 1);
  assert.equal(planThreads({ ...base, flows: MIN_PARALLEL_FLOWS }), 2);
  assert.equal(planThreads(base), 2);
  assert.equal(planThreads({ ...base, cpus: 1 }), 1);
  assert.equal(planThreads({ ...base, cpus: 64 }), MAX_AUTO_THREADS);
  assert.equal(planThreads({ ...base, cpus: 64, flows: 1600 }), 3);
});

test('--jobs is taken as given (even on one core), but never more threads than flows', () => {
  assert.equal(planThreads({ ...base, flows: 5, requested: 3 }), 3);
  assert.equal(planThreads({ ...base, flows: 2, requested: 8 }), 2);
  assert.equal(planThreads({ ...base, cpus: 1, requested: 4 }), 4);
  assert.equal(planThreads({ ...base, requested: 1 }), 1);
  assert.equal(planThreads({ ...base, flows: 1, requested: 4 }), 1);
});

test('inputs a worker cannot read again (live, stdin, a pipe) keep one thread, whatever --jobs says', () => {
  assert.equal(planThreads({ ...base, rereadable: false }), 1);
  assert.equal(planThreads({ ...base, rereadable: false, requested: 4 }), 1);
});

test('memory: every thread holds its own state; a huge state or little free memory means fewer threads', () => {
  // 12 MB of manifests: a thread is budgeted at a few hundred MB.
  assert.ok(threadBytes(12e6) > 200 * 2 ** 20 && threadBytes(12e6) < 400 * 2 ** 20);
  assert.equal(planThreads({ ...base, cpus: 8, availableBytes: 1 * GB }), 2);
  assert.equal(planThreads({ ...base, cpus: 8, requested: 8, availableBytes: 1 * GB }), 2);
  // 200 MB of manifests (a few hundred thousand Services) on a machine with 8 GB free: one thread.
  assert.equal(planThreads({ ...base, cpus: 8, inputBytes: 200e6, availableBytes: 8 * GB }), 1);
  // Nothing free at all: still this one thread.
  assert.equal(planThreads({ ...base, availableBytes: 0 }), 1);
  // The results this thread keeps count too: 10,000 flows keep ~200 MB.
  assert.equal(planThreads({ ...base, availableBytes: 0.75 * GB }), 1);
});

test('chunks: one for a single thread; with more threads, 8 to 128 flows each', () => {
  assert.equal(chunkSizeFor(10_000, 1), 10_000);
  assert.equal(chunkSizeFor(0, 1), 1);
  assert.equal(chunkSizeFor(10_000, 2), 128);
  assert.equal(chunkSizeFor(1_000, 2), 32);
  assert.equal(chunkSizeFor(5, 4), 8);
});
