import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { downloadBlocker } from '../integration/runTests';

test('integration tier: an unreachable download service is named as the reason to skip', async () => {
  const refused = (async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  }) as unknown as typeof fetch;
  assert.match((await downloadBlocker(refused))!, /cannot be reached \(ECONNREFUSED\)/);
  const forbidden = (async () => new Response('', { status: 403 })) as unknown as typeof fetch;
  assert.match((await downloadBlocker(forbidden))!, /HTTP 403/);
  const ok = (async () => new Response('[]', { status: 200 })) as unknown as typeof fetch;
  assert.equal(await downloadBlocker(ok), undefined);
});

test('integration tier: a hanging network is cut off by the probe timeout', async () => {
  const hang = ((_u: string, init: { signal: AbortSignal }) =>
    new Promise((_r, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)))) as unknown as typeof fetch;
  const t0 = Date.now();
  // AbortSignal.timeout does not hold the event loop open; a real socket would, so this timer stands in for it.
  const keepAlive = setTimeout(() => undefined, 5000);
  assert.match((await downloadBlocker(hang, 200))!, /cannot be reached/);
  clearTimeout(keepAlive);
  assert.ok(Date.now() - t0 < 2000);
});
