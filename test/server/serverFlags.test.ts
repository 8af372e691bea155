/** The language server's process flags: the V8 pool size, and `ksd lsp --stdio` restarting itself with it. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { poolSizeGiven, serverExecArgv, serverPoolSize } from '../../src/node/serverFlags';
import { childPids, commandLine } from './procTree';
import { initializeParams, spawnServer } from './spawnServer';

const root = path.resolve(__dirname, '../../..');
const ksd = path.join(root, 'bin/ksd.js');

test('the pool leaves one core to the main thread: at least one worker, at most V8 usual four', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 8, 64].map((c) => serverPoolSize(c)), [1, 1, 2, 3, 4, 4, 4]);
  assert.deepEqual(serverExecArgv(2), ['--v8-pool-size=1']);
  assert.equal(serverPoolSize(0), 1);
});

test('a pool size given on the command line or in NODE_OPTIONS is left alone', () => {
  assert.ok(poolSizeGiven(['--v8-pool-size=3'], undefined));
  assert.ok(poolSizeGiven(['--inspect', '--v8-pool-size', '3'], ''));
  assert.ok(poolSizeGiven([], '--max-old-space-size=4096 --v8-pool-size=2'));
  assert.ok(!poolSizeGiven(['--v8-pool-size-extra=1', '--inspect'], '--trace-gc'));
  assert.ok(!poolSizeGiven([], undefined));
});

async function exercise(args: string[]) {
  assert.ok(existsSync(path.join(root, 'dist/cli.js')), 'run npm run build first');
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-flags-'));
  const s = spawnServer(process.execPath, args);
  const init = (await s.conn.sendRequest('initialize', initializeParams(pathToFileURL(dir).href))) as { serverInfo: { name: string } };
  assert.equal(init.serverInfo.name, 'ksd');
  return s;
}

test('ksd lsp --stdio serves from a child process started with the pool size, and ends with its exit code', async () => {
  const s = await exercise([ksd, 'lsp', '--stdio']);
  try {
    const kids = childPids(s.child.pid!);
    assert.equal(kids.length, 1, `children: ${kids.join()}`);
    const cmd = commandLine(kids[0]!);
    assert.ok(cmd.includes(`--v8-pool-size=${serverPoolSize()}`), cmd.join(' '));
    assert.deepEqual(cmd.slice(-3), [ksd, 'lsp', '--stdio']);
    assert.equal(await s.stop(), 0);
    assert.equal(s.stderr.join(''), '');
  } finally {
    s.child.kill();
  }
});

test('ksd lsp --stdio given a pool size runs the server in the process itself', async () => {
  const s = await exercise(['--v8-pool-size=2', ksd, 'lsp', '--stdio']);
  try {
    assert.deepEqual(childPids(s.child.pid!), []);
    assert.equal(await s.stop(), 0);
  } finally {
    s.child.kill();
  }
});

test('a signal to ksd lsp reaches the server process; the exit code tells which', async () => {
  const s = await exercise([ksd, 'lsp', '--stdio']);
  const [kid] = childPids(s.child.pid!);
  assert.ok(kid);
  const exited = new Promise<number | null>((resolve) => s.child.on('exit', (code) => resolve(code)));
  s.child.kill('SIGTERM');
  assert.equal(await exited, 128 + 15);
  assert.ok(!existsSync(`/proc/${kid}/cmdline`) || commandLine(kid).length === 0, 'the server process is gone');
  s.conn.dispose();
});
