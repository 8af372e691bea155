import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

// ksd rules/trace/diff without --kube-proxy-version: the release comes from the kube-proxy DaemonSet in the
// manifests, else the node's kubeletVersion, and a release a mode does not model falls back with a note.
const root = path.resolve(__dirname, '../../..');
const cluster = path.join(root, 'test/fixtures/trace/cluster.yaml');
const dsText = readFileSync(path.join(root, 'test/fixtures/version/kube-proxy-daemonset.yaml'), 'utf8');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-version-'));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
const ds = (tag: string) => write(`ds-${tag}.yaml`, dsText.replace('kube-proxy:v1.22.17', `kube-proxy:${tag}`));
/** The fixture cluster with kubelet versions on its nodes (worker-1 1.33, worker-2 1.36). */
const versioned = write(
  'cluster-kubelets.yaml',
  readFileSync(cluster, 'utf8')
    .replace('address: 192.168.0.11}]\n', 'address: 192.168.0.11}]\n  nodeInfo: {kubeletVersion: v1.33.4, kubeProxyVersion: v1.20.0}\n')
    .replace('address: 192.168.0.12}]\n', 'address: 192.168.0.12}]\n  nodeInfo: {kubeletVersion: v1.36.1-eks-113cf36}\n'),
);

test('ksd rules: the DaemonSet image names the release; the note goes to stderr for a restore payload, in a # note: line otherwise', () => {
  const v122 = ds('v1.22.17');
  const r = ksd('rules', cluster, v122);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, 'ksd rules: note: kube-proxy v1.22.17 (from DaemonSet kube-system/kube-proxy): rules in the v1.19-v1.22 iptables layout\n');
  assert.equal(r.stdout, ksd('rules', cluster, '--kube-proxy-version', '1.22').stdout);
  assert.notEqual(r.stdout, ksd('rules', cluster).stdout);
  const save = ksd('rules', cluster, v122, '--format', 'save');
  assert.match(save.stdout, /^# note: kube-proxy v1\.22\.17 \(from DaemonSet kube-system\/kube-proxy\): rules in the v1\.19-v1\.22 iptables layout\n# ksd: KUBE-MARK-DROP, KUBE-FIREWALL/);
  assert.equal(save.stderr, '');
  // The user's version wins and says nothing.
  const mine = ksd('rules', cluster, v122, '--kube-proxy-version', '1.31');
  assert.deepEqual([mine.status, mine.stderr], [0, '']);
  assert.equal(mine.stdout, ksd('rules', cluster).stdout);
});

