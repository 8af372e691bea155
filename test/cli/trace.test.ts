import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const fx = (name: string) => path.join(root, 'test/fixtures/rules', name);
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-trace-'));
const write = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

test('ksd trace --rules (iptables-save) --json prints the contract result', () => {
  const r = ksd('trace', '--rules', fx('node-save.txt'), '--from', '10.244.1.4', '--to', '10.96.31.4:80', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['verdict', 'endpoints', 'masquerade', 'steps', 'explanation']);
  assert.equal(out.verdict, 'DNAT');
  assert.deepEqual(out.endpoints.map((e: { ip: string; probability: number }) => [e.ip, e.probability]), [['10.244.1.12', 1 / 3], ['10.244.1.7', 1 / 3], ['10.244.2.9', 1 / 3]]);
  assert.equal(out.masquerade, false);
  assert.ok(out.steps.every((s: Record<string, string>) => s.table && s.chain && s.rule && s.effect));
  assert.equal(r.stderr, '');
});

test('ksd trace text output and a listing; node sources are masqueraded', () => {
  const r = ksd('trace', '--rules', fx('classic-nat.listing'), '--from', 'node:192.168.49.2', '--to', '10.96.0.1:443');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^DNAT {2}node:192\.168\.49\.2 -> 10\.96\.0\.1:443/);
  assert.match(r.stdout, /192\.168\.49\.2:8443 {2}100%/);
  assert.match(r.stdout, /masquerade: yes/);
  assert.match(r.stdout, /nat OUTPUT: jump to KUBE-SERVICES/);
});

test('ksd trace --batch: results in order; IPv6 as [addr]:port', () => {
  const flows = write('flows.json', JSON.stringify([
    { from: '10.0.0.2', to: '172.30.0.44:80' },
    { from: '10.0.0.2', to: '172.30.0.46:80', protocol: 'TCP' },
    { from: '203.0.113.9', to: '192.168.0.2:3001' },
    { from: '10.0.0.2', to: '172.30.0.41:80', protocol: 'UDP' },
  ]));
  const r = ksd('trace', '--rules', fx('upstream-overall.restore'), '--node-ip', '192.168.0.2', '--batch', flows);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { verdict: string }[];
  assert.deepEqual(out.map((x) => x.verdict), ['DNAT', 'REJECT', 'DROP', 'NONE']);
  const v6 = write('v6.save', '*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SEP-A - [0:0]\n-A KUBE-SERVICES -d fd00:96::10/128 -p tcp -m tcp --dport 80 -j KUBE-SEP-A\n-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination [fd00:10::5]:8080\nCOMMIT\n');
  const r6 = ksd('trace', '--rules', v6, '--from', 'fd00:10::9', '--to', '[fd00:96::10]:80', '--json');
  assert.equal(r6.status, 0, r6.stderr);
  assert.deepEqual(JSON.parse(r6.stdout).endpoints, [{ ip: 'fd00:10::5', port: 8080, probability: 1 }]);
});

test('ksd trace resolves pods and nodes from manifests and defaults --node to the source pod\'s node', () => {
  const manifests = write('cluster.yaml', `apiVersion: v1
kind: Node
metadata: {name: worker-1}
status:
  addresses: [{type: InternalIP, address: 192.168.0.2}]
  conditions: [{type: Ready, status: "True"}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ns1, labels: {app: client}}
spec:
  nodeName: worker-1
  containers: [{name: c, image: busybox}]
status:
  phase: Running
  podIP: 10.0.0.2
  podIPs: [{ip: 10.0.0.2}]
  conditions: [{type: Ready, status: "True"}]
`);
  const r = ksd('trace', manifests, '--rules', fx('upstream-overall.restore'), '--from', 'pod:ns1/client', '--to', '1.2.3.4:80');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^DNAT/);
  assert.match(r.stdout, /on node worker-1/);
  assert.match(r.stdout, /short-circuited/);
  const ext = ksd('trace', manifests, '--rules', fx('upstream-overall.restore'), '--from', '203.0.113.9', '--to', 'node:worker-1:3001', '--json');
  assert.equal(ext.status, 0, ext.stderr);
  assert.match(JSON.parse(ext.stdout).explanation, /externalTrafficPolicy is Local and node worker-1 has no ready endpoint/);
  const byName = ksd('trace', manifests, '--rules', fx('upstream-overall.restore'), '--from', 'worker-1', '--to', '172.30.0.41:80', '--json');
  assert.equal(JSON.parse(byName.stdout).masquerade, true);
});

