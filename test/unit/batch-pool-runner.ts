// The chunk runner both sides of test/unit/batch-pool.test.ts use: items i become "i@thread".
import { CliError } from '../../src/cli/io';

/** The BroadcastChannel a worker announces its unexpected error on, so the test's main thread can wait for it. */
export const SIGNAL = 'ksd-batch-pool-test';

export interface TestPayload {
  /** Items whose chunk throws a CliError (exit code 4) naming the item. */
  failAt?: number[];
  /** An item whose chunk throws a TypeError in a worker (announced on the SIGNAL channel first). */
  internalAt?: number;
  /** An item at which a worker exits (process.exit) or runs out of memory. */
  exitAt?: number;
  oomAt?: number;
  workerSetupMs?: number;
  workerSetupFails?: boolean;
  /** Workers announce each chunk they finish on the SIGNAL channel. */
  announce?: boolean;
  /** Busy time per chunk, so chunks spread over the threads. */
  chunkMs?: number;
}

export function testRunner(p: TestPayload, thread: number): (start: number, end: number) => string {
  return (start, end) => {
    const until = Date.now() + (p.chunkMs ?? 0);
    while (Date.now() < until);
    const out: string[] = [];
    for (let i = start; i < end; i++) {
      if (p.failAt?.includes(i)) throw new CliError(`item ${i + 1}: refused`, 4);
      if (thread > 0 && p.internalAt === i) {
        const ch = new BroadcastChannel(SIGNAL);
        ch.postMessage('internal');
        ch.close();
        throw new TypeError(`item ${i + 1}: cannot read properties of undefined`);
      }
      if (thread > 0 && p.exitAt === i) process.exit(7);
      if (thread > 0 && p.oomAt === i) {
        const hog: number[][] = [];
        for (;;) hog.push(new Array<number>(1 << 20).fill(i));
      }
      out.push(`${i}@${thread}`);
    }
    if (thread > 0 && p.announce) {
      const ch = new BroadcastChannel(SIGNAL);
      ch.postMessage('chunk');
      ch.close();
    }
    return out.join(',');
  };
}
