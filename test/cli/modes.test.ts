/** ksd rules and ksd trace in nftables and IPVS modes, run as a user runs them. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-modes-'));
const EX = ['examples/simpleservice', 'examples/cluster'];

test('ksd rules --mode nftables prints the kube-proxy transaction; --format save lists the table', () => {
  const r = ksd('rules', ...EX, '--mode', 'nftables');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^add table ip kube-proxy \{ comment "rules for kube-proxy" ; \}$/m);
  assert.match(r.stdout, /^add element ip kube-proxy service-ips \{ 10\.105\.118\.205 \. tcp \. 80 : goto service-C355C5SW-default\/simpleservice\/tcp\/ \}$/m);
  const save = ksd('rules', ...EX, '--mode', 'nftables', '--format', 'save');
  assert.equal(save.status, 0, save.stderr);
  assert.match(save.stdout, /^table ip kube-proxy \{$/m);
  assert.match(save.stdout, /type filter hook prerouting priority dstnat - 10; policy accept;/);
  const bad = ksd('rules', ...EX, '--mode', 'nftables', '--kube-proxy-version', '1.28');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /has no nftables mode/);
});

test('ksd rules --mode ipvs prints virtual servers, ipsets and the helper rules', () => {
  const r = ksd('rules', ...EX, '--mode', 'ipvs');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^TCP  10\.105\.118\.205:80 rr$/m);
  assert.match(r.stdout, /^add KUBE-CLUSTER-IP 10\.105\.118\.205,tcp:80$/m);
  assert.match(r.stdout, /^-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip \+ port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ$/m);
  const only = ksd('rules', ...EX, '--mode', 'ipvs', '--format', 'ipvsadm');
  assert.match(only.stdout, /^IP Virtual Server version/);
  assert.doesNotMatch(only.stdout, /KUBE-CLUSTER-IP/);
  assert.equal(ksd('rules', ...EX, '--mode', 'ipvs', '--format', 'save').status, 2);
});

test('ksd trace --mode nftables and --mode ipvs give the contract result', () => {
  for (const mode of ['nftables', 'ipvs']) {
    const r = ksd('trace', ...EX, '--from', '10.244.1.5', '--to', 'default/simpleservice:80', '--mode', mode, '--json');
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(d).sort(), ['endpoints', 'explanation', 'masquerade', 'steps', 'verdict']);
    assert.equal(d.verdict, 'DNAT');
    assert.deepEqual(d.endpoints.map((e: { probability: number }) => e.probability), [0.5, 0.5]);
  }
  const rej = ksd('trace', ...EX, '--from', '10.244.1.5', '--to', '10.105.118.205:81', '--mode', 'nftables', '--json');
  assert.equal(JSON.parse(rej.stdout).verdict, 'REJECT');
});

test('ksd trace --rules detects nft rulesets and ipvsadm output', () => {
  const nft = path.join(tmp, 'ruleset.nft');
  writeFileSync(nft, ksd('rules', ...EX, '--mode', 'nftables', '--format', 'save').stdout);
  let r = ksd('trace', '--rules', nft, '--from', '10.244.1.5', '--to', '10.105.118.205:80', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).endpoints.length, 2);
  const ipvs = path.join(tmp, 'ipvsadm.txt');
  writeFileSync(ipvs, ksd('rules', ...EX, '--mode', 'ipvs', '--format', 'ipvsadm').stdout);
  r = ksd('trace', '--rules', ipvs, '--from', '10.244.1.5', '--to', '10.105.118.205:80', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).explanation, /cannot be told from ipvsadm output/);
  r = ksd('trace', '--rules', ipvs, '--mode', 'nftables', '--from', '10.244.1.5', '--to', '10.105.118.205:80');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /holds ipvsadm output/);
  const broken = path.join(tmp, 'broken.nft');
  writeFileSync(broken, 'table ip kube-proxy {\n  chain services {\n    jump x\n');
  r = ksd('trace', '--rules', broken, '--from', '10.244.1.5', '--to', '10.105.118.205:80');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.nft: line \d+: table ip kube-proxy is not closed/);
});

test('ksd trace --rules reads a kube-proxy 1.36+ node listing (dnat numgen map, inline mark, hairpin set)', () => {
  const listing = path.join(root, 'test/fixtures/rules/nft-v136-listing.nft');
  const pod = ksd('trace', '--rules', listing, '--from', '10.244.2.9', '--to', '10.96.40.7:80', '--json');
  assert.equal(pod.status, 0, pod.stderr);
  const d = JSON.parse(pod.stdout);
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(d.endpoints.map((e: { ip: string; probability: number }) => `${e.ip}@${e.probability}`), ['10.244.1.4@0.5', '10.244.1.7@0.5']);
  assert.equal(d.masquerade, false);
  const self = ksd('trace', '--rules', listing, '--from', '10.244.1.4', '--to', '10.96.40.7:80');
  assert.equal(self.status, 0, self.stderr);
  assert.match(self.stdout, /hairpin-connections/);
});
