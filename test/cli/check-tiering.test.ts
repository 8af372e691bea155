/** `ksd check` runs its one-shot analysis with the language server's V8 budget (src/server/tiering.ts). */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkCommand } from '../../src/cli/commands/check';
import { serverTieringTuned } from '../../src/server/tiering';

const root = path.resolve(__dirname, '../../..');

test('ksd check applies the server tiering flags before analysing, and still reports the examples', async () => {
  assert.equal(serverTieringTuned(), false, 'nothing in this process applied the flags before the command');
  let out = '';
  const code = await checkCommand([path.join(root, 'examples/simpleservice')], { out: (t) => (out += t), err: () => undefined });
  assert.equal(serverTieringTuned(), true);
  assert.equal(code, 0);
  assert.equal(out.trim(), '1 file, 2 objects, 1 Service: 0 errors, 0 warnings, 0 info');
});
