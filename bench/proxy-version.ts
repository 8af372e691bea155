/**
 * Benchmark: what choosing the kube-proxy release from the cluster costs (resolveProxyVersion), on a state
 * with many workloads (10,000 Deployments, 500 other DaemonSets, the kube-proxy DaemonSet) and 1,000 Nodes
 * with kubelet versions: the first resolution per node (a pass over the workloads) and a cached one.
 * CPU time from process.cpuUsage. Prints figures; never fails on timing. Run: npm run bench:version
 */
import { buildClusterState, loadManifest, resolveProxyVersion, type ClusterState } from '../src/core';
import { bigFile } from './generate';

const APPS = Number(process.env['BENCH_APPS'] ?? 10_000);
const DAEMONSETS = 500;
const NODES = 1000;

function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

function state(withKubeProxy: boolean): ClusterState {
  const docs: string[] = [bigFile(APPS, 50)];
  for (let i = 0; i < DAEMONSETS; i++) {
    const ns = i % 2 ? 'kube-system' : `team-${i % 50}`;
    docs.push(JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: `agent-${i}`, namespace: ns }, spec: { selector: { matchLabels: { a: `${i}` } }, template: { metadata: { labels: { a: `${i}` } }, spec: { containers: [{ name: 'agent', image: `registry.example/agent:v1.${i % 40}.0` }] } } } }));
  }
  if (withKubeProxy) docs.push(JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, spec: { selector: { matchLabels: { k: 'p' } }, template: { metadata: { labels: { k: 'p' } }, spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.37.1' }] } } } }));
  for (let n = 0; n < NODES; n++) {
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.${n >> 8}.${n & 255}` }], nodeInfo: { kubeletVersion: `v1.${30 + (n % 8)}.2` } } }));
  }
  const f = loadManifest('bench.yaml', docs.join('\n---\n'));
  return buildClusterState(f.objects, { simulatePods: false });
}

for (const withKubeProxy of [true, false]) {
  const s = state(withKubeProxy);
  const label = withKubeProxy ? 'kube-proxy DaemonSet present' : 'no kube-proxy DaemonSet (kubelet versions decide)';
  let first = 0;
  const firstRuns: number[] = [];
  for (let n = 0; n < 100; n++) {
    const ms = cpuMs(() => resolveProxyVersion(s, 'nftables', { node: `node-${n}` }));
    firstRuns.push(ms);
    first += ms;
  }
  const cached = cpuMs(() => {
    for (let i = 0; i < 100_000; i++) resolveProxyVersion(s, 'nftables', { node: `node-${i % 100}` });
  });
  firstRuns.sort((a, b) => a - b);
  console.log(
    `${label}: ${s.workloads.length} workloads, ${s.nodes.length} nodes; first resolution per node: median ${firstRuns[50]!.toFixed(3)} ms CPU, ` +
      `max ${firstRuns[99]!.toFixed(3)} ms (100 nodes, ${first.toFixed(1)} ms in all); cached: ${((cached / 100_000) * 1000).toFixed(2)} us CPU per call`,
  );
  console.log(`  e.g. ${resolveProxyVersion(s, 'nftables', { node: 'node-7' }).note}`);
}
console.log(`(node ${process.version}, ${process.platform}/${process.arch}; CPU time from process.cpuUsage)`);
