/**
 * Inputs as users really pass them: pipes and /dev/stdin (`ksd check <(helm template .)`), `--rules -`, the
 * same folder twice, symlink loops, devices that never end, and files that do not parse next to ones that do.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const ksd = (args: string[], input?: string, cwd = root) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd, encoding: 'utf8', input, timeout: 30000 });
const nginx = readFileSync(path.join(root, 'examples/nginx/nginx.yaml'), 'utf8');
const dump = readFileSync(path.join(root, 'test/fixtures/rules/node-save.txt'), 'utf8');

test('a pipe given as a path (/dev/stdin, <(...)) is read, not skipped', () => {
  const r = ksd(['endpoints', 'default/my-nginx', '/dev/stdin', '--json'], nginx);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).endpoints.length, 2);
  const c = ksd(['check', '/dev/stdin'], nginx);
  assert.match(c.stdout, /^1 file, 2 objects, 1 Service/m);
});

test('a device that never ends is cut at the size limit instead of hanging', () => {
  const r = ksd(['check', '/dev/zero']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\/dev\/zero:1:1: info KSD002: File skipped/m);
});

test('--rules reads a pipe once: /dev/stdin and - both trace through the dump', () => {
  for (const file of ['/dev/stdin', '-']) {
    const r = ksd(['trace', '--rules', file, '--from', '10.244.1.4', '--to', '10.96.31.4:80', '--json'], dump);
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).verdict, 'DNAT', file);
  }
  const d = ksd(['diff', '--rules', '-', '--expected', path.join(root, 'test/fixtures/rules/node-save.txt')], dump);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /match the expected ones/);
});

test('stdin cannot feed two inputs at once', () => {
  const r = ksd(['trace', '-', '--rules', '-', '--from', '10.244.1.4', '--to', '10.96.31.4:80'], dump);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /stdin \(-\) can feed only one input, but PATHS - and --rules - both read it/);
  assert.equal(r.stdout, '');
});

test('a file reached twice (a folder and a file in it, a symlink) is loaded once', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-twice-'));
  writeFileSync(path.join(dir, 'nginx.yaml'), nginx);
  symlinkSync(path.join(dir, 'nginx.yaml'), path.join(dir, 'again.yaml'));
  const r = ksd(['endpoints', 'default/my-nginx', dir, path.join(dir, 'nginx.yaml'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).endpoints.length, 2);
  const c = ksd(['check', dir, dir]);
  assert.match(c.stdout, /^1 file, 2 objects, 1 Service: 0 errors/m);
});

test('a symlink back to an ancestor folder is not walked again', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-loop-'));
  mkdirSync(path.join(dir, 'apps'));
  writeFileSync(path.join(dir, 'apps', 'nginx.yaml'), nginx);
  symlinkSync(dir, path.join(dir, 'apps', 'up'));
  const r = ksd(['check', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^1 file, 2 objects, 1 Service: 0 errors/m);
});

test('commands other than check say on stderr which files did not load, and still answer', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-warn-'));
  writeFileSync(path.join(dir, 'nginx.yaml'), nginx);
  writeFileSync(path.join(dir, 'web.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [\n');
  const r = ksd(['endpoints', 'default/my-nginx', '.', '--json'], undefined, dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).endpoints.length, 2);
  assert.match(r.stderr, /^warning: web\.yaml:6:10: KSD001: YAML syntax error/m);
  const missing = ksd(['endpoints', 'default/web', '.'], undefined, dir);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /warning: web\.yaml:6:10: KSD001[^\n]*\nksd endpoints: no Service default\/web/);
  // check reports them as findings on stdout, once.
  const c = ksd(['check', '.'], undefined, dir);
  assert.equal(c.stderr, '');
  assert.match(c.stdout, /^web\.yaml:6:10: error KSD001/m);
});

test('check shows a path outside the working folder as given, not as ../../..', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-out-'));
  const file = path.join(dir, 'web.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [\n');
  const r = ksd(['check', file]);
  assert.ok(r.stdout.startsWith(`${file}:6:10: error KSD001`), r.stdout);
});

test('a shell pipe and process substitution as PATHS and as --rules', () => {
  const sh = (script: string) => spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8', timeout: 30000 });
  const k = `"${process.execPath}" bin/ksd.js`;
  let r = sh(`${k} endpoints default/my-nginx <(cat examples/nginx/nginx.yaml) --json`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).endpoints.length, 2);
  r = sh(`cat examples/nginx/nginx.yaml | ${k} check /dev/stdin`);
  assert.match(r.stdout, /^1 file, 2 objects, 1 Service/m);
  r = sh(`${k} trace --rules <(cat test/fixtures/rules/node-save.txt) --from 10.244.1.4 --to 10.96.31.4:80 --json`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).verdict, 'DNAT');
});

test('a file over the size limit: a warning naming --max-file-size, which reads it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-big-'));
  // nginx.yaml padded past 1 MB with a comment, so the test stays small: the limit is given in MB.
  writeFileSync(path.join(dir, 'big.yaml'), nginx + '#' + 'x'.repeat(1.2 * 1024 * 1024) + '\n');
  const skipped = ksd(['endpoints', 'default/my-nginx', 'big.yaml', '--max-file-size', '1'], undefined, dir);
  assert.equal(skipped.status, 2);
  assert.match(skipped.stderr, /^warning: big\.yaml:1:1: KSD002: File skipped: 1\.2 MB is over the 1\.0 MB limit for manifests\. --max-file-size MB reads it\.$/m);
  const read = ksd(['endpoints', 'default/my-nginx', 'big.yaml', '--max-file-size', '2', '--json'], undefined, dir);
  assert.equal(read.status, 0, read.stderr);
  assert.equal(JSON.parse(read.stdout).endpoints.length, 2);
  const traced = ksd(['trace', 'big.yaml', '--max-file-size', '2', '--from', '10.244.9.9', '--to', 'default/my-nginx:80', '--json'], undefined, dir);
  assert.equal(JSON.parse(traced.stdout).verdict, 'DNAT', traced.stderr);
  const checked = ksd(['check', 'big.yaml', '--max-file-size', '0.5'], undefined, dir);
  assert.match(checked.stdout, /info KSD002: File skipped/);
  const bad = ksd(['check', 'big.yaml', '--max-file-size', 'lots'], undefined, dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--max-file-size must be a size in MB, like 50 \(got "lots"\); the default is 10/);
});

test('--batch - reads the flows from stdin', () => {
  const r = ksd(['trace', 'examples', '--batch', '-'], JSON.stringify([{ from: '10.244.1.5', to: 'default/simpleservice:80' }]));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((x: { verdict: string }) => x.verdict), ['DNAT']);
});
