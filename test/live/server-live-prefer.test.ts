/**
 * Live checks replace the offline findings the live cluster answers (issue 6): one answer per finding, never an
 * offline "matches nothing" next to live pods that match. Real LSP client over in-memory streams, in-process
 * wire-format API server.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TestClient } from '../server/client';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, hookUnhandled, namespace, node, pod, writeKubeconfig } from './helpers';

hookUnhandled();

const SVC = (name: string, app: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: shop
spec:
  selector:
    app: ${app}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;

const DEPLOY = (app: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
      - name: app
        image: app:1
        ports:
        - containerPort: 8080
`;

type Diag = { code?: string | number; source?: string; message: unknown };
const LIVE = 'ksd (live cluster)';

describe('language server: live findings replace the offline ones they answer', () => {
  const servers: FakeApiServer[] = [];
  const clients: TestClient[] = [];

  async function cluster(): Promise<{ server: FakeApiServer; kubeconfig: string }> {
    const server = await FakeApiServer.start();
    servers.push(server);
    server.seed('namespaces', [namespace('shop')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    // Live pods labelled app=api; nothing in the cluster is labelled app=ghost.
    server.seed('pods', [pod('shop', 'api-1', { app: 'api' }, '10.244.0.21', { port: 8080 })]);
    return { server, kubeconfig: writeKubeconfig([{ name: 'kind', server: server.url }], 'kind') };
  }

  async function start(settings: Record<string, unknown>): Promise<TestClient> {
    const c = await TestClient.start({ settings, initializationOptions: { trusted: true } });
    clients.push(c);
    return c;
  }

  const diags = (c: TestClient, uri: string) => (c.diagnostics.get(uri) ?? []) as Diag[];
  const codes = (c: TestClient, uri: string, code: string) => diags(c, uri).filter((d) => d.code === code);
  /** KSD802 (not deployed) is only ever live: its presence says the live findings are in. */
  const liveIn = (c: TestClient, uri: string) => codes(c, uri, 'KSD802').some((d) => d.source === LIVE);

  after(async () => {
    for (const c of clients) await c.stop().catch(() => undefined);
    for (const s of servers) {
      assertReadOnly(s);
      await s.close();
    }
    assertNoUnhandled();
  });

  it('a selector no workspace workload matches but live pods do: no KSD101 at all; off again: the offline KSD101 is back', async () => {
    const { kubeconfig } = await cluster();
    // The negative control: offline, nothing in the workspace carries app=api.
    const offline = await start({ live: { checkManifests: false, kubeconfig } });
    const ou = await offline.open('api.yaml', SVC('api', 'api'));
    await offline.until(() => codes(offline, ou, 'KSD101').length === 1, 'offline KSD101');

    const c = await start({ live: { checkManifests: true, kubeconfig } });
    const uri = await c.open('api.yaml', SVC('api', 'api'));
    await c.until(() => liveIn(c, uri), 'live findings', 15_000);
    assert.deepEqual(codes(c, uri, 'KSD101'), [], JSON.stringify(diags(c, uri)));
    assert.match(String(codes(c, uri, 'KSD802')[0]?.message), /^Live cluster "kind": /);

    // Switching the setting off brings the offline findings back, with nothing live left.
    c.settings = { live: { checkManifests: false, kubeconfig } };
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await c.until(() => codes(c, uri, 'KSD101').length === 1 && !diags(c, uri).some((d) => d.source === LIVE), 'offline KSD101 back after switching off', 10_000);
    await c.until(() => c.liveStatus.at(-1)?.state === 'off', 'off status');
  });

  it('a selector only a workspace Deployment matches, nothing live: one KSD101, the live one, saying so', async () => {
    const { kubeconfig } = await cluster();
    const c = await start({ live: { checkManifests: true, kubeconfig } });
    await c.open('deploy.yaml', DEPLOY('ghost'));
    const uri = await c.open('ghost.yaml', SVC('ghost', 'ghost'));
    await c.until(() => liveIn(c, uri) && codes(c, uri, 'KSD101').length > 0, 'live KSD101', 15_000);
    const found = codes(c, uri, 'KSD101');
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.source, LIVE);
    assert.match(String(found[0]!.message), /^Live cluster "kind": Selector app=ghost matches no pods/);
    // Findings about the manifest alone stay, once: a bad port name is reported offline only.
    await c.edit(uri, SVC('ghost', 'ghost').replace('name: http', 'name: HTTP_port'));
    await c.until(() => codes(c, uri, 'KSD206').length > 0, 'port name finding');
    await new Promise((r) => setTimeout(r, 300));
    const names = codes(c, uri, 'KSD206');
    assert.equal(names.length, 1, JSON.stringify(names));
    assert.equal(names[0]!.source, 'ksd');
  });

  it('stale live data still answers; forbidden after the API server restarts: the offline findings come back and the status says why', async () => {
    const { server, kubeconfig } = await cluster();
    const c = await start({ live: { checkManifests: true, kubeconfig } });
    const uri = await c.open('api.yaml', SVC('api', 'api'));
    await c.until(() => liveIn(c, uri), 'live findings', 15_000);
    assert.deepEqual(codes(c, uri, 'KSD101'), []);

    // The API server goes away: the data is stale but present, so the live answer stands.
    await server.down();
    await c.until(() => c.liveStatus.at(-1)?.state === 'reconnecting', 'reconnecting status', 15_000);
    await c.edit(uri, SVC('api', 'api') + '\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(liveIn(c, uri));
    assert.deepEqual(codes(c, uri, 'KSD101'), []);

    // It comes back with pods no longer readable in shop (nor cluster-wide): the live state cannot answer.
    server.deny('pods', '*');
    server.deny('pods', 'shop');
    server.compact();
    await server.up();
    await c.until(() => codes(c, uri, 'KSD101').length === 1, 'offline KSD101 back', 20_000);
    assert.equal(codes(c, uri, 'KSD101')[0]!.source, 'ksd');
    assert.ok(!diags(c, uri).some((d) => d.source === LIVE), JSON.stringify(diags(c, uri)));
    await c.until(() => /open manifests keep their offline findings: shop \(.*pods.*\)/.test(c.liveStatus.at(-1)?.message ?? ''), 'status says why', 10_000);
  });
  it('a live finding offers its quick fix (a selector typo next to the live pods\' labels), editing only the manifest', async () => {
    const { kubeconfig } = await cluster();
    const c = await start({ live: { checkManifests: true, kubeconfig } });
    const uri = await c.open('typo.yaml', SVC('api', 'apii'));
    await c.until(() => codes(c, uri, 'KSD101').some((d) => d.source === LIVE), 'live KSD101', 15_000);
    const found = codes(c, uri, 'KSD101');
    assert.equal(found.length, 1);
    assert.match(String(found[0]!.message), /Did you mean app=api\?/);
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: (found[0] as unknown as { range: unknown }).range, context: { diagnostics: found } })) as { title: string; edit?: { changes?: Record<string, { newText: string }[]> } }[];
    const change = actions.find((a) => a.title === 'Change the selector to app=api');
    assert.ok(change, JSON.stringify(actions));
    assert.deepEqual(Object.keys(change.edit?.changes ?? {}), [uri]);
    assert.deepEqual(change.edit?.changes?.[uri]?.map((e) => e.newText), ['api']);
  });
  it("the user's cluster settings hold live too (node-port range); a check the live source cannot answer (Service CIDRs) stays offline, once", async () => {
    const { kubeconfig } = await cluster();
    const c = await start({ serviceCIDRs: ['10.96.0.0/16'], nodePortRange: '30000-30100', live: { checkManifests: true, kubeconfig } });
    const text = SVC('api', 'api').replace('spec:\n', 'spec:\n  type: NodePort\n  clusterIP: 10.200.0.5\n').replace('targetPort: 8080', 'targetPort: 8080\n    nodePort: 31000');
    const uri = await c.open('ip.yaml', text);
    await c.until(() => liveIn(c, uri) && codes(c, uri, 'KSD211').length > 0, 'KSD211', 15_000);
    const range = codes(c, uri, 'KSD211');
    assert.equal(range.length, 1, JSON.stringify(range));
    assert.equal(range[0]!.source, LIVE);
    assert.match(String(range[0]!.message), /31000/);
    const cidr = codes(c, uri, 'KSD301');
    assert.equal(cidr.length, 1, JSON.stringify(cidr));
    assert.equal(cidr[0]!.source, 'ksd');
    assert.match(String(cidr[0]!.message), /10\.200\.0\.5/);
  });
});
