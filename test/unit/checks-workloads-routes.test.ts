import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { applyFix, check, deployment, none, one, where } from './checks-helpers';

const probe = (port: string, kind = 'readinessProbe', handler = 'httpGet') => deployment('web', 'app=web', '        - name: http\n          containerPort: 8080\n', `        ${kind}:\n          ${handler}:\n            port: ${port}\n`);

test('KSD401: a probe on a named port the container lacks; the fix uses the near name', () => {
  const text = probe('htp');
  const d = one(check(text), 'KSD401');
  assert.equal(d.severity, 'error');
  assert.deepEqual(where(text, d), { line: 23, text: 'htp' });
  assert.match(d.message, /readinessProbe \(httpGet\) of container "app" in Deployment "web" uses port "htp".*never becomes Ready/);
  none(check(applyFix(text, d.fixes![0]!)));
  assert.match(one(check(probe('admin', 'livenessProbe', 'tcpSocket')), 'KSD401').message, /keeps restarting/);
});

test('KSD401: a numeric probe port the container does not declare is info; declared or portless is silent', () => {
  const d = one(check(probe('9000')), 'KSD401');
  assert.equal(d.severity, 'info');
  none(check(probe('8080')));
  none(check(probe('http')));
  none(check(deployment('web', 'app=web', '', '        readinessProbe:\n          tcpSocket:\n            port: 9000\n')));
});

test('KSD402: invalid and duplicate container port names, bad containerPort', () => {
  const text = deployment('web', 'app=web', '        - name: HTTP_port\n          containerPort: 8080\n        - name: metrics\n          containerPort: 9090\n        - name: metrics\n          containerPort: 99999\n');
  const diags = check(text).filter((d) => d.code === 'KSD402');
  assert.deepEqual(diags.map((d) => where(text, d).text), ['HTTP_port', 'metrics', '99999']);
  assert.match(applyFix(text, diags[0]!.fixes![0]!)['a.yaml']!, /name: http-port/);
  none(check(deployment('web', 'app=web')), 'KSD402');
});

const svc = (name: string, ports: string, ns = '') => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${ns}spec:\n  selector: {app: web}\n  ports:\n${ports}`;
const web = deployment('web', 'app=web');
const ingress = (backend: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
${backend}`;

test('KSD501: an Ingress backend naming a missing Service; did-you-mean fix', () => {
  const files = { 'd.yaml': web, 's.yaml': svc('web', '  - {name: http, port: 80, targetPort: http}\n'), 'i.yaml': ingress('            name: wbe\n            port:\n              number: 80\n') };
  const d = one(check(files), 'KSD501');
  assert.deepEqual(where(files, d), { line: 14, text: 'wbe' });
  assert.match(d.message, /^Ingress "shop" backend for shop\.example\.com\/ sends traffic to Service "wbe", which does not exist in namespace "default".*Did you mean "web"\?/);
  none(check(applyFix(files, d.fixes![0]!)));
  const def = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: d\nspec:\n  defaultBackend:\n    service:\n      name: gone\n      port: {number: 80}\n';
  assert.match(one(check({ 'i.yaml': def }), 'KSD501').message, /default backend sends traffic to Service "gone"/);
});

test('KSD501: with no close name, the Services of the namespace are listed sorted, and how many more there are', () => {
  const many = ['zeta', 'alpha', 'mid', 'beta', 'omega', 'gamma', 'delta'].map((n) => svc(n, '  - {name: http, port: 80}\n')).join('---\n');
  const files = { 's.yaml': many, 'i.yaml': ingress('            name: checkout\n            port:\n              number: 80\n') };
  assert.match(one(check(files), 'KSD501').message, /Services in "default": alpha, beta, delta, gamma, mid and 2 more\.$/);
  const few = { 's.yaml': ['web', 'api'].map((n) => svc(n, '  - {name: http, port: 80}\n')).join('---\n'), 'i.yaml': files['i.yaml'] };
  assert.match(one(check(few), 'KSD501').message, /Services in "default": api, web\.$/);
});

test('KSD502: an Ingress backend port the Service lacks (the targetPort by mistake), by number and by name', () => {
  const base = { 'd.yaml': web, 's.yaml': svc('web', '  - {name: http, port: 80, targetPort: 8080}\n') };
  const byNum = { ...base, 'i.yaml': ingress('            name: web\n            port:\n              number: 8080\n') };
  const d = one(check(byNum), 'KSD502');
  assert.deepEqual(where(byNum, d), { line: 16, text: '8080' });
  assert.match(d.message, /8080 is the targetPort of Service port 80; backends use the Service port/);
  none(check(applyFix(byNum, d.fixes![0]!)));
  const byName = { ...base, 'i.yaml': ingress('            name: web\n            port:\n              name: htp\n') };
  const n = one(check(byName), 'KSD502');
  none(check(applyFix(byName, n.fixes![0]!)));
  none(check({ ...base, 'i.yaml': ingress('            name: web\n            port:\n              name: http\n') }));
});