test('ksd rules --mode nftables: a cluster release out of range falls back to the nearest layout with a note, not an error', () => {
  const v137 = ds('v1.37.1');
  const r = ksd('rules', cluster, v137, '--mode', 'nftables', '--node', 'worker-1');
  assert.equal(r.status, 0, r.stderr);
  const note = '# note: kube-proxy v1.37.1 (from DaemonSet kube-system/kube-proxy): rules shown in the v1.36 nftables layout, the newest modelled; 1.37 differs for single-endpoint Services (it DNATs them directly, without a numgen map)\n';
  assert.ok(r.stdout.startsWith(note), r.stdout.slice(0, 300));
  assert.equal(r.stdout.slice(note.length), ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1', '--kube-proxy-version', '1.36').stdout);
  // Asked for by the user, 1.37 is refused with the reason.
  const asked = ksd('rules', cluster, '--mode', 'nftables', '--kube-proxy-version', '1.37');
  assert.equal(asked.status, 2);
  assert.match(asked.stderr, /1\.37's nftables rules are not modelled/);
  // An unreadable tag is ignored: no note, the default layout.
  const latest = ksd('rules', cluster, ds('latest'), '--mode', 'nftables', '--node', 'worker-1');
  assert.equal(latest.stdout, ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1').stdout);
  // Rules printed with the note read back: ksd diff compares them with the same resolution and agrees.
  const f = write('w1-137.nft', r.stdout);
  const d = ksd('diff', cluster, v137, '--rules', f, '--node', 'worker-1');
  assert.equal(d.status, 0, d.stdout + d.stderr);
  assert.match(d.stdout, /match the expected ones .*\nNote: kube-proxy v1\.37\.1 \(from DaemonSet kube-system\/kube-proxy\): rules shown in the v1\.36 nftables layout/);
  // The same node listing against a 1.33 cluster: the layouts differ, and both notes say why.
  const d133 = ksd('diff', cluster, ds('v1.33.0'), '--rules', f, '--node', 'worker-1');
  assert.equal(d133.status, 1);
  assert.match(d133.stdout, /Note: kube-proxy v1\.33\.0 \(from DaemonSet kube-system\/kube-proxy\): rules in the v1\.31-v1\.33 nftables layout\.\nNote: the node's table has the layout of kube-proxy v1\.36 .*compared with the v1\.31-v1\.33 layout; pass --kube-proxy-version 1\.36/);
});

test("ksd rules/trace: without a DaemonSet the traced node's kubeletVersion decides, per node", () => {
  const w1 = ksd('rules', versioned, '--mode', 'nftables', '--node', 'worker-1');
  assert.equal(w1.status, 0, w1.stderr);
  assert.match(w1.stdout, /^# note: kube-proxy 1\.33 \(from node worker-1's kubelet v1\.33\.4\): rules in the v1\.31-v1\.33 nftables layout\n/);
  assert.match(w1.stdout, /^add chain ip kube-proxy filter-output-post-dnat /m);
  const w2 = ksd('rules', versioned, '--mode', 'nftables', '--node', 'worker-2');
  assert.match(w2.stdout, /^# note: kube-proxy 1\.36 \(from node worker-2's kubelet v1\.36\.1-eks-113cf36\): rules in the v1\.36 nftables layout\n/);
  assert.match(w2.stdout, /^add set ip kube-proxy hairpin-connections /m);
  // ksd trace: the explanation names the release, for the node the trace runs on.
  const t1 = ksd('trace', versioned, '--mode', 'nftables', '--node', 'worker-1', '--from', '10.244.2.99', '--to', '10.96.10.10:80', '--json');
  assert.equal(t1.status, 0, t1.stderr);
  const j1 = JSON.parse(t1.stdout) as { verdict: string; explanation: string };
  assert.equal(j1.verdict, 'DNAT');
  assert.match(j1.explanation, / Note: kube-proxy 1\.33 \(from node worker-1's kubelet v1\.33\.4\): rules in the v1\.31-v1\.33 nftables layout\.$/);
  const t2 = ksd('trace', versioned, '--node', 'worker-2', '--from', '10.244.2.99', '--to', '10.96.10.10:80');
  assert.match(t2.stdout, /Note: kube-proxy 1\.36 \(from node worker-2's kubelet v1\.36\.1-eks-113cf36\): rules in the v1\.31\+ iptables layout\./);
  // The DaemonSet beats the kubelet; --kube-proxy-version beats both and adds no note.
  const t3 = ksd('trace', versioned, ds('v1.29.2'), '--node', 'worker-2', '--from', '10.244.2.99', '--to', '10.96.10.10:80', '--json');
  assert.match((JSON.parse(t3.stdout) as { explanation: string }).explanation, /Note: kube-proxy v1\.29\.2 \(from DaemonSet kube-system\/kube-proxy\): rules in the v1\.29 iptables layout\.$/);
  const t4 = ksd('trace', versioned, ds('v1.29.2'), '--kube-proxy-version', '1.31', '--node', 'worker-2', '--from', '10.244.2.99', '--to', '10.96.10.10:80', '--json');
  assert.doesNotMatch((JSON.parse(t4.stdout) as { explanation: string }).explanation, /Note: kube-proxy/);
  // IPVS from a cluster older than the modelled helper rules: traced in 1.29's, with the note.
  const t5 = ksd('trace', cluster, ds('v1.27.3'), '--mode', 'ipvs', '--from', '10.244.2.99', '--to', '10.96.10.10:80', '--json');
  assert.equal(t5.status, 0, t5.stderr);
  assert.match((JSON.parse(t5.stdout) as { explanation: string }).explanation, /Note: kube-proxy v1\.27\.3 .*the oldest modelled; 1\.27's IPVS helper rules/);
});

test('ksd rules/trace on a GKE-style cluster: the static kube-proxy Pod on the node names the release, per node', () => {
  const gke = path.join(root, 'test/fixtures/version/gke-static-kube-proxy.yaml');
  const w1 = ksd('rules', versioned, gke, '--node', 'worker-1');
  assert.equal(w1.status, 0, w1.stderr);
  assert.equal(w1.stderr, 'ksd rules: note: kube-proxy v1.30.5-gke.1014001 (from Pod kube-system/kube-proxy-worker-1): rules in the v1.30 iptables layout\n');
  assert.equal(w1.stdout, ksd('rules', versioned, '--node', 'worker-1', '--kube-proxy-version', '1.30').stdout);
  // nftables from a 1.30 node: the oldest modelled layout, noted.
  const n1 = ksd('rules', versioned, gke, '--mode', 'nftables', '--node', 'worker-1');
  assert.equal(n1.status, 0, n1.stderr);
  assert.match(n1.stdout, /^# note: kube-proxy v1\.30\.5-gke\.1014001 \(from Pod kube-system\/kube-proxy-worker-1\): rules shown in the v1\.31-v1\.33 nftables layout, the oldest modelled/);
  const t2 = ksd('trace', versioned, gke, '--mode', 'nftables', '--node', 'worker-2', '--from', '10.244.2.99', '--to', '10.96.10.10:80', '--json');
  assert.equal(t2.status, 0, t2.stderr);
  assert.match((JSON.parse(t2.stdout) as { explanation: string }).explanation, / Note: kube-proxy v1\.33\.5-gke\.1162000 \(from Pod kube-system\/kube-proxy-worker-2\): rules in the v1\.31-v1\.33 nftables layout\.$/);
  // The kube-proxy Pods are hostNetwork system pods: no finding about them.
  const check = ksd('check', gke, '--format', 'json');
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
