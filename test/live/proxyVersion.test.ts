/**
 * Live mode names the kube-proxy release from the cluster: the kube-proxy DaemonSet in kube-system when it
 * may be read, else the node's kubeletVersion. Against the in-process fake API server (test/live/fakeApiServer.ts),
 * not a real one: none can be installed here.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { clusterProxyVersion, resolveProxyVersion } from '../../src/core';
import { LiveCluster } from '../../src/live';
import { LIVE_KINDS } from '../../src/live/prefer';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const fastReflector = { watchTimeoutSeconds: 30, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.1 }, forbiddenRetryMs: 500 };

function versionedNode(name: string, ip: string, kubeletVersion: string) {
  const n = node(name, ip) as { status: Record<string, unknown> };
  n.status['nodeInfo'] = { kubeletVersion, kubeProxyVersion: 'v1.20.0', osImage: 'Debian GNU/Linux 12', containerRuntimeVersion: 'containerd://1.7.0' };
  return n;
}

const kubeProxyDs = (tag: string) => ({
  metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
  spec: {
    selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
    template: {
      metadata: { labels: { 'k8s-app': 'kube-proxy' } },
      spec: { hostNetwork: true, nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${tag}`, command: ['/usr/local/bin/kube-proxy'], env: [{ name: 'NODE_NAME', value: 'x' }] }] },
    },
  },
});

/** GKE's kube-proxy: the mirror pod of the node's static manifest (component=kube-proxy), or kOps' (k8s-app=kube-proxy). */
const proxyPod = (nodeName: string, tag: string, labels: Record<string, string> = { component: 'kube-proxy', tier: 'node' }) => ({
  metadata: { name: `kube-proxy-${nodeName}`, namespace: 'kube-system', labels, annotations: { 'kubernetes.io/config.source': 'file', 'kubernetes.io/config.mirror': 'abc' } },
  spec: {
    nodeName,
    hostNetwork: true,
    containers: [{ name: 'kube-proxy', image: `us-east1-artifactregistry.gcr.io/gke-release/gke-release/kube-proxy-amd64:${tag}`, command: ['/bin/sh', '-c', 'exec kube-proxy --v=2'] }],
  },
  status: { phase: 'Running', podIP: '192.168.0.10', conditions: [{ type: 'Ready', status: 'True' }] },
});
/** GKE's kube-proxy DaemonSet: only for nodes labelled kube-proxy-ds-ready, which these are not. */
const gkeDs = () => {
  const ds = kubeProxyDs('v1.34.0-gke.1662000');
  ds.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/kube-proxy-ds-ready': 'true' } as never;
  return ds;
};

async function snapshot(seed: (s: FakeApiServer) => void, namespaceOnly?: string) {
  const server = await FakeApiServer.start();
  servers.push(server);
  server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('kube-system')]);
  server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
  seed(server);
  const file = writeKubeconfig([{ name: 'kind', server: server.url, namespace: 'shop' }], 'kind');
  const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, namespace: namespaceOnly, reflector: { ...fastReflector, watch: false } });
  return { server, state: await live.snapshot(5000) };
}

const servers: FakeApiServer[] = [];

