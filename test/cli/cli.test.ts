import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });

test('ksd --version prints the package version', () => {
  const r = ksd('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('ksd --help lists the commands', () => {
  const r = ksd('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /ksd check PATHS/);
  assert.match(r.stdout, /ksd endpoints NAMESPACE\/NAME PATHS/);
});

test('unknown commands and options fail on stderr with exit 2', () => {
  let r = ksd('frobnicate');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /unknown command "frobnicate"/);
  r = ksd('check', '--bogus', 'examples');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --bogus/);
  r = ksd('check', 'examples', '--format', 'xml');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format must be one of text, json, sarif/);
});

test('a missing path is a clear error, not a stack trace', () => {
  const r = ksd('check', 'no/such/dir');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no\/such\/dir: no such file or directory/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('ksd endpoints --json follows the contract', () => {
  const r = ksd('endpoints', 'web/webserver', 'examples', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { endpoints: Record<string, unknown>[]; excluded: unknown[] };
  assert.equal(out.endpoints.length, 3);
  for (const e of out.endpoints) {
    assert.deepEqual(Object.keys(e), ['ip', 'port', 'protocol', 'ready', 'serving', 'terminating', 'pod', 'node', 'zone']);
    assert.equal(e['port'], 80);
    assert.equal(e['ready'], true);
  }
  assert.deepEqual(out.excluded, []);
});

test('ksd endpoints names the known Services when the one asked for is missing', () => {
  const r = ksd('endpoints', 'default/nope', 'examples/simpleservice', 'examples/nginx');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no Service default\/nope.*(default\/simpleservice|default\/my-nginx)/);
});

test('ksd without a command is a usage error: the help on stderr, exit 2, nothing on stdout', () => {
  const r = ksd();
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /ksd check PATHS/);
});

test('ksd --help names every exit code', () => {
  const r = ksd('--help');
  assert.match(r.stdout, /0 done; 1 check found an error, diff a difference, or dns no answer; 2 bad arguments or\ninput; 3 internal error/);
});

test('a usage message is prefixed with the command once, not twice', () => {
  const r = ksd('endpoints');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^ksd endpoints needs NAMESPACE\/NAME\n/);
});

test('--node-ip that is not an address is a usage error, not ignored', () => {
  const r = ksd('trace', 'examples', '--from', '10.244.1.5', '--to', 'default/simpleservice:80', '--node-ip', '10.0.0.1,banana');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^ksd trace: --node-ip takes IP addresses separated by commas \(not "banana"\)/);
  assert.equal(r.stdout, '');
});
