import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { applyFix, check, none, one, where } from './checks-helpers';

/** A selectorless Service with a slice, so only the API rules speak. */
const svc = (spec: string, name = 'web') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
${spec}---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-1
  labels: {kubernetes.io/service-name: ${name}}
addressType: IPv4
endpoints: [{addresses: [10.244.0.5]}, {addresses: [10.244.0.6]}]
`;
const port = '  ports:\n  - port: 80\n';

test('KSD211: nodePort out of range; the fix removes it and the API server picks one', () => {
  const text = svc('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 8080\n');
  const d = one(check(text), 'KSD211');
  assert.deepEqual(where(text, d), { line: 9, text: '8080' });
  assert.match(d.message, /outside the node port range 30000-32767/);
  const fixed = applyFix(text, d.fixes![0]!);
  assert.doesNotMatch(fixed['a.yaml']!, /nodePort/);
  none(check(fixed));
  none(check(svc('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n')));
  // The range follows the cluster options.
  none(check(text, {}, { nodePortRange: { min: 8000, max: 9000 } }), 'KSD211');
});

test('KSD212: the same nodePort in two Services, and twice in one Service', () => {
  const a = svc('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n', 'a');
  const b = svc('  type: NodePort\n  ports:\n  - port: 81\n    nodePort: 30080\n', 'b');
  const d = one(check({ 'a.yaml': a, 'b.yaml': b }), 'KSD212');
  assert.equal(d.file, 'b.yaml');
  assert.match(d.message, /already used by Service default\/a/);
  assert.equal(d.related?.[0]?.location.file, 'a.yaml');
  const twice = svc('  type: NodePort\n  ports:\n  - {name: a, port: 80, nodePort: 30080}\n  - {name: b, port: 81, nodePort: 30080}\n');
  assert.match(one(check(twice), 'KSD212').message, /used by ports\[0\] of this Service/);
  // Same number, different protocols: allowed.
  none(check(svc('  type: NodePort\n  ports:\n  - {name: a, port: 53, nodePort: 30053}\n  - {name: b, port: 53, protocol: UDP, nodePort: 30053}\n')));
});

test('KSD213: nodePort on a ClusterIP Service', () => {
  const text = svc('  ports:\n  - port: 80\n    nodePort: 30080\n');
  const d = one(check(text), 'KSD213');
  none(check(text), 'KSD211');
  assert.deepEqual(where(text, d), { line: 8, text: '30080' });
  none(check(applyFix(text, d.fixes![0]!)));
});

test('KSD301/KSD302/KSD303: clusterIP outside the CIDR, used twice, malformed', () => {
  const out = svc(`  clusterIP: 10.200.0.10\n${port}`);
  // Without a ServiceCIDR the range is unknown (k3s uses 10.43.0.0/16...): no guess.
  none(check(out), 'KSD301');
  const d = one(check(out, {}, { serviceCIDRs: ['10.96.0.0/12'] }), 'KSD301');
  assert.deepEqual(where(out, d), { line: 6, text: '10.200.0.10' });
  assert.equal(d.message, 'clusterIP 10.200.0.10 is outside the Service CIDR 10.96.0.0/12, so the API server rejects it ("provided IP is not in the valid range"). Remove clusterIP to get one assigned, or pick one inside the range.');
  const cidr = 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: main\nspec:\n  cidrs: [10.200.0.0/16]\n';
  none(check({ 'a.yaml': out, 'c.yaml': cidr }));
  const given = one(check({ 'a.yaml': svc(`  clusterIP: 10.96.0.10\n${port}`), 'c.yaml': cidr }), 'KSD301');
  assert.equal(given.severity, 'error');
  const a = svc(`  clusterIP: 10.96.0.10\n${port}`, 'a');
  const b = svc(`  clusterIP: 10.96.0.10\n${port}`, 'b');
  assert.match(one(check({ 'a.yaml': a, 'b.yaml': b }), 'KSD302').message, /already used by Service default\/a/);
  const bad = svc(`  clusterIP: 10.96.0.300\n  externalIPs: [127.0.0.1, 169.254.1.1, nonsense]\n  loadBalancerSourceRanges: [10.0.0.0/33]\n  type: LoadBalancer\n${port}`);
  const msgs = check(bad).filter((x) => x.code === 'KSD303').map((x) => x.message);
  assert.equal(msgs.length, 5, msgs.join('\n'));
  assert.ok(msgs.some((m) => /loopback/.test(m)) && msgs.some((m) => /link-local/.test(m)) && msgs.some((m) => /not a valid CIDR/.test(m)));
  assert.match(one(check(svc(`  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.11]\n${port}`)), 'KSD303').message, /clusterIPs\[0\] \(10\.96\.0\.11\) must equal clusterIP/);
  none(check(svc(`  clusterIP: None\n${port}`)));
});

test('KSD304: IP family rules', () => {
  const single = svc(`  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv4, IPv6]\n${port}`);
  assert.match(one(check(single), 'KSD304').message, /SingleStack allows one IP family/);
  const dupl = check(svc(`  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv4, IPv4]\n${port}`));
  assert.match(one(dupl, 'KSD304').message, /lists IPv4 twice/);
  const wrong = svc(`  clusterIP: 10.96.0.10\n  ipFamilies: [IPv6]\n${port}`);
  assert.match(one(check(wrong), 'KSD304').message, /clusterIP 10\.96\.0\.10 is IPv4, but ipFamilies\[0\] is IPv6/);
  none(check(svc(`  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv4, IPv6]\n${port}`)), 'KSD304');
});

test('KSD305: fields the API server allows only for some types; fixes remove them', () => {
  const etp = svc(`  externalTrafficPolicy: Local\n${port}`);
  const d = one(check(etp), 'KSD305');
  assert.deepEqual(where(etp, d), { line: 6, text: 'externalTrafficPolicy' });
  assert.match(d.message, /may only be set for externally-accessible services/);
  none(check(applyFix(etp, d.fixes![0]!)));
  none(check(svc(`  externalTrafficPolicy: Local\n  externalIPs: [192.0.2.10]\n${port}`)), 'KSD305');
  none(check(svc(`  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 30500\n  loadBalancerSourceRanges: [203.0.113.0/24]\n${port}`)));
  const combos = check(svc(`  type: NodePort\n  clusterIP: None\n  healthCheckNodePort: 30500\n  loadBalancerSourceRanges: [203.0.113.0/24]\n  loadBalancerClass: example.com/lb\n${port}`));
  const msgs = combos.filter((x) => x.code === 'KSD305').map((x) => x.message);
  assert.equal(msgs.length, 4, msgs.join('\n'));
  assert.ok(msgs.some((m) => /clusterIP may not be None for NodePort/.test(m)));
  const ext = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.96.0.5\n';
  assert.match(one(check(ext), 'KSD305').message, /clusterIP may not be set for ExternalName/);
});

test('KSD306: ExternalName without a valid externalName; ExternalName otherwise raises nothing', () => {
  const base = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n';
  assert.match(one(check(base), 'KSD306').message, /has no externalName/);
  const ip = one(check(`${base}  externalName: 10.0.0.5\n`), 'KSD306');
  assert.equal(ip.severity, 'warning');
  assert.match(ip.message, /selectorless Service with an EndpointSlice/);
  assert.match(one(check(`${base}  externalName: DB.Example.com\n`), 'KSD306').message, /not a valid DNS name/);
  none(check(`${base}  externalName: db.example.com.\n  selector: {app: nothing}\n  ports: [{port: 5432}]\n`));
});

test('KSD307/KSD308: session affinity', () => {
  const t = svc(`  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 100000\n${port}`);
  const d = one(check(t), 'KSD307');
  assert.deepEqual(where(t, d), { line: 9, text: '100000' });
  const none1 = svc(`  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 60\n${port}`);
  const n = one(check(none1), 'KSD307');
  assert.match(n.message, /sessionAffinity is None/);
  none(check(applyFix(none1, n.fixes![0]!)));
  none(check(svc(`  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 86400\n${port}`)));
  const headless = svc(`  clusterIP: None\n  sessionAffinity: ClientIP\n${port}`);
  assert.equal(one(check(headless), 'KSD308').severity, 'warning');
});

test('KSD309/KSD310: missing ports, unsupported values', () => {
  // A Service with no ports and no selector is a fragment (patch) unless headless: give it a clusterIP to make it whole.
  const noPorts = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: []\n  selector: {app: web}\n';
  assert.match(one(check(noPorts), 'KSD309').message, /has no ports/);
  none(check(svc('  clusterIP: None\n')), 'KSD309');
  const bad = svc(`  type: nodeport\n  internalTrafficPolicy: Nearby\n${port}`);
  const msgs = check(bad).filter((x) => x.code === 'KSD310').map((x) => x.message);
  assert.deepEqual(msgs, ['type "nodeport" is not supported: use ClusterIP, NodePort, LoadBalancer, ExternalName (did you mean NodePort?).', 'internalTrafficPolicy "Nearby" is not supported: use Cluster, Local.']);
});

test('wrong-typed Service fields never throw', () => {
  const hostile = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  type: [1]\n  ports: {a: 1}\n  selector: "app=web"\n  clusterIP: {}\n  externalIPs: 5\n  ipFamilies: x\n  sessionAffinityConfig: 7\n  loadBalancerSourceRanges: [null, 3]\n';
  const diags = check(hostile);
  assert.ok(!diags.some((d) => d.code === 'KSD000'), JSON.stringify(diags));
});

test('KSD104: invalid selector keys and values, and non-string values', () => {
  const text = svc('  selector:\n    app: app=web\n    -bad/key: x\n    tier: 1\n' + port);
  const diags = check(text).filter((d) => d.code === 'KSD104');
  assert.deepEqual(diags.map((d) => where(text, d).text), ['app=web', '-bad/key', '1']);
  assert.match(diags[2]!.message, /quote it \("1"\)/);
  none(check(svc('  selector:\n    app.kubernetes.io/name: web\n    tier: ""\n' + port)), 'KSD104');
});

test('KSD311: Service names must be DNS-1035 labels', () => {
  const text = svc(port, '1st-web');
  assert.deepEqual(where(text, one(check(text), 'KSD311')), { line: 4, text: '1st-web' });
  assert.equal(check(svc(port, 'Web')).filter((d) => d.code === 'KSD311').length, 1);
  none(check(svc(port, 'web-1')), 'KSD311');
});