test('ksd trace: bad input gives a clear message and exit 2, never a stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['trace', '--rules', fx('node-save.txt'), '--from', '10.0.0.1'], /needs --from SRC and --to DST:PORT/],
    [['trace', '--from', '10.0.0.1', '--to', '10.0.0.2:80'], /needs PATHS \(manifests\), --live, or --rules FILE/],
    [['trace', '--rules', fx('node-save.txt'), '--from', '10.0.0.1', '--to', '10.0.0.2'], /expected DST:PORT/],
    [['trace', '--rules', fx('node-save.txt'), '--from', '10.0.0.1', '--to', '10.0.0.2:99999'], /expected DST:PORT/],
    [['trace', '--rules', fx('node-save.txt'), '--from', 'no-such-thing', '--to', '10.0.0.2:80'], /not an IP address, and no pod, workload or Node/],
    [['trace', '--rules', fx('node-save.txt'), '--from', '10.0.0.1', '--to', '10.0.0.2:80', '--protocol', 'ICMP'], /protocol must be TCP, UDP or SCTP/],
    [['trace', '--rules', fx('node-save.txt'), '--from', '10.0.0.1', '--to', '[fd00::1]:80'], /different IP families/],
    [['trace', '--rules', write('garbage.txt', 'this is not a rules file\n'), '--from', '10.0.0.1', '--to', '10.0.0.2:80'], /garbage\.txt: line 1: .*does not start iptables-save output/],
    [['trace', '--rules', write('bad.save', '*nat\n:A - [0:0]\n-A B -j RETURN\nCOMMIT\n'), '--from', '10.0.0.1', '--to', '10.0.0.2:80'], /bad\.save: line 3: rule for chain B/],
    [['trace', '--rules', path.join(tmp, 'missing.txt'), '--from', '10.0.0.1', '--to', '10.0.0.2:80'], /missing\.txt: no such file/],
    [['trace', '--rules', fx('node-save.txt'), '--batch', write('bad.json', '{"from": 1}')], /expected a JSON array/],
    [['trace', '--rules', fx('node-save.txt'), '--batch', write('bad2.json', '[{"from": "10.0.0.1"}]')], /flow 1 must be/],
    [['trace', '--rules', fx('node-save.txt'), '--batch', write('bad3.json', '[{"from": "10.0.0.1", "to": "x"}]')], /flow 1: --to x: expected DST:PORT/],
    [['trace', '--rules', fx('node-save.txt'), '--batch', write('bad4.json', 'not json')], /not valid JSON/],
    // A Service named without its port: the ports it has, spelled as --to wants them (nothing for an unknown name).
    [['trace', 'examples', '--from', '10.0.0.1', '--to', 'shop/catalog'], /expected DST:PORT .*\(Service shop\/catalog has shop\/catalog:80 \(TCP, http\)\)$/m],
    [['trace', 'examples', '--from', '10.0.0.1', '--to', 'shop/nothing'], /expected DST:PORT \(IPv6 as \[addr\]:port\), with a port from 1 to 65535$/m],
  ];
  for (const [args, re] of cases) {
    const r = ksd(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    assert.equal(r.stdout, '');
  }
});

test('ksd trace with unknown matches in the rules still traces, and says what it assumed', () => {
  const rules = write('odd.save', '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SEP-A - [0:0]\n-A PREROUTING -m physdev --physdev-is-in -j KUBE-SEP-A\n-A PREROUTING -d 10.96.0.5/32 -p tcp -m tcp --dport 80 -j KUBE-SEP-A\n-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.0.9:80\nCOMMIT\n');
  const r = ksd('trace', '--rules', rules, '--from', '10.244.0.3', '--to', '10.96.0.5:80');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^DNAT/);
  assert.match(r.stdout, /physdev --physdev-is-in" is not modelled: assumed not to match/);
});

