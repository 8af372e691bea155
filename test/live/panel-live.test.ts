/**
 * The panel's wiring on a live Service, without VS Code: the LiveRegistry the extension uses, the panel's
 * request handlers and the change filter, against the in-process wire-format server (not a real API server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { affectsService, LiveRegistry, unreadableIn } from '../../src/extension/liveRegistry';
import { dispatch, panelHandlers, type HandlerContext } from '../../src/extension/panels/panelHandlers';
import { LiveCluster, type ContextStatus, type LiveChange } from '../../src/live';
import { buildClusterState, loadManifest } from '../../src/core';
import type { ServiceRef, ServiceView } from '../../src/protocol/webview';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, endpointSlice, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const WEB: ServiceRef = { namespace: 'shop', name: 'web', context: 'kind' };

describe('panel on a live Service', () => {
  let server: FakeApiServer;
  let registry: LiveRegistry;
  let handlers: ReturnType<typeof panelHandlers>;
  const changes: { context: string; change: LiveChange | undefined }[] = [];

  before(async () => {
    server = await FakeApiServer.start();
    server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('other')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('configmaps', [
      { metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\nclusterCIDR: 10.244.0.0/16\n' } },
    ]);
    server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11'), pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', { ready: false }), pod('other', 'x-1', { app: 'x' }, '10.244.0.31')]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50', { targetPort: 'http' }), service('other', 'x', { app: 'x' }, '10.96.0.60')]);
    server.seed('endpointslices', [
      endpointSlice('shop', 'web', 'web-abcde', [
        { ip: '10.244.0.11', pod: 'web-1', ready: true },
        { ip: '10.244.0.12', pod: 'web-2', ready: false },
      ]),
    ]);
    const file = writeKubeconfig([{ name: 'kind', server: server.url }], 'kind');
    registry = new LiveRegistry((context) => LiveCluster.connect({ kubeconfig: { files: [file] }, context, trusted: false, reflector: { watchTimeoutSeconds: 30 } }));
    registry.onChange((context, change) => changes.push({ context, change }));
    const ctx: HandlerContext = {
      state: (ref) => (ref?.context !== undefined ? registry.stateFor(ref, 5000) : Promise.reject(new Error('no workspace in this test'))),
      revealService: async () => true,
      proxySettings: () => ({ mode: '', version: '' }),
      liveInfo: (context) => registry.info(context),
    };
    handlers = panelHandlers(ctx);
  });

  after(async () => {
    registry.dispose();
    assertReadOnly(server);
    await server.close();
    assertNoUnhandled();
  });

  it('connects on first use and shows the live endpoints, every matched pod with why not, and the sync status', async () => {
    const r = await handlers.service(WEB);
    const svc = r.service!;
    assert.deepEqual(svc.ref, WEB);
    assert.equal(svc.endpointSource, 'slices');
    assert.deepEqual(svc.endpoints.map((e) => `${e.ip} ${e.ready}`), ['10.244.0.11 true', '10.244.0.12 false']);
    const pods = Object.fromEntries(svc.pods!.map((p) => [p.pod, p]));
    assert.equal(pods['shop/web-1']!.served, true);
    assert.equal(pods['shop/web-2']!.served, false);
    assert.match(pods['shop/web-2']!.reasons[0]!.reason, /not Ready/);
    assert.equal(svc.location, null, 'a live Service has no manifest to open');
    assert.equal(svc.live?.context, 'kind');
    assert.equal(svc.live?.server, server.url);
    // The proxy mode comes from the cluster's kube-proxy ConfigMap; choices are the live nodes and pods.
    assert.equal(r.mode, 'nftables');
    assert.deepEqual(r.choices.nodes, [{ name: 'node-a', ip: '192.168.0.10' }]);
    assert.equal(await handlers.reveal(WEB), false);
    assert.deepEqual([...registry.get('kind')!.cluster!.servicesPerNamespace()].sort(), [['other', 1], ['shop', 1]]);
  });

  it('a pod turning ready reaches the panel: a change batch that concerns the Service, then new endpoints', async () => {
    const before = changes.length;
    const t0 = performance.now();
    server.apply('pods', pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', { ready: true }));
    server.apply('endpointslices', endpointSlice('shop', 'web', 'web-abcde', [
      { ip: '10.244.0.11', pod: 'web-1', ready: true },
      { ip: '10.244.0.12', pod: 'web-2', ready: true },
    ]));
    await eventually(() => changes.slice(before).some((c) => affectsService(c.context, c.change, WEB)), 2000, 'a change for shop/web');
    let view: ServiceView | undefined;
    while (!view && performance.now() - t0 < 2000) {
      const v = (await handlers.service(WEB)).service!;
      if (v.endpoints.every((e) => e.ready)) view = v;
      else await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t0;
    assert.ok(view, 'both endpoints ready');
    assert.ok(ms < 1000, `panel data current within a second (${ms.toFixed(0)} ms)`);
    const resolved = view;
    assert.ok(resolved.pods!.every((p) => p.served));
    assert.equal(resolved.health, 'ok');
  });

  it('changes elsewhere do not refresh the panel; cluster-wide ones and other contexts are told apart', () => {
    const change = (namespace: string | undefined, resource: LiveChange['resources'][number]): LiveChange => ({ context: 'kind', resources: [resource], changes: [{ resource, type: 'modified', namespace, name: 'n' }], truncated: 0, statusChanged: false });
    assert.equal(affectsService('kind', change('other', 'pods'), WEB), false);
    assert.equal(affectsService('kind', change('shop', 'pods'), WEB), true);
    assert.equal(affectsService('kind', change(undefined, 'nodes'), WEB), true);
    assert.equal(affectsService('kind', change('kube-system', 'kube-proxy'), WEB), true);
    assert.equal(affectsService('prod', change('shop', 'pods'), WEB), false);
    assert.equal(affectsService('kind', change('shop', 'pods'), { namespace: 'shop', name: 'web' }), false, 'a workspace Service ignores watch events');
    assert.equal(affectsService('kind', { ...change('other', 'pods'), statusChanged: true }, WEB), true);
    assert.equal(affectsService('kind', undefined, WEB), true, 'connected or failed');
  });

  it('rules and traces run on the live state (nodes, kube-proxy mode from the ConfigMap)', async () => {
    const rules = await handlers.ruleChain({ ref: WEB, mode: 'iptables', version: '' });
    assert.ok(rules.available);
    assert.match(rules.text, /-A KUBE-SERVICES -m comment --comment "shop\/web:http cluster IP" -m tcp -p tcp -d 10\.96\.0\.50 --dport 80 -j KUBE-SVC-/);
    const trace = await handlers.trace({ ref: WEB, from: '10.244.0.31', to: '10.96.0.50:80', protocol: 'TCP', node: '', mode: 'iptables' });
    assert.ok(trace.available);
    assert.equal(trace.result.verdict, 'DNAT');
    assert.deepEqual(trace.result.endpoints.map((e) => `${e.ip}:${e.port} ${e.probability}`).sort(), ['10.244.0.11:8080 0.5', '10.244.0.12:8080 0.5']);
    assert.equal(trace.result.node, 'node-a');
  });

  it('a Service that is not in the cluster, and a context that cannot be reached, are answered in words', async () => {
    const missing = await handlers.service({ namespace: 'shop', name: 'nope', context: 'kind' });
    assert.equal(missing.service, null);
    const rules = await handlers.ruleChain({ ref: { namespace: 'shop', name: 'nope', context: 'kind' }, mode: 'iptables', version: '' });
    assert.ok(!rules.available);
    assert.match(rules.reason, /No Service shop\/nope in namespace shop of cluster context "kind"/);
    const reply = await dispatch(handlers, { kind: 'request', id: 7, method: 'service', params: { namespace: 'shop', name: 'web', context: 'ghost' } });
    assert.equal(reply.ok, false);
    assert.match(!reply.ok ? reply.error : '', /ghost/);
    const bad = await dispatch(handlers, { kind: 'request', id: 8, method: 'service', params: { namespace: 'shop', name: 'web', context: 42 } as unknown as ServiceRef });
    assert.equal(bad.ok, false);
  });

  it('pods RBAC hides in a namespace are named, and "matches no pod" becomes "cannot be read"', async () => {
    const res = (resource: string, namespace: string | undefined, state: string) => ({ resource, namespace, state, since: 0, objects: 0, reconnects: 0, relists: 0 });
    const st = { context: 'kind', server: 'x', state: 'synced', since: 0, perNamespace: ['pods'], resources: [res('pods', undefined, 'forbidden'), res('pods', 'secret', 'forbidden'), res('pods', 'shop', 'synced'), res('endpointslices', undefined, 'forbidden'), res('namespaces', undefined, 'forbidden')] } as unknown as ContextStatus;
    assert.deepEqual(unreadableIn(st, 'secret'), ['endpointslices', 'pods']);
    assert.deepEqual(unreadableIn(st, 'shop'), ['endpointslices'], 'pods are listed per namespace there');
    const state = buildClusterState(loadManifest('/x.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: vault, namespace: secret}\nspec: {selector: {app: vault}, clusterIP: 10.96.0.9, ports: [{port: 80}]}\n').objects, { simulatePods: false });
    const stub = (unreadable?: string[]) =>
      panelHandlers({ state: async () => state, revealService: async () => false, proxySettings: () => ({ mode: '', version: '' }), liveInfo: (context) => ({ context, server: 'x', state: 'synced', ...(unreadable ? { unreadable } : {}) }) });
    const ref = { namespace: 'secret', name: 'vault', context: 'kind' };
    const hidden = (await stub(['pods']).service(ref)).service!;
    assert.match(hidden.summary ?? '', /pods in namespace secret cannot be read \(RBAC forbids it\)/);
    assert.deepEqual(hidden.live?.unreadable, ['pods']);
    assert.match(hidden.healthText, /^No ready endpoint seen: pods in namespace secret cannot be read/);
    const readable = (await stub().service(ref)).service!;
    assert.match(readable.summary ?? '', /matches none of the 0 pods in namespace secret/);
    assert.match(readable.healthText, /selector matches no pod/);
  });
});
