import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

// Traces through the rules rendered from manifests (render -> parse -> trace), on the two-node fixture.
const root = path.resolve(__dirname, '../../..');
const cluster = path.join(root, 'test/fixtures/trace/cluster.yaml');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
interface Result {
  verdict: string;
  endpoints: { ip: string; port: number; probability: number }[];
  masquerade: boolean;
  steps: { table: string; chain: string; rule: string; effect: string }[];
  explanation: string;
}
const trace = (from: string, to: string, ...extra: string[]): Result => {
  const r = ksd('trace', cluster, '--from', from, '--to', to, '--json', ...extra);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Result;
};
const eps = (d: Result) => d.endpoints.map((e) => `${e.ip}:${e.port}@${e.probability}`);

test('pod to ClusterIP by Service name: both endpoints at 1/2, no masquerade; the contract\'s default node, or --node', () => {
  // The ClusterIP belongs to no node, so the contract's default is the first Node given.
  let d = trace('pod:shop/client', 'shop/web:80');
  assert.match(d.explanation, /on node worker-1/);
  d = trace('pod:shop/client', 'shop/web:80', '--node', 'worker-2');
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(eps(d), ['10.244.1.10:8080@0.5', '10.244.2.20:8080@0.5']);
  assert.equal(d.masquerade, false);
  assert.match(d.explanation, /on node worker-2/);
  assert.ok(d.steps.some((s) => s.chain.startsWith('KUBE-SVC-') && /rule probability 0\.5/.test(s.effect)));
});

test('node to ClusterIP is masqueraded; hairpin masquerades only the branch back to the sender', () => {
  assert.equal(trace('node:worker-1', '10.96.10.10:80').masquerade, true);
  const hair = trace('shop/web-a', '10.96.10.10:80');
  assert.equal(hair.masquerade, true);
  assert.match(hair.explanation, /Only when it lands on 10\.244\.1\.10:8080 .*hairpin/);
});

test('eTP Local NodePort: dropped on the node without a local endpoint, kept source on the node with one, short-circuit for pods', () => {
  const drop = trace('8.8.8.8', 'node:worker-2:30081');
  assert.equal(drop.verdict, 'DROP');
  assert.match(drop.explanation, /externalTrafficPolicy is Local and node worker-2 has no ready endpoint for shop\/local:http\. Ready endpoints run on node worker-1/);
  const ok = trace('8.8.8.8', 'node:worker-1:30081');
  assert.deepEqual(eps(ok), ['10.244.1.10:8080@1']);
  assert.equal(ok.masquerade, false);
  const pod = trace('shop/client', 'node:worker-2:30081');
  assert.equal(pod.verdict, 'DNAT');
  assert.match(pod.explanation, /short-circuited/);
  const self = trace('worker-2', 'node:worker-2:30081');
  assert.equal(self.verdict, 'DNAT');
  assert.equal(self.masquerade, true);
  const other = trace('worker-1', 'node:worker-2:30081');
  assert.equal(other.verdict, 'DROP', 'another node\'s packet arrives from the network');
});

test('LoadBalancer IP inside and outside loadBalancerSourceRanges; externalIP', () => {
  const inside = trace('203.0.113.7', '198.51.100.10:80');
  assert.equal(inside.verdict, 'DNAT');
  assert.equal(inside.masquerade, true);
  const outside = trace('8.8.8.8', '198.51.100.10:80');
  assert.equal(outside.verdict, 'DROP');
  assert.match(outside.explanation, /outside the loadBalancerSourceRanges of shop\/lb:http/);
  assert.equal(trace('8.8.8.8', '198.51.100.50:80').verdict, 'DNAT');
});

test('LoadBalancer with externalTrafficPolicy Local and source ranges, on a node without a local endpoint: dropped, and not for the source', () => {
  // web-a (app=web, tier=front) runs on worker-1 only.
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-lb-local-'));
  const extra = path.join(dir, 'edge.yaml');
  writeFileSync(extra, `apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
spec:
  type: LoadBalancer
  clusterIP: 10.96.10.40
  selector: {app: web, tier: front}
  externalTrafficPolicy: Local
  loadBalancerSourceRanges: [203.0.113.0/24]
  ports: [{name: http, port: 80, targetPort: http, nodePort: 30090}]
status:
  loadBalancer:
    ingress: [{ip: 198.51.100.20}]
`);
  const run = (node: string, from: string): Result => {
    const r = ksd('trace', cluster, extra, '--from', from, '--to', '198.51.100.20:80', '--node', node, '--json');
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Result;
  };
  const away = run('worker-2', '203.0.113.7');
  assert.equal(away.verdict, 'DROP');
  assert.match(away.explanation, /source 203\.0\.113\.7 is within the loadBalancerSourceRanges of shop\/edge:http, but node worker-2 has no endpoint for its external traffic/);
  assert.doesNotMatch(away.explanation, /outside the loadBalancerSourceRanges/);
  // Outside the ranges it is the source that is refused, on either node.
  assert.match(run('worker-2', '8.8.8.8').explanation, /source 8\.8\.8\.8 is outside the loadBalancerSourceRanges of shop\/edge:http/);
  assert.equal(run('worker-1', '203.0.113.7').verdict, 'DNAT');
});

