/** Parser warnings of imported iptables rules reach the user on stderr (`warning: FILE:LINE: ...`), never stdout. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const fx = (name: string) => path.join(root, 'test/fixtures/rules', name);
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-warn-'));

/** node-save.txt with an unmodelled match module added as line 15 (in INPUT, outside the KUBE-* chains). */
const lines = readFileSync(fx('node-save.txt'), 'utf8').split('\n');
lines.splice(14, 0, '-A INPUT -m geoip --src-cc XX -j DROP');
const withGeoip = path.join(tmp, 'geoip-save.txt');
writeFileSync(withGeoip, lines.join('\n'));
const WARNING = `warning: ${withGeoip}:15: match module "geoip" is not modelled: kept as text, and a trace treats it as not matching\n`;

test('ksd trace --rules: an unmodelled match is a warning on stderr with file and line, in text and --json runs alike', () => {
  const text = ksd('trace', '--rules', withGeoip, '--from', '10.244.1.4', '--to', '10.96.31.4:80');
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stderr, WARNING);
  assert.match(text.stdout, /^DNAT /);
  assert.doesNotMatch(text.stdout, /warning/);
  const json = ksd('trace', '--rules', withGeoip, '--from', '10.244.1.4', '--to', '10.96.31.4:80', '--json');
  assert.equal(json.status, 0, json.stderr);
  assert.equal(json.stderr, WARNING);
  assert.equal(JSON.parse(json.stdout).verdict, 'DNAT', 'stdout is the JSON result alone');
  // Rules the parser models fully: nothing on stderr.
  assert.equal(ksd('trace', '--rules', fx('node-save.txt'), '--from', '10.244.1.4', '--to', '10.96.31.4:80').stderr, '');
});

test('ksd diff: warnings of --rules and of --expected, each with its own file', () => {
  const r = ksd('diff', '--rules', withGeoip, '--expected', fx('node-save.txt'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, WARNING);
  assert.match(r.stdout, /^The node's rules match the expected ones/);
  const swapped = ksd('diff', '--rules', fx('node-save.txt'), '--expected', withGeoip, '--json');
  assert.equal(swapped.stderr, WARNING);
  assert.deepEqual(JSON.parse(swapped.stdout).missing, []);
  assert.equal(ksd('diff', '--rules', fx('node-save.txt'), '--expected', fx('node-save.txt')).stderr, '');
});

test('ksd trace: a dump full of unmodelled matches prints the first 20 warnings and a count of the rest', () => {
  const many = [...lines];
  for (let i = 0; i < 25; i++) many.splice(14, 0, `-A INPUT -m geoip --src-cc X${i % 10} -j DROP`);
  const file = path.join(tmp, 'many.txt');
  writeFileSync(file, many.join('\n'));
  const r = ksd('trace', '--rules', file, '--from', '10.244.1.4', '--to', '10.96.31.4:80');
  const err = r.stderr.trimEnd().split('\n');
  assert.equal(err.length, 21);
  assert.equal(err[20], `warning: ${file}: 6 more warnings like these`);
});
