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
import { assertNoUnhandled, assertReadOnly, hookUnhandled, namespace, node, service, writeKubeconfig } from './helpers';

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
});
