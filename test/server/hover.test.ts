import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import { caret, TestClient } from './client';
import { DEPLOY, NOT_READY_POD } from './fixtures';

let c: TestClient;
before(async () => {
  c = await TestClient.start({ files: { 'k8s/deploy.yaml': DEPLOY, 'k8s/pod.yaml': NOT_READY_POD } });
});
after(() => c.stop());

async function hoverAt(rel: string, marked: string): Promise<string | undefined> {
  const { text, line, character } = caret(marked);
  const uri = await c.open(rel, text);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  if (!h) return undefined;
  return typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : String(h.contents);
}

const svc = (selector: string, extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
${selector}
  ports:
  - name: http
    port: 80
    targetPort: http
${extra}`;

test('hover on a selector lists the matched workload and its pods (cross-file)', async () => {
  const md = await hoverAt('a.yaml', svc('    app: we|b'));
  assert.ok(md);
  assert.match(md, /Deployment web/);
  assert.match(md, /2 matched, 2 ready/);
  assert.match(md, /simulated from its workload/);
});

test('hover on a selector shows pods that are not ready, with the reason', async () => {
  const md = await hoverAt('b.yaml', svc('    app: a|pi').replace('name: web', 'name: api'));
  assert.ok(md);
  assert.match(md, /Pod api-0/);
  assert.match(md, /✗ `api-0` 10\.244\.1\.7: .*pod is not Ready \(ContainersNotReady\)/);
  assert.match(md, /no container port is named "http" \(the pod declares "grpc"\)/);
  assert.match(md, /1 matched, 0 ready/);
});

test('hover on a selector that matches nothing says so and shows the closest labels', async () => {
  const md = await hoverAt('c.yaml', svc('    app: wbe|'));
  assert.ok(md);
  assert.match(md, /Matches no workload template or Pod in namespace `default`/);
  assert.match(md, /Deployment web: app=web, not wbe \(labels `app=web,tier=front`\)/);
});

test('hover on a typo\'d selector: the label set it was meant for comes first, unrelated ones are left out', async () => {
  await c.open('k8s/more.yaml', ['admin', 'catalog', 'orders'].map((n) => DEPLOY.replace(/web/g, n)).join('---\n'));
  const md = await hoverAt('t.yaml', svc('    app: wbe|').replace('name: web', 'name: typo'));
  assert.ok(md);
  const list = md.split('Closest label sets in this namespace (closest first):\n')[1] ?? '';
  assert.match(list, /^- Deployment web: app=web, not wbe/);
  assert.doesNotMatch(list, /admin|catalog|orders/);
  // Nothing close: the nearest few are still listed, so the user sees what exists.
  const far = await hoverAt('u.yaml', svc('    app: zzzzzzzzzz|').replace('name: web', 'name: far'));
  assert.match(far ?? '', /Deployment admin: app=admin, not zzzzzzzzzz/);
});

test('hover on a selector that matches some pods also says why a near one is not selected', async () => {
  await c.open('k8s/canary.yaml', DEPLOY.replace('name: web', 'name: web-canary').replace('tier: front', 'tier: canary'));
  const md = await hoverAt('v.yaml', svc('    app: web\n    tier: fr|ont').replace('name: web', 'name: front'));
  assert.ok(md);
  assert.match(md, /Matches 1 workload template/);
  assert.match(md, /Not selected \(closest first\):\n(- .*\n)*- Deployment web-canary: tier=canary, not front \(labels `app=web,tier=canary`\)/);
  // Workloads sharing no selector pair are not "near".
  assert.doesNotMatch(md.split('Not selected')[1] ?? '', /Pod api-0/);
});

test('hover on a port resolves port -> targetPort -> containerPort per workload, with the node port', async () => {
  const md = await hoverAt('d.yaml', svc('    app: web').replace('    targetPort: http', '    target|Port: http'));
  assert.ok(md);
  assert.match(md, /80\/TCP → targetPort `http`/);
  assert.match(md, /NodePort 3\d{4} \(assigned/);
  assert.match(md, /Deployment web: 80 → http → ✓ containerPort 8080 \(container `main`\)/);
});

test('hover on a port whose name has the wrong protocol explains the miss', async () => {
  const md = await hoverAt('e.yaml', svc('    app: web').replace('    targetPort: http', '    targetPort: d|ns'));
  assert.ok(md);
  assert.match(md, /✗ no container port named `dns` with protocol TCP/);
});

test('hover on the Service name shows DNS names, the assigned cluster IP and env variable names', async () => {
  const md = await hoverAt('f.yaml', svc('    app: web').replace('  name: web', '  name: w|eb'));
  assert.ok(md);
  assert.match(md, /`web\.default\.svc\.cluster\.local`/);
  assert.match(md, /_http\._tcp\.web\.default\.svc\.cluster\.local/);
  assert.match(md, /Cluster IP `10\.\d+\.\d+\.\d+` \(assigned/);
  assert.match(md, /WEB_SERVICE_HOST=10\./);
  assert.match(md, /WEB_SERVICE_PORT_HTTP=80/);
  assert.match(md, /WEB_PORT_80_TCP_ADDR/);
});

test('a cluster IP written in the manifest is not marked assigned', async () => {
  const md = await hoverAt('g.yaml', svc('    app: web').replace('  name: web', '  name: w|eb').replace('  type: NodePort', '  type: NodePort\n  clusterIP: 10.96.0.50'));
  assert.ok(md);
  assert.match(md, /Cluster IP `10\.96\.0\.50`\n/);
});

test('no hover outside the places we know, nor on non-Service objects', async () => {
  assert.equal(await hoverAt('h.yaml', svc('    app: web').replace('apiVersion: v1', 'apiVer|sion: v1')), undefined);
  assert.equal(await hoverAt('i.yaml', DEPLOY.replace('replicas: 2', 'replicas: |2')), undefined);
});
