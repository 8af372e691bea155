/**
 * Faults against the in-process wire-format server (not a real API server): down, slow, 403, 410,
 * dropped and reset watches, restart. The status must say what is going on, and the source must
 * recover within 5 s of the server coming back, with no unhandled rejections.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { endpointsReport, findService, LiveCluster, MAX_CHANGES_PER_EVENT, type LiveClusterOptions, type ResourceStatus } from '../../src/live';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const fast: LiveClusterOptions['reflector'] = { watchTimeoutSeconds: 30, backoff: { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0.1 }, forbiddenRetryMs: 300 };

const servers: FakeApiServer[] = [];
const clusters: LiveCluster[] = [];

async function setup(options: { requestTimeoutMs?: number; debounceMs?: number; clusterWideRetryMs?: number; context?: { namespace?: string } } = {}) {
  const server = await FakeApiServer.start();
  servers.push(server);
  server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('secret')]);
  server.seed('nodes', [node('node-a', '192.168.0.10')]);
  server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11'), pod('secret', 'vault-1', { app: 'vault' }, '10.244.0.30')]);
  server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
  const file = writeKubeconfig([{ name: 'ctx', server: server.url, namespace: options.context?.namespace }], 'ctx');
  const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: fast, requestTimeoutMs: options.requestTimeoutMs, debounceMs: options.debounceMs, clusterWideRetryMs: options.clusterWideRetryMs });
  clusters.push(live);
  return { server, live };
}

const podStatus = (live: LiveCluster, ns?: string): ResourceStatus | undefined => live.status().resources.find((r) => r.resource === 'pods' && r.namespace === ns);
const podNames = (live: LiveCluster) => live.state().pods.map((p) => `${p.namespace}/${p.name}`).sort();

afterEach(async () => {
  for (const c of clusters.splice(0)) c.stop();
  for (const s of servers.splice(0)) {
    assertReadOnly(s);
    await s.close();
  }
});
after(() => assertNoUnhandled());

describe('live cluster faults', () => {
  it('API server down: reconnecting with stale-since, then recovers within 5 s and relists after 410', async () => {
    const { server, live } = await setup();
    live.start();
    await live.whenReady(5000);
    const before = Date.now();
    await server.down();
    const st = await eventually(() => {
      const s = live.status();
      return s.state === 'reconnecting' ? s : undefined;
    }, 5000, 'reconnecting status');
    assert.ok(st.staleSince !== undefined && st.staleSince >= before - 10, 'stale since the connection was lost');
    assert.match(st.message ?? '', /cannot reach the API server/);
    // While it is down the cluster changes and its history is compacted: resuming the watch gets 410.
    server.apply('pods', pod('shop', 'web-2', { app: 'web' }, '10.244.0.12'));
    server.delete('pods', 'shop', 'web-1');
    server.compact();
    assert.deepEqual(podNames(live), ['secret/vault-1', 'shop/web-1'], 'the old data stays available while stale');
    await new Promise((r) => setTimeout(r, 1500));
    const back = Date.now();
    await server.up();
    await eventually(() => live.status().state === 'synced', 5000, 'synced after the server is back');
    assert.ok(Date.now() - back < 5000);
    assert.deepEqual(podNames(live), ['secret/vault-1', 'shop/web-2']);
    assert.ok(podStatus(live)!.relists >= 1, 'a 410 makes it list again');
    assert.equal(live.status().staleSince, undefined);
  });

  it('a watch that ends cleanly is resumed from the last resourceVersion without a relist', async () => {
    const { server, live } = await setup();
    live.start();
    await live.whenReady(5000);
    const lists = () => server.requests.filter((r) => r.path === '/api/v1/pods' && !r.watch).length;
    await eventually(() => server.openWatches >= 9, 10_000, 'watches open');
    const listsBefore = lists();
    server.dropWatches();
    await eventually(() => server.openWatches >= 9, 10_000, 'watches reopened');
    server.apply('pods', pod('shop', 'web-9', { app: 'web' }, '10.244.0.19'));
    await eventually(() => podNames(live).includes('shop/web-9'), 2000, 'event after resume');
    assert.equal(lists(), listsBefore);
    const resumed = server.requests.filter((r) => r.path === '/api/v1/pods' && r.watch);
    assert.equal(resumed.length, 2);
    assert.ok(Number(resumed[1]!.query['resourceVersion']) >= Number(resumed[0]!.query['resourceVersion']));
  });

  it('a reset watch connection reconnects and keeps delivering events', async () => {
    const { server, live } = await setup();
    live.start();
    await live.whenReady(5000);
    await eventually(() => server.openWatches >= 9, 10_000, 'watches open');
    server.resetWatches();
    await eventually(() => server.openWatches >= 9, 10_000, 'watches reopened');
    server.apply('services', service('shop', 'api', { app: 'api' }, '10.96.0.60'));
    await eventually(() => live.state().services.some((s) => s.name === 'api'), 2000, 'service after reset');
    await eventually(() => live.status().state === 'synced', 3000, 'synced after reset');
  });

  it('bookmarks move the resourceVersion forward so a resumed watch does not replay', async () => {
    const { server, live } = await setup();
    live.start();
    await live.whenReady(5000);
    const rvBefore = Number(podStatus(live)!.resourceVersion);
    // Changes to other resources move the server's resourceVersion; the pod watch only sees bookmarks.
    server.apply('services', service('shop', 'other', { app: 'other' }, '10.96.0.61'));
    await eventually(() => Number(podStatus(live)!.resourceVersion) > rvBefore, 3000, 'bookmark');
    assert.equal(Number(podStatus(live)!.resourceVersion), Number(server.resourceVersion));
  });

  it('a slow server: requests that time out show as reconnecting, then it syncs once the server is fast again', async () => {
    const { server, live } = await setup({ requestTimeoutMs: 200 });
    server.slowMs = 600;
    live.start();
    const st = await eventually(() => {
      const s = live.status();
      return s.state === 'reconnecting' ? s : undefined;
    }, 5000, 'timeout status');
    assert.match(st.message ?? '', /no answer within|did not answer/);
    server.slowMs = 0;
    await eventually(() => live.status().state === 'synced', 5000, 'synced once fast');
    assert.deepEqual(podNames(live), ['secret/vault-1', 'shop/web-1']);
  });

  it('403 on a cluster-wide list: falls back to one list per namespace; a forbidden namespace is reported', async () => {
    const { server, live } = await setup();
    server.deny('pods', '*');
    server.deny('pods', 'secret');
    live.start();
    await eventually(() => podStatus(live, 'shop')?.state === 'synced' && podStatus(live, 'secret')?.state === 'forbidden', 5000, 'per-namespace pods');
    assert.deepEqual(podNames(live), ['shop/web-1']);
    const st = live.status();
    assert.deepEqual(st.perNamespace, ['pods']);
    assert.equal(st.state, 'synced');
    assert.match(st.message ?? '', /not allowed to read: pods in secret/);
    assert.equal(podStatus(live)!.state, 'forbidden');
    await eventually(() => server.requests.some((r) => r.path === '/api/v1/namespaces/shop/pods' && r.watch), 2000, 'per-namespace watch');
    // A namespace created later is followed too.
    server.apply('namespaces', namespace('blog'));
    server.apply('pods', pod('blog', 'wp-1', { app: 'wp' }, '10.244.0.40'));
    await eventually(() => podNames(live).includes('blog/wp-1'), 3000, 'pod in a new namespace');
    // RBAC granted later: the forbidden namespace is retried.
    server.allow('pods', 'secret');
    await eventually(() => podNames(live).includes('secret/vault-1'), 3000, 'namespace allowed later');
  });

  it('after a per-namespace fallback, the cluster-wide list is tried again and replaces the per-namespace ones once allowed', async () => {
    const { server, live } = await setup({ clusterWideRetryMs: 200 });
    server.deny('pods', '*');
    server.deny('pods', 'secret');
    live.start();
    await eventually(() => podStatus(live, 'shop')?.state === 'synced', 5000, 'per-namespace pods');
    // Still forbidden: retried now and then, the per-namespace lists keep serving.
    await eventually(() => server.requests.filter((r) => r.path === '/api/v1/pods' && !r.watch).length >= 3, 3000, 'cluster-wide retries');
    assert.deepEqual(live.status().perNamespace, ['pods']);
    assert.deepEqual(podNames(live), ['shop/web-1']);
    const changes: boolean[] = [];
    live.onChange((c) => changes.push(c.statusChanged));
    server.allow('pods', '*');
    await eventually(() => live.status().perNamespace.length === 0, 3000, 'cluster-wide again');
    const pods = live.status().resources.filter((r) => r.resource === 'pods');
    assert.deepEqual(pods.map((r) => `${r.namespace ?? '*'} ${r.state}`), ['* synced'], 'one cluster-wide reflector, no per-namespace ones');
    assert.deepEqual(podNames(live), ['secret/vault-1', 'shop/web-1']);
    await eventually(() => changes.includes(true), 1000, 'a status change for the views');
    // The cluster-wide watch now delivers changes in any namespace.
    server.apply('pods', pod('secret', 'vault-2', { app: 'vault' }, '10.244.0.31'));
    await eventually(() => podNames(live).includes('secret/vault-2'), 3000, 'cluster-wide watch');
  });

  it('403 on namespaces too: lists only the context namespace', async () => {
    const { server, live } = await setup({ context: { namespace: 'shop' } });
    server.deny('pods', '*');
    server.deny('namespaces', '*');
    live.start();
    await eventually(() => podStatus(live, 'shop')?.state === 'synced', 5000, 'context namespace pods');
    assert.deepEqual(podNames(live), ['shop/web-1']);
    assert.equal(live.status().resources.some((r) => r.resource === 'pods' && r.namespace === 'secret'), false);
    assert.equal(live.status().resources.find((r) => r.resource === 'namespaces')!.state, 'forbidden');
  });

  it('everything forbidden: the context says so', async () => {
    const { server, live } = await setup();
    for (const p of ['pods', 'services', 'endpointslices', 'nodes', 'namespaces', 'configmaps']) server.deny(p, '*');
    for (const ns of ['default', 'shop', 'secret']) for (const p of ['pods', 'services', 'endpointslices']) server.deny(p, ns);
    server.deny('configmaps', 'kube-system');
    server.deny('daemonsets', 'kube-system');
    server.deny('pods', 'kube-system');
    live.start();
    await eventually(() => live.status().state === 'forbidden', 5000, 'forbidden context');
    assert.match(live.status().message ?? '', /forbidden/);
  });

  it('a restart (history lost) recovers within 5 s', async () => {
    const { server, live } = await setup();
    live.start();
    await live.whenReady(5000);
    await server.down();
    server.apply('pods', pod('shop', 'web-5', { app: 'web' }, '10.244.0.15'));
    await eventually(() => live.status().state === 'reconnecting', 5000, 'reconnecting');
    const back = Date.now();
    await server.restart();
    await eventually(() => podNames(live).includes('shop/web-5') && live.status().state === 'synced', 5000, 'recovered');
    assert.ok(Date.now() - back < 5000);
  });

  it('change events stay bounded however many objects change at once', async () => {
    const { server, live } = await setup({ debounceMs: 300 });
    live.start();
    await live.whenReady(5000);
    const events: { changes: number; truncated: number }[] = [];
    live.onChange((c) => events.push({ changes: c.changes.length, truncated: c.truncated }));
    const n = MAX_CHANGES_PER_EVENT + 500;
    for (let i = 0; i < n; i++) server.apply('pods', pod('shop', `bulk-${i}`, { app: 'bulk' }, `10.245.${i >> 8}.${i & 255}`));
    await eventually(() => live.state().pods.length === n + 2, 5000, 'all pods');
    await eventually(() => events.reduce((a, e) => a + e.changes + e.truncated, 0) >= n, 2000, 'events');
    assert.ok(events.every((e) => e.changes <= MAX_CHANGES_PER_EVENT));
    assert.equal(events.reduce((a, e) => a + e.changes + e.truncated, 0), n);
  });

  it('a listener that throws does not stop the source or other listeners', async () => {
    const { server, live } = await setup();
    live.start();
    await live.whenReady(5000);
    let calls = 0;
    live.onChange(() => {
      throw new Error('view bug');
    });
    live.onChange(() => calls++);
    server.apply('pods', pod('shop', 'web-7', { app: 'web' }, '10.244.0.17'));
    await eventually(() => calls > 0, 2000, 'second listener');
    server.apply('pods', pod('shop', 'web-8', { app: 'web' }, '10.244.0.18'));
    await eventually(() => podNames(live).includes('shop/web-8'), 2000, 'still running');
  });

  it('a watch that goes silent (no events, no bookmarks) is restarted by the idle watchdog', async () => {
    const server = await FakeApiServer.start();
    servers.push(server);
    server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11')]);
    const file = writeKubeconfig([{ name: 'ctx', server: server.url }], 'ctx');
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, resources: ['pods'], reflector: { ...fast, idleTimeoutMs: 300 } });
    clusters.push(live);
    server.silentWatches = true;
    live.start();
    await live.whenReady(5000);
    await eventually(() => server.requests.filter((r) => r.watch).length >= 3, 5000, 'watch restarted');
    assert.ok(podStatus(live)!.reconnects >= 2);
    server.silentWatches = false;
    server.apply('pods', pod('shop', 'web-2', { app: 'web' }, '10.244.0.12'));
    await eventually(() => podNames(live).includes('shop/web-2'), 5000, 'events once the watch talks again');
  });

  it('hostile objects from the server (wrong types, missing names) never throw', async () => {
    const { server, live } = await setup();
    server.seed('services', [
      { metadata: { name: 'weird', namespace: 'shop', labels: 'not-a-map' }, spec: { ports: 'eighty', selector: ['x'], type: 42, clusterIP: { a: 1 } } },
      { metadata: { name: 12, namespace: 'shop' }, spec: null },
    ]);
    server.seed('pods', [{ metadata: { name: 'odd', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: 'none' }, status: { podIPs: 'x', conditions: {} } }]);
    live.start();
    await live.whenReady(5000);
    const state = live.state();
    assert.ok(state.services.some((s) => s.name === 'weird'));
    assert.ok(state.pods.some((p) => p.name === 'odd'));
    server.apply('pods', { metadata: { namespace: 'shop' }, spec: 'garbage' });
    server.apply('pods', pod('shop', 'after', { app: 'web' }, '10.244.0.99'));
    await eventually(() => podNames(live).includes('shop/after'), 3000, 'events after garbage');
    const web = findService(live.state(), 'shop', 'web')!;
    assert.ok(endpointsReport(live.state(), web).pods.length >= 2);
    for (const svc of live.state().services) endpointsReport(live.state(), svc);
    assert.equal(live.status().state, 'synced');
  });
});
