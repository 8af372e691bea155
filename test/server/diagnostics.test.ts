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

test('a syntax error is reported at the right spot and goes away when fixed', async () => {
  const c = await TestClient.start({ files: { 'app/deploy.yaml': DEPLOY } });
  try {
    const uri = await c.open('app/svc.yaml', SVC + '---\nkind: [unclosed\n');
    const diags = await c.diagnosticsFor(uri, (d) => d.length > 0, 'a syntax error');
    assert.equal(diags[0]!.code, 'KSD001');
    assert.equal(diags[0]!.range.start.line, 12);
    assert.equal(diags[0]!.source, 'ksd');
    await c.edit(uri, SVC);
    await c.diagnosticsFor(uri, (d) => d.length === 0, 'the error to clear');
  } finally {
    await c.stop();
  }
});
