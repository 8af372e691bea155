import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { applyFix, check, deployment, fixNamed, none, one, where } from './checks-helpers';

const svc = (selector: string, extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
${selector}
  ports:
  - name: http
    port: 80
    targetPort: http
${extra}`;

test('KSD101: a typo in a selector value names the nearest workload and fixes the value', () => {
  const files = { 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: wbe') };
  const d = one(check(files), 'KSD101');
  assert.equal(d.severity, 'warning');
  assert.deepEqual(where(files, d), { line: 7, text: 'wbe' });
  assert.equal(d.message, 'Selector app=wbe matches no pods or pod templates in namespace "default", so the Service has no endpoints and connections to it fail. Did you mean app=web? Deployment "web" labels its pods app=web.');
  assert.equal(d.related?.[0]?.location.file, 'd.yaml');
  assert.equal(d.related?.[0]?.location.range.start.line, 12);
  const fixed = applyFix(files, fixNamed(d, /Change the selector to app=web/));
  assert.equal(fixed['s.yaml'], svc('    app: web'));
  none(check(fixed));
});

test('KSD101: a typo in a selector key is fixed by renaming the key; the alternative adds the label to the template', () => {
  const files = { 'd.yaml': deployment('web', 'app=web,tier=front'), 's.yaml': svc('    app: web\n    teir: front') };
  const d = one(check(files), 'KSD101');
  assert.deepEqual(where(files, d), { line: 8, text: 'teir' });
  assert.match(d.message, /Did you mean the key "tier"\? Deployment "web" labels its pods tier=front, and has no label "teir"/);
  const renamed = applyFix(files, fixNamed(d, /Change the selector/));
  assert.match(renamed['s.yaml']!, /\n {4}tier: front\n/);
  none(check(renamed));
  const added = applyFix(files, fixNamed(d, /Add teir=front to the pod template/));
  assert.match(added['d.yaml']!, /labels:\n {8}app: web\n {8}tier: front\n {8}teir: front\n/);
  none(check(added));
});

test('KSD101: quoted selector values keep their quotes when fixed', () => {
  const files = { 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: "wbe"') };
  const d = one(check(files), 'KSD101');
  assert.deepEqual(where(files, d), { line: 7, text: '"wbe"' });
  assert.match(applyFix(files, d.fixes![0]!)['s.yaml']!, /app: "web"/);
});

test('KSD101: no candidate at all, and pods in another namespace', () => {
  let d = one(check({ 's.yaml': svc('    app: nothing') }), 'KSD101');
  assert.match(d.message, /No workload or pod here carries any of these labels/);
  assert.equal(d.fixes, undefined);
  const other = deployment('web', 'app=web').replace('  name: web\n', '  name: web\n  namespace: prod\n');
  d = one(check({ 'd.yaml': other, 's.yaml': svc('    app: web') }), 'KSD101');
  assert.match(d.message, /Deployment "web" in namespace "prod" has these labels, but a Service selects pods only in its own namespace/);
});

test('KSD101: no report for a matching selector, ExternalName, selectorless with slices, ignored and runtime labels, partial and Helm files', () => {
  none(check({ 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: web') }));
  none(check({ 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: web\n    pod-template-hash: 5d8f9c') }), 'KSD101');
  none(check({ 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: web\n    team: blue') }, { ignoredLabels: ['team'] }), 'KSD101');
  assert.equal(check({ 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: web\n    team: blue') }).filter((d) => d.code === 'KSD101').length, 1);
  none(check({ 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    pod-template-hash: 5d8f9c') }), 'KSD101');
  const sts = 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 2\n  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db}\n    spec:\n      containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]\n';
  none(check({ 'd.yaml': sts, 's.yaml': svc('    statefulset.kubernetes.io/pod-name: db-0') }));
  none(check('apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n  externalName: db.example.com\n  selector:\n    app: nope\n'));
  none(check({ 's.yaml': svc('    app: {{ .Values.app }}') }), 'KSD101');
  // A kustomize-style patch (no ports) is a fragment, never checked.
  none(check('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: wbe\n'));
});

test('KSD101: a Service whose selector matches nothing stays reported when given slices are absent, silent when slices exist', () => {
  const slice = `---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  labels:\n    kubernetes.io/service-name: web\naddressType: IPv4\nports:\n- name: http\n  port: 8080\nendpoints:\n- addresses: [10.244.1.5]\n  conditions: {ready: true}\n- addresses: [10.244.1.6]\n  conditions: {ready: true}\n`;
  none(check(svc('    app: web') + slice), 'KSD101');
});

test('KSD102: a selector catching pods of two workloads names both', () => {
  const files = { 'a.yaml': deployment('web', 'app=shop,part=web'), 'b.yaml': deployment('api', 'app=shop,part=api'), 's.yaml': svc('    app: shop') };
  const d = one(check(files), 'KSD102');
  assert.equal(d.severity, 'warning');
  assert.deepEqual(where(files, d), { line: 6, text: 'selector' });
  assert.match(d.message, /matches the pods of 2 workloads \(Deployment "(web|api)", Deployment "(web|api)"\)/);
  assert.equal(d.related?.length, 2);
  none(check({ ...files, 's.yaml': svc('    app: shop\n    part: web') }), 'KSD102');
});

test('KSD103: a Deployment selector that misses its template labels; fixes on either side', () => {
  const bad = deployment('web', 'app=web').replace('      app: web\n  template', '      app: webb\n  template');
  const d = one(check(bad), 'KSD103');
  assert.equal(d.severity, 'error');
  assert.deepEqual(where(bad, d), { line: 9, text: 'webb' });
  assert.match(d.message, /requires app=webb, but the template has app=web/);
  none(check(applyFix(bad, fixNamed(d, /Change the selector to app=web/))), 'KSD103');
  none(check(applyFix(bad, fixNamed(d, /Change the template label to app=webb/))), 'KSD103');
  const missing = deployment('web', 'app=web').replace('      app: web\n  template', '      app: web\n      tier: x\n  template');
  const m = one(check(missing), 'KSD103');
  assert.match(m.message, /the template has no label "tier"/);
  none(check(applyFix(missing, fixNamed(m, /Add tier=x/))), 'KSD103');
  none(check(deployment('web', 'app=web')), 'KSD103');
  const noSelector = deployment('web', 'app=web').replace(/ {2}selector:\n {4}matchLabels:\n {6}app: web\n/, '');
  assert.match(one(check(noSelector), 'KSD103').message, /has no selector/);
});

test('KSD103: matchExpressions that exclude the template are reported; Jobs are not', () => {
  const expr = deployment('web', 'app=web').replace('    matchLabels:\n      app: web\n', '    matchExpressions:\n    - {key: app, operator: NotIn, values: [web]}\n');
  assert.match(one(check(expr), 'KSD103').message, /matchExpressions/);
  none(check('apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: [{name: c, image: x}]\n'), 'KSD103');
});

test('severity overrides and "off" apply per code', () => {
  const files = { 'd.yaml': deployment('web', 'app=web'), 's.yaml': svc('    app: wbe') };
  assert.equal(one(check(files, { severities: { KSD101: 'error' } }), 'KSD101').severity, 'error');
  none(check(files, { severities: { KSD101: 'off' } }), 'KSD101');
});

test('KSD101: when two workloads are just as close, both are named and no fix is preferred', () => {
  const files = { 'a.yaml': deployment('api1', 'app=api1'), 'b.yaml': deployment('api2', 'app=api2'), 's.yaml': svc('    app: api3') };
  const d = one(check(files), 'KSD101');
  assert.match(d.message, /Did you mean app=api1\? Deployment "api1" labels its pods app=api1\. Deployment "api2" \(app=api2\) is just as close\./);
  assert.ok(d.fixes?.length && d.fixes.every((f) => !f.isPreferred));
  const clear = one(check({ 'a.yaml': deployment('api1', 'app=api1'), 's.yaml': svc('    app: api3') }), 'KSD101');
  assert.equal(clear.fixes?.[0]?.isPreferred, true);
});