describe('live: which kube-proxy release the rules show', () => {
  after(async () => {
    for (const s of servers) await s.close();
    assertNoUnhandled();
  });

  it('the kube-proxy DaemonSet image (read with list only), slimmed to its containers; its pods are not simulated', async () => {
    const { server, state } = await snapshot((s) => {
      s.seed('nodes', [versionedNode('node-a', '192.168.0.10', 'v1.33.4')]);
      s.seed('daemonsets', [kubeProxyDs('v1.37.1'), { ...kubeProxyDs('v1.30.0'), metadata: { name: 'other-agent', namespace: 'kube-system' } }]);
    });
    assertReadOnly(server);
    assert.ok(server.requests.some((r) => r.path.startsWith('/apis/apps/v1/namespaces/kube-system/daemonsets')));
    assert.deepEqual(clusterProxyVersion(state), { raw: 'v1.37.1', minor: 37, source: 'daemonset', from: 'DaemonSet kube-system/kube-proxy' });
    const ds = state.objects.find((o) => o.kind === 'DaemonSet')!;
    assert.deepEqual(ds.object['spec'], { template: { spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.37.1' }], nodeSelector: { 'kubernetes.io/os': 'linux' } } } });
    assert.equal(state.pods.filter((p) => p.simulated).length, 0);
    const r = resolveProxyVersion(state, 'nftables');
    assert.equal(r.version, '1.36');
    assert.match(r.note ?? '', /v1\.36 nftables layout, the newest modelled; 1\.37 differs for single-endpoint Services/);
    // One DaemonSet read does not make the live source answer for every DaemonSet's checks.
    assert.equal(LIVE_KINDS.has('DaemonSet'), false);
  });

  it('the DaemonSet forbidden (RBAC) or absent: the node kubeletVersion decides, and the snapshot still works', async () => {
    const { state } = await snapshot((s) => {
      s.seed('nodes', [versionedNode('node-a', '192.168.0.10', 'v1.29.6-gke.1326000'), versionedNode('node-b', '192.168.0.11', 'v1.31.2')]);
      s.seed('daemonsets', [kubeProxyDs('v1.33.0')]);
      s.deny('daemonsets', 'kube-system');
    });
    assert.equal(state.objects.some((o) => o.kind === 'DaemonSet'), false);
    assert.deepEqual(clusterProxyVersion(state), { raw: 'v1.29.6-gke.1326000', minor: 29, source: 'node', from: "node node-a's kubelet v1.29.6-gke.1326000" });
    assert.equal(clusterProxyVersion(state, 'node-b')?.minor, 31);
    const slimmed = state.objects.find((o) => o.kind === 'Node')!.object['status'] as Record<string, unknown>;
    assert.deepEqual(slimmed['nodeInfo'], { kubeletVersion: 'v1.29.6-gke.1326000' });

    const none = await snapshot((s) => s.seed('nodes', [node('node-a', '192.168.0.10')]), 'shop');
    assert.deepEqual(resolveProxyVersion(none.state, 'iptables'), { version: undefined, source: 'default' });
  });

  it('static-pod kube-proxy (GKE, kOps): the kube-proxy Pod on the node, read by label in kube-system, counted once', async () => {
    const { server, state } = await snapshot((s) => {
      s.seed('nodes', [versionedNode('node-a', '192.168.0.10', 'v1.31.2-gke.1000'), versionedNode('node-b', '192.168.0.11', 'v1.31.2-gke.1000'), versionedNode('node-c', '192.168.0.12', 'v1.31.2-gke.1000')]);
      s.seed('daemonsets', [gkeDs()]);
      s.seed('pods', [
        proxyPod('node-a', 'v1.30.5-gke.1014001'),
        proxyPod('node-b', 'v1.29.3', { 'k8s-app': 'kube-proxy', tier: 'node', component: 'kube-proxy' }),
        pod('kube-system', 'kube-dns-1', { 'k8s-app': 'kube-dns' }, '10.244.0.5', { node: 'node-a' }),
        pod('shop', 'web-1', { app: 'web' }, '10.244.1.5', { node: 'node-a' }),
      ]);
    });
    assertReadOnly(server);
    const labelled = server.requests.filter((r) => r.path === '/api/v1/namespaces/kube-system/pods').map((r) => `${r.watch ? 'watch' : 'list'} ${r.query['labelSelector']}`);
    assert.deepEqual(labelled.sort(), ['list component=kube-proxy', 'list k8s-app=kube-proxy']);
    assert.deepEqual(clusterProxyVersion(state, 'node-a'), { raw: 'v1.30.5-gke.1014001', minor: 30, source: 'pod', from: 'Pod kube-system/kube-proxy-node-a' });
    assert.equal(clusterProxyVersion(state, 'node-b')?.minor, 29);
    // No kube-proxy Pod on node-c: the DaemonSet there is kept off by its nodeSelector, yet it is all that speaks.
    assert.equal(clusterProxyVersion(state, 'node-c')?.source, 'daemonset');
    // Read cluster-wide with the pods (without images) and by label (under both labels for node-b): each pod once, with its image.
    const pods = state.objects.filter((o) => o.kind === 'Pod').map((o) => o.name).sort();
    assert.deepEqual(pods, ['kube-dns-1', 'kube-proxy-node-a', 'kube-proxy-node-b', 'web-1']);
    const a = state.objects.find((o) => o.name === 'kube-proxy-node-a')!.object['spec'] as { containers: Record<string, unknown>[] };
    assert.deepEqual(a.containers, [{ name: 'kube-proxy', image: 'us-east1-artifactregistry.gcr.io/gke-release/gke-release/kube-proxy-amd64:v1.30.5-gke.1014001' }]);
    const dns = state.objects.find((o) => o.name === 'kube-dns-1')!.object['spec'] as { containers: Record<string, unknown>[] };
    assert.equal(dns.containers[0]!['image'], undefined);
    // Reading kube-proxy's pods does not make live mode answer for anything more than it did.
    assert.equal(LIVE_KINDS.has('Pod'), true);
    assert.equal(resolveProxyVersion(state, 'iptables', { node: 'node-a' }).note, 'kube-proxy v1.30.5-gke.1014001 (from Pod kube-system/kube-proxy-node-a): rules in the v1.30 iptables layout');
  });

  it("a session restricted to one namespace still reads kube-proxy's pods; a 403 on them leaves the kubelet to decide", async () => {
    const seed = (s: FakeApiServer) => {
      s.seed('nodes', [versionedNode('node-a', '192.168.0.10', 'v1.31.2-gke.1000')]);
      s.seed('pods', [proxyPod('node-a', 'v1.30.5-gke.1014001')]);
    };
    const shop = await snapshot(seed, 'shop');
    assert.equal(clusterProxyVersion(shop.state, 'node-a')?.source, 'pod');
    assert.ok(shop.server.requests.every((r) => r.path !== '/api/v1/pods'));
    const denied = await snapshot((s) => {
      seed(s);
      s.deny('pods', 'kube-system');
    }, 'shop');
    assert.deepEqual(clusterProxyVersion(denied.state, 'node-a'), { raw: 'v1.31.2-gke.1000', minor: 31, source: 'node', from: "node node-a's kubelet v1.31.2-gke.1000" });
  });

  it('watched: a node-pool upgrade replacing the static pod reaches the namespace view; a pod losing its label leaves it', async () => {
    const server = await FakeApiServer.start();
    servers.push(server);
    server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('kube-system')]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
    server.seed('nodes', [versionedNode('node-a', '192.168.0.10', 'v1.31.2-gke.1000')]);
    server.seed('pods', [proxyPod('node-a', 'v1.30.5-gke.1014001')]);
    const file = writeKubeconfig([{ name: 'kind', server: server.url, namespace: 'shop' }], 'kind');
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: fastReflector });
    live.start();
    try {
      await live.whenReady(5000);
      assert.equal(clusterProxyVersion(live.namespaceState('shop'), 'node-a')?.minor, 30);
      server.apply('pods', proxyPod('node-a', 'v1.31.2-gke.1000'));
      await eventually(() => clusterProxyVersion(live.namespaceState('shop'), 'node-a')?.raw === 'v1.31.2-gke.1000', 5000, 'the upgraded pod');
      server.apply('pods', { ...proxyPod('node-a', 'v1.29.0'), metadata: { ...proxyPod('node-a', 'v1.29.0').metadata, labels: { app: 'something-else' } } });
      await eventually(() => clusterProxyVersion(live.namespaceState('shop'), 'node-a')?.source === 'node', 5000, 'the pod leaving the selection');
      assert.equal(live.state().objects.filter((o) => o.name === 'kube-proxy-node-a').length, 1);
      assertReadOnly(server);
    } finally {
      live.stop();
    }
  });
});
