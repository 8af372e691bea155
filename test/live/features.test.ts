/** Features on live data, against the in-process wire-format server (not a real API server). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildClusterState, loadManifest, parseRules, rulesRenderer, serviceEndpoints, traceRules } from '../../src/core';
import { checkAgainstLive, DRIFT_CODE, endpointsReport, findService, LiveCluster, mergeWithLive, NOT_DEPLOYED_CODE, serviceDrift, serviceSummaries } from '../../src/live';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, endpointSlice, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

describe('features on live data', () => {
  let server: FakeApiServer;
  let live: LiveCluster;

  before(async () => {
    server = await FakeApiServer.start();
    server.seed('namespaces', [namespace('default'), namespace('shop')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('pods', [
      pod('shop', 'web-1', { app: 'web' }, '10.244.0.11'),
      pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', { ready: false }),
      pod('shop', 'web-3', { app: 'web' }, '10.244.0.13', { portName: 'metrics', port: 9090 }),
      pod('shop', 'api-1', { app: 'api' }, '10.244.0.21'),
    ]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50', { targetPort: 'http' }), service('shop', 'lonely', { app: 'nothing' }, '10.96.0.51')]);
    server.seed('endpointslices', [
      endpointSlice('shop', 'web', 'web-abcde', [
        { ip: '10.244.0.11', pod: 'web-1', ready: true },
        { ip: '10.244.0.12', pod: 'web-2', ready: false },
      ]),
    ]);
    const file = writeKubeconfig([{ name: 'kind', server: server.url }], 'kind');
    live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: { watchTimeoutSeconds: 30 } });
    live.start();
    await live.whenReady(5000);
    await eventually(() => server.openWatches >= 9, 10_000, 'watches open');
  });

  after(async () => {
    live.stop();
    assertReadOnly(server);
    await server.close();
    assertNoUnhandled();
  });

  it('lists live Services for the tree with endpoint counts', () => {
    const rows = serviceSummaries(live.state()).map((s) => `${s.namespace}/${s.name} ${s.type} ${s.clusterIP} ready=${s.ready} notReady=${s.notReady} ${s.source} ${s.selector}`);
    assert.deepEqual(rows, ['shop/lonely ClusterIP 10.96.0.51 ready=0 notReady=0 computed app=nothing', 'shop/web ClusterIP 10.96.0.50 ready=1 notReady=1 slices app=web']);
  });

  it('says per matched pod why it is not served, with the core reasons', () => {
    const state = live.state();
    const report = endpointsReport(state, findService(state, 'shop', 'web')!);
    assert.equal(report.source, 'slices');
    const byPod = Object.fromEntries(report.pods.map((p) => [p.pod, p]));
    assert.equal(byPod['shop/web-1']!.served, true);
    assert.deepEqual(byPod['shop/web-1']!.reasons, []);
    assert.equal(byPod['shop/web-2']!.served, false);
    assert.match(byPod['shop/web-2']!.reasons[0]!.reason, /not Ready \(ContainersNotReady/);
    assert.equal(byPod['shop/web-3']!.served, false);
    assert.equal(byPod['shop/web-3']!.reasons[0]!.code, 'port-not-found');
    assert.equal(report.summary, undefined);
    assert.equal(byPod['shop/api-1'], undefined);
  });

  it('explains a Service with no endpoints', () => {
    const state = live.state();
    const report = endpointsReport(state, findService(state, 'shop', 'lonely')!);
    assert.deepEqual(report.pods, []);
    assert.match(report.summary ?? '', /selector app=nothing matches none of the 4 pods in namespace shop/);
  });

  it('endpoints update within a second of a change in the cluster', async () => {
    const start = Date.now();
    let seenAt = 0;
    const sub = live.onChange(() => {
      const state = live.state();
      const r = endpointsReport(state, findService(state, 'shop', 'web')!);
      if (!seenAt && r.endpoints.some((e) => e.ip === '10.244.0.12' && e.ready)) seenAt = Date.now();
    });
    server.apply('pods', pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', { ready: true }));
    server.apply('endpointslices', endpointSlice('shop', 'web', 'web-abcde', [
      { ip: '10.244.0.11', pod: 'web-1', ready: true },
      { ip: '10.244.0.12', pod: 'web-2', ready: true },
    ]));
    await eventually(() => seenAt > 0, 1000, 'updated endpoints');
    sub.dispose();
    assert.ok(seenAt - start < 1000, `took ${seenAt - start} ms`);
  });

  it('merges manifests with live objects: the manifest wins for what it defines', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    app: api\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n';
    const file = loadManifest('/ws/web.yaml', text);
    const merged = mergeWithLive(file.objects, live.objects());
    const services = merged.filter((o) => o.kind === 'Service' && o.name === 'web');
    assert.equal(services.length, 1);
    assert.equal(services[0]!.source?.file, '/ws/web.yaml');
    assert.equal(merged.some((o) => o.kind === 'EndpointSlice' && o.name === 'web-abcde'), false, 'the live slices of a redefined Service are left out');
    assert.equal(merged.some((o) => o.kind === 'Service' && o.name === 'lonely'), true);
    const state = buildClusterState(merged);
    const eps = serviceEndpoints(state, state.services.find((s) => s.name === 'web')!);
    assert.equal(eps.source, 'computed');
    assert.deepEqual(eps.matched.map((p) => p.name), ['api-1'], 'endpoints come from live pods with the manifest selector');
  });

  it('puts manifest objects without a namespace into the context namespace', () => {
    const file = loadManifest('/ws/x.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n');
    const merged = mergeWithLive(file.objects, live.objects(), 'shop');
    assert.equal(merged.filter((o) => o.kind === 'Service' && o.name === 'web').length, 1);
    assert.equal(merged.find((o) => o.kind === 'Service' && o.name === 'web')!.namespace, 'shop');
  });

  it('reports drift between a manifest Service and the live one, at the differing field', () => {
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      '  namespace: shop',
      'spec:',
      '  type: NodePort',
      '  selector:',
      '    app: web-v2',
      '  ports:',
      '  - name: http',
      '    port: 80',
      '    targetPort: 8080',
      '',
    ].join('\n');
    const file = loadManifest('/ws/web.yaml', text);
    const diags = serviceDrift(file.objects[0]!, live.state(), 'kind');
    const messages = diags.map((d) => `${d.code} L${d.range.start.line} ${d.message}`);
    assert.equal(diags.every((d) => d.code === DRIFT_CODE && d.severity === 'warning'), true);
    assert.ok(messages.some((m) => m.includes('L6') && m.includes('type is ClusterIP in the cluster, NodePort here')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('L8') && m.includes('selector is app=web in the cluster, app=web-v2 here')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('L12') && m.includes('targetPort is "http" in the cluster, 8080 here')), messages.join('\n'));
    assert.equal(diags.length, 3);
  });

  it('no drift for a manifest that matches the live Service, defaults included', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n';
    assert.deepEqual(serviceDrift(loadManifest('/ws/web.yaml', text).objects[0]!, live.state(), 'kind'), []);
  });

  it('a manifest Service missing from the cluster gets an info diagnostic; checks cover only the given files', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: new-svc\n  namespace: shop\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n';
    const file = loadManifest('/ws/new.yaml', text);
    const result = checkAgainstLive([file], live.state(), { context: 'kind' });
    assert.deepEqual(result.diagnostics.map((d) => `${d.code} ${d.severity} ${d.file}`), [`${NOT_DEPLOYED_CODE} info /ws/new.yaml`]);
    const svc = result.state.services.find((s) => s.name === 'new-svc')!;
    assert.deepEqual(serviceEndpoints(result.state, svc).matched.map((p) => p.name).sort(), ['web-1', 'web-2', 'web-3']);
  });

  it('a namespace state gives the same endpoints as the whole-cluster state', () => {
    const whole = live.state();
    for (const svc of whole.services) {
      const scoped = live.namespaceState(svc.namespace);
      assert.deepEqual(endpointsReport(scoped, findService(scoped, svc.namespace, svc.name)!), endpointsReport(whole, svc));
      assert.equal(scoped.pods.every((p) => p.namespace === svc.namespace), true);
      assert.deepEqual(scoped.nodes.map((n) => n.name), whole.nodes.map((n) => n.name));
    }
    assert.equal(live.namespaceState('shop'), live.namespaceState('shop'), 'cached until something changes');
  });

  it('traces on live state: the rendered kube-proxy rules send a ClusterIP request to the live endpoints', () => {
    const state = live.state();
    const rules = parseRules(rulesRenderer(state.proxy.mode).render({ state, node: 'node-a' }));
    const d = traceRules(rules, { from: '10.244.0.21', to: '10.96.0.50', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: ['192.168.0.10'], nodeName: 'node-a' });
    assert.equal(d.verdict, 'DNAT');
    assert.deepEqual(d.endpoints.map((e) => `${e.ip}:${e.port} ${e.probability}`).sort(), ['10.244.0.11:8080 0.5', '10.244.0.12:8080 0.5']);
  });
});
