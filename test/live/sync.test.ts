/**
 * The live tier runs against an in-process HTTP server that speaks the Kubernetes API wire format
 * (test/live/fakeApiServer.ts), not a real API server: none can be installed here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpointRows, serviceEndpoints } from '../../src/core';
import { LiveCluster } from '../../src/live';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, endpointSlice, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const fastReflector = { watchTimeoutSeconds: 30, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.1 }, forbiddenRetryMs: 500 };

describe('live cluster: list, watch, model', () => {
  let server: FakeApiServer;
  let live: LiveCluster;

  before(async () => {
    server = await FakeApiServer.start({ token: 'secret-token' });
    server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('kube-system')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('pods', [
      pod('shop', 'web-1', { app: 'web' }, '10.244.0.11'),
      pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', { ready: false }),
      pod('shop', 'db-1', { app: 'db' }, '10.244.0.20'),
    ]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
    server.seed('endpointslices', [
      endpointSlice('shop', 'web', 'web-abcde', [
        { ip: '10.244.0.11', pod: 'web-1', ready: true },
        { ip: '10.244.0.12', pod: 'web-2', ready: false },
      ]),
    ]);
    server.seed('configmaps', [
      { metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\nclusterCIDR: 10.200.0.0/16\n' } },
      { metadata: { name: 'other', namespace: 'kube-system' }, data: { x: 'y' } },
    ]);
    const file = writeKubeconfig([{ name: 'kind', server: server.url, token: 'secret-token', namespace: 'shop' }], 'kind');
    live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: { ...fastReflector, pageSize: 2 } });
    live.start();
    await live.whenReady(5000);
    await eventually(() => server.openWatches >= 9, 10_000, 'watches open');
  });

  after(async () => {
    live.stop();
    await server.close();
    assertNoUnhandled();
  });

  it('builds the same cluster-state model the manifests produce', () => {
    const state = live.state();
    assert.deepEqual(state.services.map((s) => `${s.namespace}/${s.name} ${s.clusterIP}`), ['shop/web 10.96.0.50']);
    assert.deepEqual(state.pods.map((p) => p.name).sort(), ['db-1', 'web-1', 'web-2']);
    assert.equal(state.pods.every((p) => !p.simulated), true);
    assert.deepEqual(state.nodes.map((n) => n.name), ['node-a']);
    assert.deepEqual(state.namespaces, ['default', 'kube-system', 'shop']);
    assert.equal(state.objects.every((o) => o.source === undefined), true);
    const eps = serviceEndpoints(state, state.services[0]!);
    assert.equal(eps.source, 'slices');
    assert.deepEqual(endpointRows(state, eps).map((r) => `${r.ip}:${r.port} ${r.ready}`), ['10.244.0.11:8080 true', '10.244.0.12:8080 false']);
  });

  it('reads proxy mode and cluster CIDR from the kube-proxy ConfigMap only', () => {
    const state = live.state();
    assert.equal(state.proxy.mode, 'nftables');
    assert.deepEqual(state.proxy.clusterCIDRs, ['10.200.0.0/16']);
    assert.equal(state.objects.filter((o) => o.kind === 'ConfigMap').length, 1);
  });

  it('pages lists with limit/continue and watches from the list resourceVersion with bookmarks', () => {
    const podLists = server.requests.filter((r) => r.path === '/api/v1/pods' && !r.watch);
    assert.equal(podLists.length, 2, 'three pods at two per page');
    assert.equal(podLists[0]!.query['limit'], '2');
    assert.ok(podLists[1]!.query['continue']);
    const podWatch = server.requests.find((r) => r.path === '/api/v1/pods' && r.watch);
    assert.ok(podWatch);
    assert.equal(podWatch.query['allowWatchBookmarks'], 'true');
    assert.ok(Number(podWatch.query['resourceVersion']) > 0);
    assert.ok(Number(podWatch.query['timeoutSeconds']) >= 30);
  });

  it('drops managedFields, last-applied annotations and pod fields no analysis reads', () => {
    const web1 = live.objects().find((o) => o.kind === 'Pod' && o.name === 'web-1')!;
    const meta = web1.object['metadata'] as Record<string, unknown>;
    assert.equal(meta['managedFields'], undefined);
    assert.deepEqual(meta['annotations'], { keep: 'me' });
    const container = ((web1.object['spec'] as Record<string, unknown>)['containers'] as Record<string, unknown>[])[0]!;
    assert.deepEqual(Object.keys(container).sort(), ['name', 'ports']);
    assert.equal((web1.object['spec'] as Record<string, unknown>)['volumes'], undefined);
    assert.equal((web1.object['status'] as Record<string, unknown>)['containerStatuses'], undefined);
  });

  it('applies watch events and tells subscribers what changed, debounced', async () => {
    const seen: string[][] = [];
    const sub = live.onChange((c) => seen.push(c.changes.map((x) => `${x.type} ${x.resource} ${x.namespace}/${x.name}`)));
    server.apply('pods', pod('shop', 'web-3', { app: 'web' }, '10.244.0.13'));
    server.apply('pods', pod('shop', 'web-3', { app: 'web' }, '10.244.0.13', { ready: false }));
    server.delete('pods', 'shop', 'db-1');
    await eventually(() => seen.some((s) => s.includes('deleted pods shop/db-1')), 2000, 'change event');
    sub.dispose();
    const all = seen.flat();
    assert.ok(all.includes('added pods shop/web-3'), 'an add then a modify in one batch is reported as added');
    assert.equal(all.filter((s) => s.includes('web-3')).length, 1);
    const state = live.state();
    assert.deepEqual(state.pods.map((p) => p.name).sort(), ['web-1', 'web-2', 'web-3']);
    assert.equal(state.pods.find((p) => p.name === 'web-3')!.conditions[0]!.status, 'False');
  });

  it('reports a synced status per resource', () => {
    const st = live.status();
    assert.equal(st.state, 'synced');
    assert.equal(st.context, 'kind');
    assert.deepEqual(st.resources.map((r) => r.resource).sort(), ['endpointslices', 'kube-proxy', 'kube-proxy-daemonset', 'kube-proxy-pods-component', 'kube-proxy-pods-k8s-app', 'namespaces', 'nodes', 'pods', 'services']);
    assert.equal(st.resources.every((r) => r.state === 'synced' && r.staleSince === undefined), true);
  });
});
