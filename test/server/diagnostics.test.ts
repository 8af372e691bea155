import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { TestClient } from './client';

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: main
        image: nginx
        ports:
        - name: http
          containerPort: 8080
`;
const SVC = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
`;

test('half-typed quote mid-file: the error points at the quote, the next document keeps its finding', async () => {
  const c = await TestClient.start({ files: { 'app/deploy.yaml': DEPLOY } });
  try {
    const lonely = SVC.replace('name: web', 'name: lonely').replace('app: web', 'app: nothing');
    const typing = SVC.replace('app: web', 'app: "we');
    const uri = await c.open('app/two.yaml', `${typing}---\n${lonely}`);
    const diags = await c.diagnosticsFor(uri, (d) => d.some((x) => x.code === 'KSD001') && d.some((x) => x.code === 'KSD101'), 'the syntax error and the lonely Service');
    const syntax = diags.find((d) => d.code === 'KSD001')!;
    const quoteLine = typing.split('\n').findIndex((l) => l.includes('"we'));
    assert.deepEqual([syntax.range.start.line, syntax.range.start.character], [quoteLine, typing.split('\n')[quoteLine]!.indexOf('"')]);
    assert.match(String(syntax.message), /quoted string opened here is not closed/);
    assert.ok(diags.find((d) => d.code === 'KSD101')!.range.start.line > quoteLine);
  } finally {
    await c.stop();
  }
});

test('a syntax error is reported at the right spot and goes away when fixed', async () => {
  const c = await TestClient.start({ files: { 'app/deploy.yaml': DEPLOY } });
  try {
    const uri = await c.open('app/svc.yaml', SVC + '---\nkind: [unclosed\n');
    const diags = await c.diagnosticsFor(uri, (d) => d.length > 0, 'a syntax error');
    assert.equal(diags[0]!.code, 'KSD001');
    // At the unclosed "[", not on the line after it where the parser gave up.
    assert.deepEqual([diags[0]!.range.start.line, diags[0]!.range.start.character], [11, 6]);
    assert.equal(diags[0]!.source, 'ksd');
    await c.edit(uri, SVC);
    await c.diagnosticsFor(uri, (d) => d.length === 0, 'the error to clear');
  } finally {
    await c.stop();
  }
});