test('ksd diff: identical, save vs restore spelling, stale endpoints, missing and extra rules', () => {
  const same = ksd('diff', '--rules', fx('upstream-overall.restore'), '--expected', fx('upstream-overall.restore'));
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /match the expected ones/);
  const expected = write('expected.restore', '*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-W - [0:0]\n:KUBE-SEP-A - [0:0]\n:KUBE-SEP-B - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n-A KUBE-SERVICES -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.5 --dport 80 -j KUBE-SVC-W\n-A KUBE-SVC-W -m comment --comment "ns/web:http -> 10.244.0.1:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-A\n-A KUBE-SVC-W -m comment --comment "ns/web:http -> 10.244.0.2:80" -j KUBE-SEP-B\n-A KUBE-SEP-A -m comment --comment ns/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.1:80\n-A KUBE-SEP-B -m comment --comment ns/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:80\n-A KUBE-SERVICES -m comment --comment "ns/new:http cluster IP" -m tcp -p tcp -d 10.96.0.6 --dport 80 -j KUBE-SVC-W\nCOMMIT\n');
  const actual = write('actual.save', '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-W - [0:0]\n:KUBE-SEP-A - [0:0]\n:KUBE-SEP-C - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-PROXY-CANARY - [0:0]\n:CNI-HOSTPORT - [0:0]\n-A CNI-HOSTPORT -j RETURN\n-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n-A KUBE-SERVICES -d 10.96.0.5/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-W\n-A KUBE-SVC-W -m comment --comment "ns/web:http -> 10.244.0.1:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A\n-A KUBE-SVC-W -m comment --comment "ns/web:http -> 10.244.0.3:80" -j KUBE-SEP-C\n-A KUBE-SEP-A -p tcp -m comment --comment ns/web:http -m tcp -j DNAT --to-destination 10.244.0.1:80\n-A KUBE-SEP-C -p tcp -m comment --comment ns/web:http -m tcp -j DNAT --to-destination 10.244.0.3:80\n-A KUBE-SERVICES -d 10.96.0.9/32 -p tcp -m comment --comment "ns/old:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-W\nCOMMIT\n');
  const r = ksd('diff', '--rules', actual, '--expected', expected, '--json');
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.deepEqual(d.missing.map((x: { rule: string }) => x.rule), ['-A KUBE-SERVICES -m comment --comment "ns/new:http cluster IP" -m tcp -p tcp -d 10.96.0.6 --dport 80 -j KUBE-SVC-W']);
  assert.deepEqual(d.extra.map((x: { rule: string }) => x.rule), ['-A KUBE-SERVICES -d 10.96.0.9/32 -p tcp -m comment --comment "ns/old:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-W']);
  assert.deepEqual(d.stale.map((s: { endpoint: string; kind: string }) => `${s.endpoint} ${s.kind}`), ['10.244.0.2:80 expected-only', '10.244.0.3:80 in-rules-only']);
  assert.deepEqual(d.missingChains, []);
  assert.deepEqual(d.extraChains, []);
  const text = ksd('diff', '--rules', actual, '--expected', expected);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /Rules missing on the node \(1\)/);
  assert.match(text.stdout, /ns\/web:http 10\.244\.0\.3:80: still in the node's rules, but no longer an endpoint/);
  const noRules = ksd('diff', 'examples');
  assert.equal(noRules.status, 2);
  assert.match(noRules.stderr, /needs --rules FILE/);
});

test('ksd --help lists trace and diff; ksd trace --help documents the SRC syntax', () => {
  const r = ksd('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /ksd trace PATHS --from SRC --to DST:PORT/);
  assert.match(r.stdout, /ksd diff PATHS --rules FILE/);
  const t = ksd('trace', '--help');
  assert.equal(t.status, 0);
  assert.match(t.stdout, /pod:NS\/NAME, node:NAME, pod:IP, node:IP,\s+external:IP/);
  assert.match(t.stdout, /--batch takes a JSON array of \{from, to, protocol\}/);
});

test('ksd trace --from: a pod or workload is found as ksd env and ksd dns --pod find it, and missed with their wording', () => {
  const cluster = path.join(root, 'test/fixtures/trace/cluster.yaml');
  // One lookup (src/cli/findPod.ts): the same miss reads the same in every command, --from naming the flag first.
  const env = ksd('env', 'default/ghost', cluster);
  assert.equal(env.status, 2);
  const miss = /no pod or workload default\/ghost in the given manifests \(pods: [^)]+\)/.exec(env.stderr)?.[0];
  assert.ok(miss, env.stderr);
  const dns = ksd('dns', 'x', cluster, '--pod', 'default/ghost');
  assert.ok(dns.stderr.includes(miss), dns.stderr);
  const pod = ksd('trace', cluster, '--from', 'pod:default/ghost', '--to', '10.96.10.10:80');
  assert.equal(pod.status, 2);
  assert.ok(pod.stderr.includes(`--from pod:default/ghost: ${miss}`), pod.stderr);
  // A bare name that is nothing: the pods and Nodes there are; node:NAME says which Nodes there are.
  const bare = ksd('trace', cluster, '--from', 'ghost', '--to', '10.96.10.10:80');
  assert.match(bare.stderr, /--from ghost: not an IP address, and no pod, workload or Node of that name in the given manifests \(pods: [^)]+\) \(Nodes: worker-1, worker-2\)/);
  const node = ksd('trace', cluster, '--from', 'node:ghost', '--to', '10.96.10.10:80');
  assert.equal(node.status, 2);
  assert.match(node.stderr, /--from node:ghost: no Node ghost in the given manifests \(Nodes: worker-1, worker-2\)/);
  // Found the same way by every command, with or without the pod: prefix.
  assert.equal(ksd('env', 'shop/web-a', cluster).status, 0);
  for (const from of ['shop/web-a', 'pod:shop/web-a']) {
    const r = ksd('trace', cluster, '--from', from, '--to', '10.96.10.10:80');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^TCP 10\.244\.1\.10 -> 10\.96\.10\.10:80 on node worker-1 /m);
  }
});
