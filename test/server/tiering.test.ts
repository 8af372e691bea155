/**
 * The server process's V8 tiering (src/server/tiering.ts): a larger interrupt budget, applied once, by
 * startServer itself, so both dist/server.js and `ksd lsp --stdio` run with it. node --test runs each test
 * file in a process of its own, so nothing has applied the flags before the first test here.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { SERVER_V8_FLAGS, serverTieringTuned, tuneServerTiering } from '../../src/server/tiering';
import { TestClient } from './client';

test('tiering: starting a server applies the flags to its process', async () => {
  assert.equal(serverTieringTuned(), false, 'nothing applied before a server starts');
  const client = await TestClient.start({ files: { 'a.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n' } });
  try {
    assert.equal(serverTieringTuned(), true);
  } finally {
    await client.stop();
  }
});

test('tiering: the flags raise the interrupt budget above V8 default and are applied once per process', () => {
  const budget = /^--interrupt-budget=(\d+)$/.exec(SERVER_V8_FLAGS);
  assert.ok(budget, SERVER_V8_FLAGS);
  assert.ok(Number(budget[1]) > 67584, 'larger than the default budget (67,584)');
  const calls: string[] = [];
  assert.equal(tuneServerTiering((f) => calls.push(f)), false, 'already applied by the server above');
  assert.deepEqual(calls, [], 'a second call sets nothing');
});
