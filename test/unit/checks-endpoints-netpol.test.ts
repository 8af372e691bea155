import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { readyPods } from '../../src/core/checks/endpointChecks';
import { check, deployment, none, one, where } from './checks-helpers';

const svc = (extra = '', ports = '  - name: http\n    port: 80\n    targetPort: http\n') => `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n${extra}  selector:\n    app: web\n  ports:\n${ports}`;
const pod = (name: string, ready: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: web}
spec:
  nodeName: n1
  containers:
  - name: c
    image: x
    ports: [{name: http, containerPort: 8080}]
status:
  phase: Running
  podIP: 10.244.0.${name.length + (name.endsWith('2') ? 20 : 10)}
  conditions:
  - {type: Ready, status: "${ready}", reason: ContainersNotReady}
${extra}`;

test('KSD601: every selected pod unready, with the reasons, related to the pods', () => {
  const files = { 's.yaml': svc(), 'p1.yaml': pod('web-1', 'False'), 'p2.yaml': pod('web-2', 'False') };
  const d = one(check(files), 'KSD601');
  assert.equal(d.severity, 'error');
  assert.deepEqual(where(files, d), { line: 6, text: 'selector' });
  assert.equal(d.message, 'All 2 pods this Service selects are unready, so it has no ready endpoints and connections to it fail (web-1: pod is not Ready (ContainersNotReady); web-2: pod is not Ready (ContainersNotReady)). Fix the pods\' readiness (kubectl describe pod shows the failing probe or condition).');
  assert.deepEqual(d.related?.map((r) => [r.location.file, r.location.range.start.line]), [['p1.yaml', 14], ['p2.yaml', 14]]);
  none(check({ ...files, 'p2.yaml': pod('web-2', 'True') }), 'KSD601');
  none(check({ ...files, 's.yaml': svc('  publishNotReadyAddresses: true\n') }), 'KSD601');
});

test('KSD601: a NotReady node is a reason too; simulated pods are never unready', () => {
  const node = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  conditions: [{type: Ready, status: "False"}]\n';
  const d = one(check({ 's.yaml': svc(), 'p1.yaml': pod('web-1', 'True'), 'n.yaml': node }), 'KSD601');
  assert.match(d.message, /node n1 is NotReady/);
  none(check({ 's.yaml': svc(), 'd.yaml': deployment('web', 'app=web') }));
});

test('KSD602: a single ready endpoint is info; two are silent', () => {
  const one1 = { 's.yaml': svc(), 'p1.yaml': pod('web-1', 'True') };
  const d = one(check(one1), 'KSD602');
  assert.equal(d.severity, 'info');
  assert.match(d.message, /Only one ready endpoint backs this Service \(pod "web-1"\)/);
  const dep = deployment('web', 'app=web').replace('replicas: 2', 'replicas: 1');
  assert.match(one(check({ 's.yaml': svc(), 'd.yaml': dep }), 'KSD602').message, /simulated from its pod template/);
  none(check({ ...one1, 'p2.yaml': pod('web-2', 'True') }));
});

test('KSD601/KSD602: the ready endpoints of a Service are counted once per state', () => {
  const files = { 's.yaml': svc(), 'p1.yaml': pod('web-1', 'True'), 'p2.yaml': pod('web-2', 'False') };
  const state = buildClusterState(Object.entries(files).flatMap(([f, t]) => loadManifest(f, t).objects));
  const web = state.services[0]!;
  const ready = readyPods(state, web);
  assert.deepEqual([...ready], ['web-1']);
  assert.equal(readyPods(state, web), ready, 'the second check reuses the count');
  const again = buildClusterState(state.objects);
  assert.notEqual(readyPods(again, again.services[0]!), ready, 'another state counts its own');
  assert.deepEqual([...readyPods(again, again.services[0]!)], ['web-1']);
});

test('KSD603: selectorless Service without slices; silent with an EndpointSlice or a legacy Endpoints object', () => {
  const bare = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  ports:\n  - port: 5432\n';
  const d = one(check(bare), 'KSD603');
  assert.deepEqual(where(bare, d), { line: 4, text: 'db' });
  const endpoints = '---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\nsubsets:\n- addresses: [{ip: 192.168.1.5}, {ip: 192.168.1.6}]\n  ports: [{port: 5432}]\n';
  none(check(bare + endpoints));
  const empty = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  selector: {}\n  ports:\n  - port: 5432\n';
  assert.match(one(check(empty), 'KSD603').message, /an empty selector selects nothing/);
});

const policy = (ingress: string, types = '  policyTypes: [Ingress]\n') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: lock\nspec:\n  podSelector:\n    matchLabels: {app: web}\n${types}${ingress}`;
const base = { 's.yaml': svc(), 'd.yaml': deployment('web', 'app=web') };

