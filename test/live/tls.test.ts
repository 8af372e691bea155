/**
 * The TLS path: an HTTPS fake API server (the in-process wire-format server, not a real API server) with a
 * test CA and a client certificate (fixtures in test/live/fixtures/tls, generated once with openssl), reached
 * through a kubeconfig with certificate-authority-data and client-certificate-data, as kubeadm writes them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LiveCluster } from '../../src/live';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const dir = join(__dirname, '..', '..', '..', 'test', 'live', 'fixtures', 'tls');
const pem = (f: string) => readFileSync(join(dir, f), 'utf8');
const fast = { watchTimeoutSeconds: 30, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.1 } };

describe('live cluster over TLS', () => {
  const servers: FakeApiServer[] = [];
  const clusters: LiveCluster[] = [];

  async function start(): Promise<FakeApiServer> {
    const server = await FakeApiServer.start({ tls: { key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt') } });
    servers.push(server);
    server.seed('namespaces', [namespace('shop')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11')]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
    return server;
  }

  after(async () => {
    for (const c of clusters) c.stop();
    for (const s of servers) {
      assertReadOnly(s);
      await s.close();
    }
    assertNoUnhandled();
  });

  it('verifies the server against certificate-authority-data and presents the client certificate; lists and watches', async () => {
    const server = await start();
    assert.match(server.url, /^https:/);
    const file = writeKubeconfig([{ name: 'tls', server: server.url, tls: { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') } }], 'tls');
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: fast });
    clusters.push(live);
    live.start();
    await live.whenReady(5000);
    assert.equal(live.status().state, 'synced');
    assert.deepEqual(live.state().services.map((s) => `${s.namespace}/${s.name}`), ['shop/web']);
    assert.deepEqual([...server.clientNames], ['ksd-test-user']);
    // The watch runs over TLS too.
    server.apply('pods', pod('shop', 'web-2', { app: 'web' }, '10.244.0.12'));
    await eventually(() => live.state().pods.some((p) => p.name === 'web-2'), 3000, 'pod through the TLS watch');
  });

  it('a server certificate from another CA is refused with a clear message, never silently trusted', async () => {
    const server = await start();
    const file = writeKubeconfig([{ name: 'wrong-ca', server: server.url, tls: { ca: pem('other-ca.crt'), cert: pem('client.crt'), key: pem('client.key') } }], 'wrong-ca');
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: { ...fast, watch: false } });
    clusters.push(live);
    await assert.rejects(live.snapshot(5000), (e: Error) => /TLS: the API server's certificate is not signed by the kubeconfig's certificate-authority/.test(e.message));
    assert.equal(server.requests.length, 0, 'no request reached the server');
  });

  it('without a client certificate the TLS handshake fails and the status says so', async () => {
    const server = await start();
    const file = writeKubeconfig([{ name: 'no-cert', server: server.url, tls: { ca: pem('ca.crt') } }], 'no-cert');
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: fast });
    clusters.push(live);
    live.start();
    const st = await eventually(() => {
      const s = live.status();
      return s.state === 'reconnecting' || s.state === 'error' ? s : undefined;
    }, 5000, 'a failing status');
    assert.match(st.message ?? '', /TLS: the API server requires a client certificate and none was sent/);
    assert.equal(server.requests.length, 0);
  });
});
