/**
 * Benchmark: what choosing the kube-proxy release from the cluster costs (resolveProxyVersion), on a state
 * with many workloads (10,000 Deployments, 500 other DaemonSets, the kube-proxy DaemonSet) and 1,000 Nodes
 * with kubelet versions: the first resolution per node (a pass over the workloads) and a cached one; also a
 * GKE-like state with no DaemonSet running on the nodes, 20,000 other pods and a static kube-proxy Pod per node
 * (a pass over the pods once per state).
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

type Variant = 'daemonset' | 'static-pods' | 'kubelet';
const OTHER_PODS = 20_000;

function pods(): string[] {
  const docs: string[] = [];
  for (let i = 0; i < OTHER_PODS; i++) {
    const ns = i % 10 === 0 ? 'kube-system' : `team-${i % 50}`;
    const labels = i % 10 === 0 ? { 'k8s-app': 'kube-dns' } : { app: `app-${i % 3000}` };
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: ns, labels }, spec: { nodeName: `node-${i % NODES}`, containers: [{ name: 'app', image: 'registry.example/app:v1.2.3' }] }, status: { phase: 'Running', podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } }));
  }
  for (let n = 0; n < NODES; n++) {
    const image = `us-east1-artifactregistry.gcr.io/gke-release/gke-release/kube-proxy-amd64:v1.${30 + (n % 6)}.5-gke.1014001`;
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `kube-proxy-node-${n}`, namespace: 'kube-system', labels: { component: 'kube-proxy', tier: 'node' } }, spec: { nodeName: `node-${n}`, hostNetwork: true, containers: [{ name: 'kube-proxy', image }] }, status: { phase: 'Running' } }));
  }
  return docs;
}

function state(variant: Variant): ClusterState {
  const withKubeProxy = variant === 'daemonset';
  const docs: string[] = [bigFile(APPS, 50)];
  for (let i = 0; i < DAEMONSETS; i++) {
    const ns = i % 2 ? 'kube-system' : `team-${i % 50}`;
    docs.push(JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: `agent-${i}`, namespace: ns }, spec: { selector: { matchLabels: { a: `${i}` } }, template: { metadata: { labels: { a: `${i}` } }, spec: { containers: [{ name: 'agent', image: `registry.example/agent:v1.${i % 40}.0` }] } } } }));
  }
  if (withKubeProxy) docs.push(JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, spec: { selector: { matchLabels: { k: 'p' } }, template: { metadata: { labels: { k: 'p' } }, spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.37.1' }] } } } }));
  for (let n = 0; n < NODES; n++) {
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.${n >> 8}.${n & 255}` }], nodeInfo: { kubeletVersion: `v1.${30 + (n % 8)}.2` } } }));
  }
  const objects = loadManifest('bench.yaml', docs.join('\n---\n')).objects;
  // The pods in a file of their own: one file stays under the 10 MB manifest limit.
  if (variant === 'static-pods') objects.push(...loadManifest('pods.yaml', pods().join('\n---\n')).objects);
  return buildClusterState(objects, { simulatePods: false });
}

const LABELS: Record<Variant, string> = {
  daemonset: 'kube-proxy DaemonSet present',
  'static-pods': `static kube-proxy Pods (GKE), ${OTHER_PODS.toLocaleString('en')} other pods`,
  kubelet: 'no kube-proxy DaemonSet or Pod (kubelet versions decide)',
};
for (const variant of ['daemonset', 'static-pods', 'kubelet'] as const) {
  const s = state(variant);
  const label = LABELS[variant];
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
    `${label}: ${s.workloads.length} workloads, ${s.pods.length} pods, ${s.nodes.length} nodes; first resolution per node: median ${firstRuns[50]!.toFixed(3)} ms CPU, ` +
      `max ${firstRuns[99]!.toFixed(3)} ms (100 nodes, ${first.toFixed(1)} ms in all); cached: ${((cached / 100_000) * 1000).toFixed(2)} us CPU per call`,
  );
  console.log(`  e.g. ${resolveProxyVersion(s, 'nftables', { node: 'node-7' }).note}`);
}
console.log(`(node ${process.version}, ${process.platform}/${process.arch}; CPU time from process.cpuUsage)`);