test('KSD701: a policy that admits other ports only, or nothing', () => {
  const files = { ...base, 'n.yaml': policy('  ingress:\n  - ports:\n    - port: 9090\n') };
  const d = one(check(files), 'KSD701');
  assert.equal(d.severity, 'warning');
  assert.deepEqual(where(files, d), { line: 11, text: 'http' });
  assert.match(d.message, /NetworkPolicy "lock" selects this Service's pods for ingress but allows no traffic to port 8080\/TCP \(lock: allows only 9090\/TCP\)/);
  assert.equal(d.related?.[0]?.location.file, 'n.yaml');
  assert.match(one(check({ ...base, 'n.yaml': policy('') }), 'KSD701').message, /no ingress rules \(deny all\)/);
  assert.match(one(check({ ...base, 'n.yaml': policy('  ingress:\n  - ports: [{port: 8080, protocol: UDP}]\n') }), 'KSD701').message, /8080\/UDP/);
});

test('KSD701: no false positives: named ports, endPort, empty rules, other policies, Egress-only, other namespaces', () => {
  for (const ingress of [
    '  ingress:\n  - ports: [{port: http}]\n',
    '  ingress:\n  - ports: [{port: 8000, endPort: 8100}]\n',
    '  ingress:\n  - {}\n',
    '  ingress:\n  - from: [{podSelector: {}}]\n',
    '  ingress:\n  - ports: [{protocol: TCP}]\n',
  ]) none(check({ ...base, 'n.yaml': policy(ingress) }), 'KSD701');
  none(check({ ...base, 'n.yaml': policy('', '  policyTypes: [Egress]\n') }), 'KSD701');
  none(check({ ...base, 'n.yaml': policy('').replace('name: lock\n', 'name: lock\n  namespace: other\n') }), 'KSD701');
  // Policies add up: a second policy that allows the port lets the traffic in.
  const allow = policy('  ingress:\n  - ports: [{port: 8080}]\n').replace('name: lock', 'name: allow-web');
  none(check({ ...base, 'n.yaml': policy(''), 'm.yaml': allow }), 'KSD701');
  // Without policyTypes, a policy with no ingress rules still isolates for ingress.
  assert.equal(check({ ...base, 'n.yaml': policy('', '') }).filter((x) => x.code === 'KSD701').length, 1);
});

test('KSD603: a given EndpointSlice or Endpoints object without addresses', () => {
  const bare = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  ports:\n  - port: 5432\n';
  const slice = '---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: db-1\n  labels: {kubernetes.io/service-name: db}\naddressType: IPv4\nendpoints: []\n';
  const d = one(check(bare + slice), 'KSD603');
  assert.equal(d.range.start.line, 11);
  assert.match(d.message, /The EndpointSlice for selectorless Service default\/db lists no addresses/);
  const ep = '---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\nsubsets: []\n';
  assert.match(one(check(bare + ep), 'KSD603').message, /The Endpoints object for selectorless Service default\/db has no addresses/);
});
