import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { CodeLens, DocumentSymbol, Hover } from 'vscode-languageserver/node';
import { guard } from '../../src/server/guard';
import { TestClient } from './client';
import { DEPLOY, SVC } from './fixtures';

let c: TestClient;
before(async () => {
  c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY } });
});
after(() => c.stop());

test('half-typed YAML: the error is reported where it is and the other documents keep their analysis', async () => {
  const uri = await c.open('typing.yaml', `${SVC}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: half\nspec:\n  selector: {app: web\n`);
  const diags = await c.diagnosticsFor(uri, (d) => d.length > 0);
  assert.equal(diags[0]!.code, 'KSD001');
  assert.ok(diags[0]!.range.start.line >= 17, JSON.stringify(diags[0]!.range));
  const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.equal(lenses[0]!.command!.title, '2 pods, 2 ready');
  // Keep typing: the error moves with the text and clears once the flow map is closed.
  await c.edit(uri, `${SVC}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: half\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n`);
  await c.diagnosticsFor(uri, (d) => !d.some((x) => x.code === 'KSD001'), 'the error to clear');
  const after = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.equal(after.filter((l) => l.command?.command === '').length, 2);
});

test('an alias bomb is bounded with a clear message and the server keeps answering', async () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill('*' + 'abcdefghi'[i]).join(',')}]`)].join('\n');
  const uri = await c.open('bomb.yaml', bomb + '\n');
  const diags = await c.diagnosticsFor(uri, (d) => d.length > 0);
  const msg = diags[0]!.message;
  assert.match(typeof msg === 'string' ? msg : msg.value, /YAML bomb/);
  const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(syms, []);
});

test('wrong-typed fields never throw: the Service still gets symbols, lenses and hovers', async () => {
  const hostile = `apiVersion: v1
kind: Service
metadata:
  name: odd
  labels: [1, 2]
spec:
  selector: {app: [web], tier: {x: 1}}
  ports: "eighty"
  clusterIP: 12
---
apiVersion: v1
kind: Service
metadata: 5
spec: []
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata: {labels: "app=web"}
    spec: {containers: [{ports: [{containerPort: "x", name: 7}]}, null, 3]}
`;
  const uri = await c.open('hostile.yaml', hostile);
  const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(syms.length, 3);
  await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  for (let line = 0; line < hostile.split('\n').length; line++) {
    for (const character of [0, 3, 10]) await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    await c.request('textDocument/completion', { textDocument: { uri }, position: { line, character: 9 } });
    await c.request('textDocument/definition', { textDocument: { uri }, position: { line, character: 5 } });
  }
  assert.equal(c.logs.filter((l) => /failed/.test(l)).length, 0, c.logs.join('\n'));
});

test('malformed requests are answered (with nothing) and logged, and later requests still work', async () => {
  assert.equal(await c.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.yaml' } }), null);
  assert.deepEqual(await c.request('textDocument/codeLens', {}), []);
  assert.deepEqual(await c.request('textDocument/definition', { textDocument: { uri: 'untitled:x' }, position: { line: -4, character: 1e9 } }), []);
  assert.deepEqual(await c.request('ksd/ruleChain', null), { available: false, reason: 'A service reference {namespace, name} is required.' });
  await c.until(() => c.logs.some((l) => /ksd: codeLens failed/.test(l)), 'the failure to be logged');
  const uri = await c.open('after.yaml', SVC);
  const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  // The pod counts (this client runs no lens commands, so no Trace or Rule chain).
  assert.equal(lenses.length, 1);
});

test('guard turns a throw into the fallback and logs it; async rejections too', async () => {
  const logged: string[] = [];
  const log = { error: (m: string) => logged.push(m) };
  assert.equal(await guard(log, 'boom', 'fallback', () => { throw new Error('bad'); })(), 'fallback');
  assert.equal(await guard(log, 'later', 7, async () => Promise.reject(new Error('worse')))(), 7);
  assert.equal(await guard(log, 'fine', 0, (x: number) => x + 1)(1), 2);
  assert.equal(logged.length, 2);
  assert.match(logged[0]!, /ksd: boom failed: Error: bad/);
});
