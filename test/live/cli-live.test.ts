/** `ksd endpoints --live` against the in-process wire-format server (not a real API server). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from './fakeApiServer';
import { assertReadOnly, endpointSlice, namespace, node, pod, service, writeKubeconfig } from './helpers';

const root = path.resolve(__dirname, '../../..');

// The server runs in this process, so ksd must run asynchronously (spawnSync would block the server).
function ksd(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('ksd endpoints --live', () => {
  let server: FakeApiServer;
  let kubeconfig: string;

  before(async () => {
    server = await FakeApiServer.start({ token: 't0ken' });
    server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('other')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11'), pod('shop', 'web-2', { app: 'web' }, '10.244.0.12', { ready: false }), pod('other', 'x-1', { app: 'web' }, '10.244.1.1')]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
    server.seed('endpointslices', [
      endpointSlice('shop', 'web', 'web-abcde', [
        { ip: '10.244.0.11', pod: 'web-1', ready: true },
        { ip: '10.244.0.12', pod: 'web-2', ready: false },
      ]),
    ]);
    kubeconfig = writeKubeconfig(
      [
        { name: 'good', server: server.url, token: 't0ken' },
        { name: 'down', server: 'http://127.0.0.1:9', token: 't0ken' },
      ],
      'good',
    );
  });

  after(async () => {
    assertReadOnly(server);
    await server.close();
  });

  it('prints the live endpoints as JSON, reading only the Service namespace', async () => {
    const before = server.requests.length;
    const r = await ksd(['endpoints', 'shop/web', '--live', '--json'], { KUBECONFIG: kubeconfig });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout) as { endpoints: { ip: string; ready: boolean; pod: string }[]; excluded: { pod: string; reason: string }[] };
    assert.deepEqual(out.endpoints.map((e) => `${e.ip} ${e.ready} ${e.pod}`), ['10.244.0.11 true web-1', '10.244.0.12 false web-2']);
    assert.deepEqual(out.excluded.map((x) => x.pod), ['shop/web-2']);
    const paths = server.requests.slice(before).map((q) => q.path);
    assert.ok(paths.includes('/api/v1/namespaces/shop/pods'));
    assert.equal(paths.some((p) => p.includes('/namespaces/other/') || p === '/api/v1/pods'), false);
    assert.equal(server.requests.slice(before).some((q) => q.watch), false, 'a one-shot command does not watch');
  });

  it('text output names the cluster as the source; --context and --kubeconfig pick the cluster', async () => {
    const r = await ksd(['endpoints', 'shop/web', '--live', '--kubeconfig', kubeconfig, '--context', 'good']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Service shop\/web \(from the cluster's EndpointSlices\)/);
  });

  it('clear errors: unreachable cluster, unknown context, unknown Service, forbidden, bad flags', async () => {
    let r = await ksd(['endpoints', 'shop/web', '--live', '--context', 'down'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /cannot reach the API server/);
    r = await ksd(['endpoints', 'shop/web', '--live', '--context', 'nope'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no context "nope"/);
    r = await ksd(['endpoints', 'shop/missing', '--live'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no Service shop\/missing in namespace shop of context "good" \(Services: shop\/web\)/);
    server.deny('pods', 'shop');
    r = await ksd(['endpoints', 'shop/web', '--live'], { KUBECONFIG: kubeconfig });
    server.allow('pods', 'shop');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /forbidden by RBAC \(403\).*cannot list resource "pods"/);
    r = await ksd(['endpoints', 'shop/web', 'examples', '--live'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /give no PATHS/);
    r = await ksd(['endpoints', 'shop/web', 'examples', '--context', 'good']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /need --live/);
  });
});
