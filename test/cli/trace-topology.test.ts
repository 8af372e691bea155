/**
 * `ksd trace` on a trafficDistribution: PreferClose Service: from 1.31 kube-proxy keeps the node's zone
 * (pkg/proxy/topology.go with ServiceTrafficDistribution on by default), before it needs the hints annotation.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const fixture = path.join(root, 'test/fixtures/trace/topology-zones.yaml');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });

test('ksd trace: PreferClose keeps the zone on 1.31 and says so; 1.28 uses every endpoint and says why', () => {
  const v131 = ksd('trace', fixture, '--from', '10.0.1.5', '--to', '10.96.0.10:80', '--node', 'n1', '--kube-proxy-version', '1.31', '--json');
  assert.equal(v131.status, 0, v131.stderr);
  const r131 = JSON.parse(v131.stdout);
  assert.deepEqual(r131.endpoints.map((e: { ip: string; probability: number }) => [e.ip, e.probability]), [['10.0.1.5', 1]]);
  assert.match(r131.explanation, /Topology \(PreferSameZone\): kube-proxy 1\.31 on node n1 sends cluster traffic only to the 1 of 2 ready endpoints hinted for zone zone-a\./);
  const v128 = ksd('trace', fixture, '--from', '10.0.1.5', '--to', '10.96.0.10:80', '--node', 'n1', '--kube-proxy-version', '1.28', '--json');
  assert.equal(v128.status, 0, v128.stderr);
  const r128 = JSON.parse(v128.stdout);
  assert.deepEqual(r128.endpoints.map((e: { ip: string }) => e.ip), ['10.0.1.5', '10.0.2.5']);
  assert.match(r128.explanation, /kube-proxy 1\.28 uses them only when the Service is annotated service\.kubernetes\.io\/topology-mode: Auto/);
  // From n2 (zone-b) on 1.31 the other endpoint.
  const n2 = JSON.parse(ksd('trace', fixture, '--from', '10.0.2.5', '--to', '10.96.0.10:80', '--node', 'n2', '--kube-proxy-version', '1.31', '--json').stdout);
  assert.deepEqual(n2.endpoints.map((e: { ip: string }) => e.ip), ['10.0.2.5']);
});

test('ksd trace: an ipMode Proxy ingress IP is DNATed by 1.29 only, and the NONE verdict says why', () => {
  const lb = path.join(root, 'test/fixtures/proxy/lb-local-ranges.yaml');
  const run = (v: string) => JSON.parse(ksd('trace', lb, '--from', '203.0.113.9', '--to', '5.6.7.8:80', '--node', 'n1', '--kube-proxy-version', v, '--json').stdout);
  const old = run('1.29');
  assert.equal(old.verdict, 'DNAT');
  assert.deepEqual(old.endpoints.map((e: { ip: string }) => e.ip), ['10.244.1.5']);
  // ClientIP affinity: the SEP chain's "-m recent --set" refreshes the record on every new connection and the
  // SVC/SVL chain's "--rcheck --seconds 600 --reap" checks its age (proxier.go writeServiceToEndpointRules).
  assert.match(old.explanation, /Session affinity \(ClientIP\): later connections from 203\.0\.113\.9 go to the same endpoint as long as each comes within 600 s of the previous one \(the record is kept on this node only\)\./);
  const now = run('1.34');
  assert.equal(now.verdict, 'NONE');
  assert.match(now.explanation, /5\.6\.7\.8 is a load-balancer ingress IP of Service default\/lb with ipMode Proxy: kube-proxy writes no rules for it/);
});

test('ksd trace: a NONE verdict calls the destination unknown to the rules only when no note says what it is', () => {
  const lb = path.join(root, 'test/fixtures/proxy/lb-local-ranges.yaml');
  const run = (mode: string, to: string) => JSON.parse(ksd('trace', lb, '--from', '203.0.113.9', '--to', to, '--node', 'n1', '--mode', mode, '--kube-proxy-version', '1.34', '--json').stdout);
  for (const mode of ['iptables', 'nftables']) {
    // The Proxy-mode ingress IP is a Service's address: the note says so, and the sentence does not deny it.
    const proxy = run(mode, '5.6.7.8:80');
    assert.equal(proxy.verdict, 'NONE', mode);
    assert.match(proxy.explanation, /matches no kube-proxy Service rule: it is not DNATed and goes on to 5\.6\.7\.8 unchanged\. 5\.6\.7\.8 is a load-balancer ingress IP/, mode);
    assert.doesNotMatch(proxy.explanation, /not a Service address and port these rules know/, mode);
    // An address no Service has: no note, and the sentence says the rules do not know it.
    const other = run(mode, '10.1.2.3:80');
    assert.equal(other.verdict, 'NONE', mode);
    assert.match(other.explanation, /goes on to 10\.1\.2\.3 unchanged \(not a Service address and port these rules know\)\./, mode);
  }
});

test('ksd trace: internalTrafficPolicy Local without a local endpoint, in each mode; a terminating-only Service', () => {
  const fx = path.join(root, 'test/fixtures/trace/itp-terminating.yaml');
  const run = (mode: string, to: string) => JSON.parse(ksd('trace', fx, '--from', '10.244.1.3', '--to', to, '--node', 'n1', '--mode', mode, '--kube-proxy-version', '1.34', '--json').stdout);
  // iptables and nftables DROP ("has no local endpoints"); IPVS keeps an empty virtual server, and the kernel
  // answers a packet for it with ICMP port unreachable (REJECT). Every mode says where the endpoints run.
  const expected: Record<string, string> = { iptables: 'DROP', nftables: 'DROP', ipvs: 'REJECT' };
  for (const mode of ['iptables', 'nftables', 'ipvs']) {
    const r = run(mode, '10.96.0.30:80');
    assert.equal(r.verdict, expected[mode], mode);
    assert.match(r.explanation, /The ready endpoints of default\/itp run on node n2: with internalTrafficPolicy Local only clients on that node reach it through its ClusterIP\./, mode);
  }
  // No ready endpoint anywhere: the serving-terminating one is used (CategorizeEndpoints' fallback), the
  // non-serving one is not, in every mode.
  for (const mode of ['iptables', 'nftables', 'ipvs']) {
    const r = run(mode, '10.96.0.31:80');
    assert.equal(r.verdict, 'DNAT', mode);
    assert.deepEqual(r.endpoints.map((e: { ip: string }) => e.ip), ['10.244.1.8'], mode);
  }
});