const route = (refs: string, kind = 'HTTPRoute') => `apiVersion: gateway.networking.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: r\n  namespace: front\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs:\n${refs}`;
const backend = svc('web', '  - {name: http, port: 80, targetPort: http}\n', '  namespace: back\n');
const backWeb = web.replace('  name: web\n', '  name: web\n  namespace: back\n');

test('KSD501/KSD502/KSD503: Gateway routes respect the backendRef namespace and need a ReferenceGrant across namespaces', () => {
  const files = { 'd.yaml': backWeb, 's.yaml': backend, 'r.yaml': route('    - {name: web, port: 80}\n') };
  const miss = one(check(files), 'KSD501');
  assert.match(miss.message, /Service "web", which does not exist in namespace "front".*exists in namespace "back"/);
  const cross = { ...files, 'r.yaml': route('    - {name: web, namespace: back, port: 80}\n') };
  const g = one(check(cross), 'KSD503');
  assert.deepEqual(where(cross, g), { line: 10, text: 'back' });
  const grant = 'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: allow\n  namespace: back\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: front}]\n  to: [{group: "", kind: Service}]\n';
  none(check({ ...cross, 'g.yaml': grant }));
  const noPort = { ...files, 'r.yaml': route('    - {name: web, namespace: back}\n', 'GRPCRoute') };
  assert.match(one(check({ ...noPort, 'g.yaml': grant.replace('HTTPRoute', 'GRPCRoute') }), 'KSD502').message, /without a port/);
  const wrongPort = { ...files, 'r.yaml': route('    - {name: web, namespace: back, port: 8080}\n'), 'g.yaml': grant };
  assert.match(one(check(wrongPort), 'KSD502').message, /uses port 8080 of Service "web", which has no such port \(its ports: http \(80\)\)/);
  // Non-Service backends are not ours to check.
  none(check({ 'r.yaml': route('    - {group: example.com, kind: Bucket, name: b}\n') }));
});

test('KSD502: an Ingress v1 service backend without a port', () => {
  const files = { 'd.yaml': web, 's.yaml': svc('web', '  - {name: http, port: 80, targetPort: http}\n'), 'i.yaml': ingress('            name: web\n') };
  const d = one(check(files), 'KSD502');
  assert.deepEqual(where(files, d), { line: 13, text: 'service' });
  assert.match(d.message, /an Ingress service backend needs port\.number or port\.name \(one of: http \(80\)\)/);
});

test('KSD501/KSD502: legacy v1beta1 Ingress backends (serviceName/servicePort) are read too', () => {
  const beta = 'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n  backend:\n    serviceName: web\n    servicePort: 8080\n';
  const files = { 'd.yaml': web, 's.yaml': svc('web', '  - {name: http, port: 80, targetPort: 8080}\n'), 'i.yaml': beta };
  const d = one(check(files), 'KSD502');
  assert.deepEqual(where(files, d), { line: 8, text: '8080' });
  none(check(applyFix(files, d.fixes![0]!)));
  assert.match(one(check({ 'i.yaml': beta.replace('serviceName: web', 'serviceName: gone') }), 'KSD501').message, /Service "gone"/);
});

test('KSD501: a backendRef into a namespace none of the inputs belong to is out of view, not missing', () => {
  none(check({ 'r.yaml': route('    - {name: web, namespace: elsewhere, port: 80}\n') }));
});

test('KSD403: replicas the API server rejects are reported and simulate no pods; valid counts are silent', () => {
  const withReplicas = (v: string) => deployment('web', 'app=web').replace('replicas: 2', `replicas: ${v}`);
  for (const [v, why] of [
    ['99999999999999999999', /larger than 2147483647/],
    ['2147483648', /larger than 2147483647/],
    ['-1', /negative/],
    ['1.5', /not a whole number/],
    ['"3"', /string "3".*without quotes/],
    ['[1]', /not a list/],
  ] as const) {
    const text = withReplicas(v);
    const d = one(check(text), 'KSD403');
    assert.equal(d.severity, 'error');
    assert.equal(where(text, d).line, 6);
    assert.match(d.message, why);
    assert.match(d.message, /Deployment "web".*runs no pods/);
    assert.equal(buildClusterState(loadManifest('a.yaml', text).objects).pods.filter((p) => p.owner?.name === 'web').length, 0);
  }
  for (const v of ['0', '1', '2147483647']) none(check(withReplicas(v)), 'KSD403');
  none(check(deployment('web', 'app=web').replace('  replicas: 2\n', '')), 'KSD403');
  const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  parallelism: -2\n  template:\n    metadata: {labels: {app: j}}\n    spec: {restartPolicy: Never, containers: [{name: c, image: x}]}\n';
  assert.match(one(check(job), 'KSD403').message, /parallelism of Job "j" -2 is negative/);
});
