import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { namedTargetPortCheck, namedTargetPortFindings, namedTargetPortProtocolCheck } from '../../src/core/checks/targetPorts';
import { applyFix, check, deployment, fixNamed, none, one, where } from './checks-helpers';

const svc = (ports: string, head = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
${head}  selector:
    app: web
  ports:
${ports}`;

const web = deployment('web', 'app=web');

test('KSD201: a named targetPort no container carries; did-you-mean fix switches to the existing name', () => {
  const files = { 'd.yaml': deployment('web', 'app=web', '        - name: http-api\n          containerPort: 8080\n'), 's.yaml': svc('  - name: http\n    port: 80\n    targetPort: http\n') };
  const d = one(check(files), 'KSD201');
  assert.equal(d.severity, 'error');
  assert.deepEqual(where(files, d), { line: 11, text: 'http' });
  assert.equal(
    d.message,
    'targetPort "http" matches no container port name on the pods of Deployment "web" (simulated from its pod template: no Pod objects were given), so the EndpointSlice controller leaves this port out of every endpoint and the Service port has no usable endpoints (kubernetes#109627). Did you mean "http-api"? Their named ports: "http-api" (8080/TCP).',
  );
  assert.equal(d.related?.[0]?.message, 'container "app" declares http-api=8080/TCP');
  assert.deepEqual(where(files, d.related![0]!.location).line, 19);
  const fixed = applyFix(files, d.fixes![0]!);
  assert.match(fixed['s.yaml']!, /targetPort: http-api\n$/);
  none(check(fixed));
});

test('KSD201: with no named port, the fix switches to the only port number; real pods are not called simulated', () => {
  const files = { 'd.yaml': deployment('web', 'app=web', '        - containerPort: 8080\n'), 's.yaml': svc('  - port: 80\n    targetPort: web\n') };
  const d = one(check(files), 'KSD201');
  assert.match(d.message, /They declare no named ports\.$/);
  const fixed = applyFix(files, fixNamed(d, /Use port number 8080/));
  assert.match(fixed['s.yaml']!, /targetPort: 8080\n$/);
  none(check(fixed));
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports: [{containerPort: 8080}]\nstatus:\n  phase: Running\n  podIP: 10.244.0.9\n  conditions: [{type: Ready, status: "True"}]\n';
  const p = one(check({ 'p.yaml': pod, 's.yaml': svc('  - port: 80\n    targetPort: web\n') }), 'KSD201');
  assert.match(p.message, /on pod "web-1", so/);
});

test('KSD201/KSD202: no report when the named port exists with the same protocol, or on a native sidecar', () => {
  none(check({ 'd.yaml': web, 's.yaml': svc('  - port: 80\n    targetPort: http\n') }));
  const sidecar = deployment('web', 'app=web', '', '      initContainers:\n      - name: proxy\n        image: envoy\n        restartPolicy: Always\n        ports:\n        - name: proxy\n          containerPort: 15001\n');
  none(check({ 'd.yaml': sidecar, 's.yaml': svc('  - port: 80\n    targetPort: proxy\n') }));
});

test('KSD202: a named port with another protocol; fix changes the Service port protocol', () => {
  const dns = deployment('web', 'app=web', '        - name: dns\n          containerPort: 53\n          protocol: TCP\n');
  const files = { 'd.yaml': dns, 's.yaml': svc('  - name: dns\n    port: 53\n    protocol: UDP\n    targetPort: dns\n') };
  const d = one(check(files), 'KSD202');
  none(check(files), 'KSD201');
  assert.deepEqual(where(files, d), { line: 12, text: 'dns' });
  assert.match(d.message, /^targetPort "dns" is a TCP port on container "app" of the pods of Deployment "web" .*but this Service port is UDP\./);
  const fixed = applyFix(files, fixNamed(d, /protocol to TCP/));
  assert.match(fixed['s.yaml']!, /protocol: TCP/);
  none(check(fixed));
  // Without a protocol key the fix adds one.
  const files2 = { 'd.yaml': deployment('web', 'app=web', '        - name: dns\n          containerPort: 53\n          protocol: UDP\n'), 's.yaml': svc('  - name: dns\n    port: 53\n    targetPort: dns\n') };
  const d2 = one(check(files2), 'KSD202');
  const fixed2 = applyFix(files2, fixNamed(d2, /protocol to UDP/));
  assert.match(fixed2['s.yaml']!, /targetPort: dns\n {4}protocol: UDP\n$/);
  none(check(fixed2));
});

test('KSD203: a numeric targetPort no container declares is info only; silent when declared or when no ports are declared', () => {
  const files = { 'd.yaml': web, 's.yaml': svc('  - port: 80\n    targetPort: 9090\n') };
  const d = one(check(files), 'KSD203');
  assert.equal(d.severity, 'info');
  assert.deepEqual(where(files, d), { line: 10, text: '9090' });
  assert.match(d.message, /containerPort is informational/);
  none(check(applyFix(files, d.fixes![0]!)));
  none(check({ 'd.yaml': web, 's.yaml': svc('  - port: 80\n    targetPort: 8080\n') }));
  none(check({ 'd.yaml': deployment('web', 'app=web', ''), 's.yaml': svc('  - port: 80\n    targetPort: 9090\n') }));
  // targetPort left out defaults to port: the range is the port.
  const dflt = { 'd.yaml': web, 's.yaml': svc('  - port: 80\n') };
  const d2 = one(check(dflt), 'KSD203');
  assert.deepEqual(where(dflt, d2), { line: 9, text: '80' });
  assert.match(d2.message, /^targetPort \(defaulted to port 80\)/);
  none(check(applyFix(dflt, d2.fixes![0]!)));
});

test('KSD204: a quoted numeric targetPort is rejected; the fix unquotes it', () => {
  const files = { 'd.yaml': web, 's.yaml': svc('  - port: 80\n    targetPort: "8080"\n') };
  const diags = check(files);
  const d = one(diags, 'KSD204');
  none(diags, 'KSD201');
  none(diags, 'KSD206');
  assert.deepEqual(where(files, d), { line: 10, text: '"8080"' });
  assert.match(d.message, /is quoted, so it is a port name rather than a number/);
  const fixed = applyFix(files, d.fixes![0]!);
  assert.match(fixed['s.yaml']!, /targetPort: 8080\n$/);
  none(check(fixed));
});

test('KSD205: quoted port and nodePort, and non-numbers, never throw', () => {
  const files = { 'd.yaml': web, 's.yaml': svc('  - port: "80"\n    targetPort: 8080\n') };
  const d = one(check(files), 'KSD205');
  assert.deepEqual(where(files, d), { line: 9, text: '"80"' });
  none(check(applyFix(files, d.fixes![0]!)));
  const junk = check({ 'd.yaml': web, 's.yaml': svc('  - port: [1]\n    targetPort: {a: 1}\n    nodePort: true\n') });
  assert.equal(junk.filter((x) => x.code === 'KSD205').length, 2);
});

test('KSD206: invalid Service port names (DNS label) and named targetPorts (IANA_SVC_NAME)', () => {
  const files = { 'd.yaml': web, 's.yaml': svc('  - name: HTTP_Web\n    port: 80\n    targetPort: a-very-long-port-name\n') };
  const diags = check(files).filter((d) => d.code === 'KSD206');
  assert.equal(diags.length, 2);
  assert.deepEqual(where(files, diags[0]!), { line: 9, text: 'HTTP_Web' });
  assert.match(diags[1]!.message, /longer than 15 characters/);
  const fixed = applyFix(files, diags[0]!.fixes![0]!);
  assert.match(fixed['s.yaml']!, /name: http-web/);
  for (const bad of ['-web', 'web-', 'we--b', '8080x_', '1234']) {
    assert.ok(check({ 's.yaml': svc(`  - port: 80\n    targetPort: ${bad === '1234' ? '"1234"' : bad}\n`) }).some((d) => d.code === (bad === '1234' ? 'KSD204' : 'KSD206')), bad);
  }
  none(check({ 'd.yaml': web, 's.yaml': svc('  - name: web-1\n    port: 80\n    targetPort: http\n') }), 'KSD206');
});

test('KSD207/KSD208/KSD209: duplicate names, unnamed ports in a multi-port Service, duplicate port+protocol', () => {
  const dup = { 'd.yaml': web, 's.yaml': svc('  - name: http\n    port: 80\n    targetPort: http\n  - name: http\n    port: 81\n    targetPort: http\n') };
  assert.deepEqual(where(dup, one(check(dup), 'KSD207')), { line: 12, text: 'http' });
  const unnamed = { 'd.yaml': web, 's.yaml': svc('  - port: 80\n    targetPort: http\n  - port: 443\n    targetPort: 8443\n') };
  const diags = check(unnamed).filter((d) => d.code === 'KSD208');
  assert.equal(diags.length, 2);
  assert.deepEqual(where(unnamed, diags[0]!), { line: 9, text: 'port: 80\n    targetPort: http' });
  const all = applyFix(unnamed, fixNamed(diags[0]!, /Name every port/));
  assert.equal(all['s.yaml'], svc('  - name: http\n    port: 80\n    targetPort: http\n  - name: https\n    port: 443\n    targetPort: 8443\n'));
  none(check(all), 'KSD208');
  const flow = { 'd.yaml': web, 's.yaml': svc('  - {port: 80, targetPort: http}\n  - {name: b, port: 81, targetPort: http}\n') };
  const f = one(check(flow), 'KSD208');
  none(check(applyFix(flow, f.fixes![0]!)), 'KSD208');
  const same = { 'd.yaml': web, 's.yaml': svc('  - name: a\n    port: 80\n    targetPort: http\n  - name: b\n    port: 80\n    targetPort: http\n  - name: c\n    port: 80\n    protocol: UDP\n    targetPort: 8080\n') };
  const d = one(check(same), 'KSD209');
  assert.deepEqual(where(same, d), { line: 13, text: '80' });
  none(check({ 'd.yaml': web, 's.yaml': svc('  - port: 80\n    targetPort: http\n') }), 'KSD208');
});

test('KSD210: port out of range, missing port, unsupported or lower-case protocol', () => {
  const files = { 's.yaml': svc('  - name: a\n    port: 70000\n    protocol: tcp\n  - name: b\n    targetPort: 8080\n') };
  const diags = check(files).filter((d) => d.code === 'KSD210');
  assert.deepEqual(diags.map((d) => where(files, d).text), ['70000', 'tcp', 'name: b\n    targetPort: 8080']);
  const fixed = applyFix(files, fixNamed(diags[1]!, /Change to TCP/));
  assert.match(fixed['s.yaml']!, /protocol: TCP/);
});

test('KSD201: a named targetPort that only some selected workloads carry is a warning naming the others', () => {
  const files = {
    'a.yaml': deployment('web', 'app=web,v=1'),
    'b.yaml': deployment('web-canary', 'app=web,v=2', '        - name: web\n          containerPort: 8080\n'),
    's.yaml': svc('  - port: 80\n    targetPort: http\n'),
  };
  const d = one(check(files), 'KSD201');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /resolves on some selected pods but not on the pods of Deployment "web-canary" .*no container port is named "http" \(the pod declares "web"\)/);
  assert.equal(d.related?.[0]?.location.file, 'b.yaml');
});

test('KSD201/KSD202: both checks read one pass over the Services, kept per context and options', () => {
  const files = {
    'd.yaml': deployment('web', 'app=web', '        - name: dns\n          containerPort: 53\n          protocol: TCP\n'),
    's.yaml': svc('  - name: dns\n    port: 53\n    protocol: UDP\n    targetPort: dns\n  - name: other\n    port: 80\n    targetPort: nope\n'),
  };
  const loaded = Object.entries(files).map(([f, t]) => loadManifest(f, t));
  const ctx = { state: buildClusterState(loaded.flatMap((f) => f.objects)), files: loaded };
  const options = {};
  const found = namedTargetPortFindings(ctx, options);
  assert.deepEqual(found.map((d) => d.code).sort(), ['KSD201', 'KSD202']);
  assert.equal(namedTargetPortFindings(ctx, options), found, 'the second check reuses the pass');
  assert.deepEqual(namedTargetPortCheck.run(ctx, options), found.filter((d) => d.code === 'KSD201'));
  assert.deepEqual(namedTargetPortProtocolCheck.run(ctx, options), found.filter((d) => d.code === 'KSD202'));
  // Other options, another context or a changed state: a pass of their own.
  assert.notEqual(namedTargetPortFindings(ctx, { ignoredLabels: [] }), found);
  assert.notEqual(namedTargetPortFindings({ ...ctx }, options), found);
  assert.deepEqual(namedTargetPortFindings({ ...ctx }, options), found);
});