test('no endpoints: REJECT, with the reason from the manifests; terminating-only endpoints; session affinity', () => {
  const rej = trace('shop/client', '10.96.10.12:80');
  assert.equal(rej.verdict, 'REJECT');
  assert.match(rej.explanation, /pod shop\/broken is not served \(pod is not Ready\)/);
  const draining = trace('shop/client', '10.96.10.15:80');
  assert.deepEqual(eps(draining), ['10.244.1.77:8080@1']);
  assert.match(draining.explanation, /terminating but still serving/);
  const sticky = trace('shop/client', '10.96.10.11:80');
  assert.match(sticky.explanation, /Session affinity \(ClientIP\).*10800 s/);
});

test('--node overrides the default node; unknown --node is a clear error; --mode nftables traces too', () => {
  const d = trace('8.8.8.8', '192.168.0.12:30081', '--node', 'worker-1');
  assert.equal(d.verdict, 'NONE', 'worker-1 does not own 192.168.0.12');
  let r = ksd('trace', cluster, '--from', '8.8.8.8', '--to', '10.96.10.10:80', '--node', 'worker-9');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--node worker-9: no such Node/);
  r = ksd('trace', cluster, '--from', '8.8.8.8', '--to', '10.96.10.10:80', '--mode', 'nftables', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(['DNAT', 'DROP', 'REJECT', 'ACCEPT', 'NONE'].includes(JSON.parse(r.stdout).verdict));
  assert.ok(JSON.parse(r.stdout).steps.some((s: { table: string }) => s.table === 'ip kube-proxy'));
});

test('--batch through generated rules keeps the order', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-batch-'));
  const flows = path.join(dir, 'flows.json');
  writeFileSync(flows, JSON.stringify([{ from: 'shop/client', to: '10.96.10.12:80', protocol: 'TCP' }, { from: 'shop/client', to: '10.96.10.10:80' }, { from: '8.8.8.8', to: 'node:worker-2:30081' }, { from: 'shop/client', to: '10.96.10.10:80', protocol: 'UDP' }]));
  const r = ksd('trace', cluster, '--batch', flows);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as Result[]).map((x) => x.verdict), ['REJECT', 'DNAT', 'DROP', 'NONE']);
});

test('ksd diff against generated rules: restore payload and save view of the same node agree; another node differs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-diff-'));
  const restore = path.join(dir, 'w1.restore');
  const save = path.join(dir, 'w1.save');
  writeFileSync(restore, ksd('rules', cluster, '--node', 'worker-1').stdout);
  writeFileSync(save, ksd('rules', cluster, '--node', 'worker-1', '--format', 'save').stdout);
  for (const f of [restore, save]) {
    const r = ksd('diff', cluster, '--rules', f, '--node', 'worker-1');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /match the expected ones/);
  }
  const r = ksd('diff', cluster, '--rules', save, '--node', 'worker-2', '--json');
  assert.equal(r.status, 1);
  const d = JSON.parse(r.stdout);
  assert.ok(d.missing.some((x: { rule: string }) => /shop\/local:http has no local endpoints/.test(x.rule)));
  assert.ok(d.extra.some((x: { rule: string }) => /KUBE-SVL-/.test(x.rule)));
});

test('--batch: every flow is explained as a single trace would be (the notes model is shared across flows)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-batch-notes-'));
  const flows = path.join(dir, 'flows.json');
  const list = [
    { from: '10.244.2.99', to: '10.96.10.12:80' },
    { from: 'shop/client', to: '10.96.10.10:80' },
    { from: '10.244.2.99', to: '10.96.10.12:80' },
    { from: '8.8.8.8', to: 'node:worker-2:30081' },
    { from: '10.244.1.10', to: '10.96.10.11:80' },
  ];
  writeFileSync(flows, JSON.stringify(list));
  const r = ksd('trace', cluster, '--batch', flows);
  assert.equal(r.status, 0, r.stderr);
  const batch = JSON.parse(r.stdout) as { explanation: string }[];
  assert.equal(batch.length, list.length);
  list.forEach((f, i) => {
    const one = ksd('trace', cluster, '--from', f.from, '--to', f.to, '--json');
    assert.equal(one.status, 0, one.stderr);
    assert.equal(batch[i]!.explanation, (JSON.parse(one.stdout) as { explanation: string }).explanation, `flow ${i + 1}`);
  });
  // The Service without endpoints gets its cluster-state note, each time it is traced.
  assert.match(batch[0]!.explanation, /In the manifests: pod shop\/broken is not served/);
  assert.equal(batch[2]!.explanation, batch[0]!.explanation);
});
