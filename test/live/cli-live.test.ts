/** `ksd endpoints --live` against the in-process wire-format server (not a real API server). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from './fakeApiServer';
import { assertReadOnly, endpointSlice, namespace, node, pod, service, writeKubeconfig } from './helpers';

const root = path.resolve(__dirname, '../../..');

// The server runs in this process, so ksd must run asynchronously (spawnSync would block the server).
function ksd(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 30_000, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('ksd endpoints, check and trace --live', () => {
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

  it('ksd check --live: manifests against the live pods, with drift and not-yet-applied Services', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksd-check-live-'));
    const file = path.join(dir, 'svc.yaml');
    // shop/web selects the live pods (fine against the cluster, no pod in the file) but its targetPort drifted;
    // shop/fresh is not applied yet.
    writeFileSync(file, `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: fresh, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
    type D = { file: string; code: string; severity: string; message: string; range: { start: { line: number } } };
    const offline = await ksd(['check', file, '--format', 'json']);
    const offlineCodes = (JSON.parse(offline.stdout) as D[]).map((d) => d.code);
    assert.ok(offlineCodes.includes('KSD101'), `offline, no pod carries app=web: ${offlineCodes.join(',')}`);
    const before = server.requests.length;
    const r = await ksd(['check', file, '--live', '--format', 'json'], { KUBECONFIG: kubeconfig });
    assert.equal(r.stderr, '');
    const diags = JSON.parse(r.stdout) as D[];
    assert.ok(diags.every((d) => d.file === file), 'only diagnostics in the given files');
    assert.ok(!diags.some((d) => d.code === 'KSD101'), `the live pods match the selector: ${JSON.stringify(diags)}`);
    const drift = diags.find((d) => d.code === 'KSD801');
    assert.match(drift?.message ?? '', /live Service shop\/web in context "good": port "http" targetPort is 8080 in the cluster, 9090 here/);
    assert.equal(drift?.range.start.line, 5);
    assert.match(diags.find((d) => d.code === 'KSD802')?.message ?? '', /Service shop\/fresh does not exist in the cluster of context "good"/);
    assert.equal(server.requests.slice(before).some((q) => q.watch), false, 'a one-shot command does not watch');
    const text = await ksd(['check', file, '--live'], { KUBECONFIG: kubeconfig });
    assert.match(text.stdout, /\(against context good\)/);
    const bad = await ksd(['check', file, '--context', 'good']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /need --live/);
  });

  it('ksd trace --live: traces on the cluster (only ready endpoints, the live node); with PATHS the manifests win', async () => {
    let r = await ksd(['trace', '--live', '--from', '10.244.1.1', '--to', '10.96.0.50:80', '--json'], { KUBECONFIG: kubeconfig });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    let out = JSON.parse(r.stdout) as { verdict: string; endpoints: { ip: string; port: number; probability: number }[] };
    assert.equal(out.verdict, 'DNAT');
    assert.deepEqual(out.endpoints, [{ ip: '10.244.0.11', port: 8080, probability: 1 }]);
    // A manifest for shop/web (targetPort 9090) replaces the live one: its endpoints come from the live pods.
    const dir = mkdtempSync(path.join(tmpdir(), 'ksd-trace-live-'));
    const file = path.join(dir, 'web.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  clusterIP: 10.96.0.50\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: 9090}]\n');
    r = await ksd(['trace', file, '--live', '--from', '10.244.1.1', '--to', '10.96.0.50:80', '--json'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 0, r.stderr);
    out = JSON.parse(r.stdout) as typeof out;
    assert.deepEqual(out.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.244.0.11:9090']);
    // A --live batch stays on one thread whatever --jobs says: the cluster is read once, never by a worker.
    const flows = path.join(dir, 'flows.json');
    writeFileSync(flows, JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ from: `10.244.${1 + (i >> 8)}.${i & 255}`, to: '10.96.0.50:80' }))));
    const reads: number[] = [];
    const outs: string[] = [];
    for (const jobs of ['1', '3']) {
      const before = server.requests.length;
      r = await ksd(['trace', '--live', '--batch', flows, '--jobs', jobs], { KUBECONFIG: kubeconfig });
      assert.equal(r.code, 0, r.stderr);
      reads.push(server.requests.length - before);
      outs.push(r.stdout);
    }
    assert.equal((JSON.parse(outs[0]!) as unknown[]).length, 2000);
    assert.equal(outs[1], outs[0]);
    assert.equal(reads[1], reads[0], 'as many API reads with --jobs 3 as with --jobs 1');
    r = await ksd(['trace', '--from', '10.244.1.1', '--to', '10.96.0.50:80']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs PATHS \(manifests\), --live, or --rules FILE/);
    r = await ksd(['trace', '--live', '--context', 'down', '--from', '10.244.1.1', '--to', '10.96.0.50:80'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot reach the API server/);
  });
});
