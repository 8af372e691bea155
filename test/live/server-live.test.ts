/**
 * The language server checking open manifests against a live cluster (kubeServiceDebugger.live.checkManifests),
 * driven by a real LSP client over in-memory streams, against the in-process wire-format server (not a real
 * API server). Off by default and never without the client's word that the workspace is trusted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClient } from '../server/client';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const SVC = (targetPort: number) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: ${targetPort}
`;

type Diag = { code?: string | number; source?: string; message: unknown; range: { start: { line: number } } };

describe('language server: open manifests checked against the live cluster', () => {
  let server: FakeApiServer;
  let kubeconfig: string;
  const clients: TestClient[] = [];

  before(async () => {
    server = await FakeApiServer.start();
    server.seed('namespaces', [namespace('shop')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11', { port: 8080 })]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50', { targetPort: 8080 })]);
    kubeconfig = writeKubeconfig([{ name: 'kind', server: server.url }], 'kind');
  });

  after(async () => {
    for (const c of clients) await c.stop().catch(() => undefined);
    assertReadOnly(server);
    await server.close();
    assertNoUnhandled();
  });

  async function start(settings: Record<string, unknown>, trusted: boolean): Promise<TestClient> {
    const c = await TestClient.start({ settings, initializationOptions: { trusted } });
    clients.push(c);
    return c;
  }

  it('reports drift from the live Service and live-only findings, follows the watch, and says its status', async () => {
    const c = await start({ live: { checkManifests: true, kubeconfig } }, true);
    await c.until(() => c.liveStatus.some((s) => s.state === 'synced'), 'live status synced');
    assert.equal(c.liveStatus[0]?.state, 'connecting');
    assert.equal(c.liveStatus.find((s) => s.state === 'synced')?.context, 'kind');
    const uri = await c.open('svc.yaml', SVC(9090));
    const live = () => (c.diagnostics.get(uri) ?? []).filter((d: Diag) => d.source === 'ksd (live cluster)') as Diag[];
    await c.until(() => live().some((d) => d.code === 'KSD801'), 'drift diagnostic');
    const drift = live().find((d) => d.code === 'KSD801')!;
    assert.match(String(drift.message), /port "http" targetPort is 8080 in the cluster, 9090 here/);
    assert.equal(drift.range.start.line, 11);
    // The live pods expose 8080 only: the manifest's targetPort 9090 matches no container port of them.
    assert.ok(live().some((d) => d.code !== 'KSD801' && /9090/.test(String(d.message))), JSON.stringify(live()));
    // The cluster changes: the live Service now has targetPort 9090, so the drift goes away without an edit.
    server.apply('services', service('shop', 'web', { app: 'web' }, '10.96.0.50', { targetPort: 9090 }));
    await c.until(() => !live().some((d) => d.code === 'KSD801'), 'drift gone after the watch event');
    // An edit is checked again against the live state.
    await c.edit(uri, SVC(7070));
    await c.until(() => live().some((d) => d.code === 'KSD801' && /9090 in the cluster, 7070 here/.test(String(d.message))), 'drift after an edit');
    // A Service not in the cluster.
    const other = await c.open('new.yaml', SVC(8080).replace('name: web', 'name: fresh'));
    await c.until(() => (c.diagnostics.get(other) ?? []).some((d: Diag) => d.code === 'KSD802'), 'not-deployed diagnostic');
    // Closing the document drops its live diagnostics.
    await c.close(uri);
    await c.until(() => !live().length, 'no live diagnostics after close');
  });

  it('untrusted or off: no kubeconfig is read, no request is made, and the status says why', async () => {
    // The servers of earlier tests keep watching (and re-listing) the cluster: stop them so that every request
    // counted here would come from the two servers below.
    for (const c of clients.splice(0)) await c.stop().catch(() => undefined);
    const before = server.requests.length;
    const untrusted = await start({ live: { checkManifests: true, kubeconfig } }, false);
    await untrusted.until(() => untrusted.liveStatus.some((s) => s.state === 'untrusted'), 'untrusted status');
    const uri = await untrusted.open('svc.yaml', SVC(9090));
    await untrusted.until(() => untrusted.diagnostics.has(uri), 'offline diagnostics');
    assert.ok(!(untrusted.diagnostics.get(uri) ?? []).some((d: Diag) => d.source === 'ksd (live cluster)'));
    const off = await start({ live: { kubeconfig } }, true);
    await off.until(() => off.liveStatus.some((s) => s.state === 'off'), 'off status');
    assert.equal(server.requests.length, before, 'nothing was asked of the cluster');
  });

  it('an unreachable cluster is an error status, not a crash; the offline diagnostics still come', async () => {
    const down = writeKubeconfig([{ name: 'down', server: 'http://127.0.0.1:9' }], 'down');
    const c = await start({ live: { checkManifests: true, kubeconfig: down } }, true);
    await c.until(() => c.liveStatus.some((s) => s.state === 'reconnecting' || s.state === 'error'), 'failing status');
    assert.match(c.liveStatus.at(-1)?.message ?? '', /cannot reach the API server/);
    const uri = await c.open('svc.yaml', SVC(9090));
    await c.until(() => c.diagnostics.has(uri), 'offline diagnostics');
    const missing = await start({ live: { checkManifests: true, kubeconfig: '/nonexistent/kubeconfig' } }, true);
    await missing.until(() => missing.liveStatus.some((s) => s.state === 'error'), 'kubeconfig error status');
    assert.match(missing.liveStatus.at(-1)?.message ?? '', /nonexistent/);
  });
});
