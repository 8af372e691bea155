import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { computeEndpoints, endpointRows, MAX_ENDPOINTS_PER_SLICE, serviceEndpoints, type ClusterState } from '../../src/core';
import { node, pod, service, stateOf } from './helpers';

const svcOf = (state: ClusterState, name = 'web') => state.services.find((s) => s.name === name)!;
const eps = (yaml: string, name = 'web') => {
  const state = stateOf(yaml);
  return { state, ...computeEndpoints(svcOf(state, name), state.pods, state.nodes) };
};
const codes = (x: { excluded: { pod: { name: string }; code: string }[] }) => x.excluded.map((e) => `${e.pod.name}:${e.code}`).sort();

test('a ready pod becomes a ready, serving endpoint with its port, pod, node and zone', () => {
  const r = eps(service({ name: 'web' }) + node('n1', { zone: 'z1' }) + pod({ name: 'a', ip: '10.244.0.5', node: 'n1' }));
  assert.equal(r.slices.length, 1);
  const s = r.slices[0]!;
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: undefined }]);
  assert.deepEqual(s.endpoints[0], {
    addresses: ['10.244.0.5'],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: undefined },
    nodeName: 'n1',
    zone: 'z1',
    hostname: undefined,
  });
  assert.deepEqual(r.excluded, []);
  assert.equal(s.metadata!.labels!['kubernetes.io/service-name'], 'web');
  assert.equal(s.metadata!.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
});

test('every exclusion reason: terminal, no IP, missing node, not ready, readiness gate, node NotReady, terminating', () => {
  const r = eps(
    service({ name: 'web' }) +
      node('n1') +
      node('sick', { ready: false }) +
      pod({ name: 'done', ip: '10.244.0.1', node: 'n1', phase: 'Succeeded' }) +
      pod({ name: 'failed', ip: '10.244.0.2', node: 'n1', phase: 'Failed' }) +
      pod({ name: 'pending', node: 'n1', phase: 'Pending' }) +
      pod({ name: 'unscheduled', phase: 'Pending' }) +
      pod({ name: 'orphan', ip: '10.244.0.3', node: 'gone' }) +
      pod({ name: 'warming', ip: '10.244.0.4', node: 'n1', ready: false }) +
      pod({ name: 'gated', ip: '10.244.0.5', node: 'n1', gates: ['lb/ready'], conditions: [{ type: 'Ready', status: 'False' }] }) +
      pod({ name: 'on-sick', ip: '10.244.0.6', node: 'sick' }) +
      pod({ name: 'leaving', ip: '10.244.0.7', node: 'n1', deleting: true }),
  );
  assert.deepEqual(codes(r), [
    'done:terminal',
    'failed:terminal',
    'gated:readiness-gate',
    'leaving:terminating',
    'on-sick:node-not-ready',
    'orphan:node-missing',
    'pending:no-ip',
    'unscheduled:no-ip',
    'warming:not-ready',
  ]);
  const why = (n: string) => r.excluded.find((e) => e.pod.name === n)!.reason;
  assert.match(why('unscheduled'), /not scheduled/);
  assert.match(why('pending'), /no IP yet/);
  assert.match(why('gated'), /readiness gate "lb\/ready" is not True/);
  assert.match(why('leaving'), /terminating \(still serving/);
  // Listed ones are in the slice (ready false); skipped ones are not.
  const listed = r.slices.flatMap((s) => s.endpoints.map((e) => e.targetRef!.name)).sort();
  assert.deepEqual(listed, ['gated', 'leaving', 'on-sick', 'warming']);
});

test('terminating pods: ready false, serving as the Ready condition says, terminating true', () => {
  const r = eps(service({ name: 'web' }) + pod({ name: 'still', ip: '10.244.0.1', deleting: true }) + pod({ name: 'gone', ip: '10.244.0.2', deleting: true, ready: false }));
  const cond = (n: string) => r.slices[0]!.endpoints.find((e) => e.targetRef!.name === n)!.conditions!;
  assert.deepEqual(cond('still'), { ready: false, serving: true, terminating: true });
  assert.deepEqual(cond('gone'), { ready: false, serving: false, terminating: true });
  assert.match(r.excluded.find((e) => e.pod.name === 'gone')!.reason, /no longer serving/);
});

test('publishNotReadyAddresses: not-ready and terminating pods are ready endpoints, pods on a missing node stay', () => {
  const r = eps(
    service({ name: 'web', publishNotReadyAddresses: true }) +
      node('n1') +
      pod({ name: 'warming', ip: '10.244.0.4', node: 'n1', ready: false }) +
      pod({ name: 'leaving', ip: '10.244.0.5', node: 'n1', deleting: true }) +
      pod({ name: 'orphan', ip: '10.244.0.6', node: 'gone' }),
  );
  assert.deepEqual(r.excluded, []);
  const cond = (n: string) => r.slices[0]!.endpoints.find((e) => e.targetRef!.name === n)!.conditions!;
  assert.deepEqual(cond('warming'), { ready: true, serving: false, terminating: false });
  assert.deepEqual(cond('leaving'), { ready: true, serving: true, terminating: true });
  assert.equal(cond('orphan').ready, true);
});

test('without any Node in the inputs, a pod naming a node is not taken as orphaned', () => {
  const r = eps(service({ name: 'web' }) + pod({ name: 'a', ip: '10.244.0.1', node: 'somewhere' }));
  assert.deepEqual(r.excluded, []);
  assert.equal(r.slices[0]!.endpoints.length, 1);
});

test('a named targetPort matches a container port by name AND protocol, containers before native sidecars', () => {
  const yaml =
    service({ name: 'web', ports: [{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }, { name: 'metrics', port: 9000, targetPort: 'metrics' }] }) +
    pod({ name: 'tcp-only', ip: '10.244.0.1', ports: [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }, { name: 'metrics', containerPort: 9100 }] }) +
    pod({ name: 'both', ip: '10.244.0.2', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }], sidecarPorts: [{ name: 'metrics', containerPort: 9200 }, { name: 'dns', containerPort: 1053, protocol: 'UDP' }] });
  const r = eps(yaml);
  const tcpOnly = r.excluded.find((e) => e.pod.name === 'tcp-only')!;
  assert.equal(tcpOnly.code, 'port-not-found');
  assert.equal(tcpOnly.port, 'dns');
  assert.match(tcpOnly.reason, /named port "dns" is TCP on container "main", but the Service port is UDP/);
  // Pods with different resolved ports land in different slices.
  const byPod = (n: string) => r.slices.find((s) => s.endpoints.some((e) => e.targetRef!.name === n))!;
  assert.deepEqual(
    byPod('tcp-only').ports!.map((p) => `${p.name}:${p.port}`),
    ['metrics:9100'],
  );
  assert.deepEqual(
    byPod('both').ports!.map((p) => `${p.name}:${p.port}/${p.protocol}`),
    ['dns:5353/UDP', 'metrics:9200/TCP'],
  );
  assert.equal(r.slices.length, 2);
});

test('an init container without restartPolicy Always does not serve a named port', () => {
  const yaml = service({ name: 'web' }) + pod({ name: 'a', ip: '10.244.0.1', ports: [] }).replace('"restartPolicy":"Always",', '');
  const withInit = yaml.replace('"containers":[', '"initContainers":[{"name":"init","image":"i","ports":[{"name":"http","containerPort":1}]}],"containers":[');
  const r = eps(withInit);
  assert.equal(r.excluded[0]!.code, 'port-not-found');
  assert.match(r.excluded[0]!.reason, /declares no named ports|no container port is named "http"/);
});

test('a numeric targetPort is used as is, declared or not', () => {
  const r = eps(service({ name: 'web', ports: [{ port: 80, targetPort: 9999 }] }) + pod({ name: 'a', ip: '10.244.0.1' }));
  assert.equal(r.slices[0]!.ports![0]!.port, 9999);
  const dflt = eps(service({ name: 'web', ports: [{ port: 80 }] }) + pod({ name: 'a', ip: '10.244.0.1' }));
  assert.equal(dflt.slices[0]!.ports![0]!.port, 80);
});

test('hostname is set only when the pod subdomain names the Service', () => {
  const r = eps(
    service({ name: 'web', clusterIP: 'None' }) + pod({ name: 'a', ip: '10.244.0.1', hostname: 'a', subdomain: 'web' }) + pod({ name: 'b', ip: '10.244.0.2', hostname: 'b', subdomain: 'other' }),
  );
  const host = (n: string) => r.slices[0]!.endpoints.find((e) => e.targetRef!.name === n)!.hostname;
  assert.equal(host('a'), 'a');
  assert.equal(host('b'), undefined);
  assert.equal(r.slices[0]!.metadata!.labels!['service.kubernetes.io/headless'], '');
});

test('at most 100 endpoints per slice', () => {
  let yaml = service({ name: 'web' });
  for (let i = 0; i < 250; i++) yaml += pod({ name: `p${i}`, ip: `10.244.${i >> 8}.${(i & 255) + 1}`.replace(/\.(\d+)$/, (_, x: string) => `.${Math.min(Number(x), 254)}`) });
  const r = eps(yaml);
  assert.equal(MAX_ENDPOINTS_PER_SLICE, 100);
  assert.deepEqual(
    r.slices.map((s) => s.endpoints.length),
    [100, 100, 50],
  );
  assert.equal(new Set(r.slices.map((s) => s.metadata!.name)).size, 3);
});

test('dual-stack: one slice per family; a family without addresses gets its own placeholder; no match, one placeholder', () => {
  const dual = service({ name: 'web', clusterIPs: ['10.96.0.9', 'fd00::9'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });
  const r = eps(dual + pod({ name: 'a', ips: ['10.244.0.1', 'fd00:244::1'] }) + pod({ name: 'b', ips: ['10.244.0.2'] }));
  assert.deepEqual(
    r.slices.map((s) => `${s.addressType}:${s.endpoints.map((e) => e.addresses[0]).join(',')}`),
    ['IPv4:10.244.0.1,10.244.0.2', 'IPv6:fd00:244::1'],
  );
  const v4only = eps(dual + pod({ name: 'b', ips: ['10.244.0.2'] }));
  assert.deepEqual(
    v4only.slices.map((s) => `${s.addressType}:${s.endpoints.length}`),
    ['IPv4:1', 'IPv6:0'],
  );
  const v6svc = eps(service({ name: 'web', clusterIP: 'fd00::9', ipFamilies: ['IPv6'] }) + pod({ name: 'b', ips: ['10.244.0.2'] }));
  assert.equal(v6svc.excluded[0]!.code, 'family-mismatch');
  const none = eps(service({ name: 'web', selector: { app: 'nothing' } }) + pod({ name: 'a', ip: '10.244.0.1' }));
  assert.deepEqual(
    none.slices.map((s) => [s.addressType, s.endpoints.length, s.ports!.length]),
    [['IPv4', 0, 0]],
  );
});

test('slices carry the Service labels, but never its reserved ones', () => {
  const yaml = service({ name: 'web' }).replace('"metadata":{"name":"web","namespace":"default"}', '"metadata":{"name":"web","namespace":"default","labels":{"team":"a","kubernetes.io/service-name":"spoof"}}');
  const r = eps(yaml + pod({ name: 'a', ip: '10.244.0.1' }));
  assert.deepEqual(r.slices[0]!.metadata!.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
});

test('given EndpointSlices are the truth: listed endpoints win, matched pods missing from them are reported', () => {
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'a', namespace: 'default' } },
      { addresses: ['10.244.0.2'], conditions: { ready: false, serving: false, terminating: false }, targetRef: { kind: 'Pod', name: 'b', namespace: 'default' } },
      { addresses: ['10.9.9.9'], conditions: {} },
    ],
  };
  const state = stateOf(service({ name: 'web' }) + JSON.stringify(slice) + '\n---\n' + pod({ name: 'a', ip: '10.244.0.1' }) + pod({ name: 'b', ip: '10.244.0.2', ready: false }) + pod({ name: 'c', ip: '10.244.0.3' }));
  const r = serviceEndpoints(state, svcOf(state));
  assert.equal(r.source, 'slices');
  assert.deepEqual(codes(r), ['b:not-ready', 'c:not-in-slices']);
  const rows = endpointRows(state, r);
  assert.deepEqual(
    rows.map((x) => `${x.ip}:${x.port} ${x.ready ? 'ready' : 'not-ready'} ${x.pod ?? '-'}`),
    ['10.244.0.1:8080 ready a', '10.244.0.2:8080 not-ready b', '10.9.9.9:8080 ready -'],
  );
  assert.equal(serviceEndpoints(state, svcOf(state)), r, 'memoised per state');
});

test('legacy Endpoints are mirrored only for an existing selectorless Service, unless skip-mirror', () => {
  const endpoints = (name: string, labels: Record<string, string> = {}) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: 'default', labels },
      subsets: [{ addresses: [{ ip: '192.0.2.10', hostname: 'db1' }], notReadyAddresses: [{ ip: '192.0.2.11' }, { ip: 'not-an-ip' }], ports: [{ name: 'pg', port: 5432 }] }],
    }) + '\n---\n';
  const state = stateOf(
    service({ name: 'ext', selector: null, ports: [{ name: 'pg', port: 5432, targetPort: 5432 }] }) +
      endpoints('ext', { team: 'db' }) +
      endpoints('no-service') +
      service({ name: 'skipped', selector: null }) +
      endpoints('skipped', { 'endpointslice.kubernetes.io/skip-mirror': 'true' }) +
      service({ name: 'selected' }) +
      endpoints('selected'),
  );
  assert.deepEqual(
    state.slices.map((g) => g.slice.metadata!.labels!['kubernetes.io/service-name']),
    ['ext'],
  );
  const m = state.slices[0]!;
  assert.equal(m.slice.metadata!.labels!['team'], 'db');
  assert.equal(m.slice.metadata!.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
  const r = serviceEndpoints(state, svcOf(state, 'ext'));
  assert.equal(r.source, 'slices');
  assert.deepEqual(
    endpointRows(state, r).map((x) => `${x.ip}:${x.port}:${x.ready}`),
    ['192.0.2.10:5432:true', '192.0.2.11:5432:false'],
  );
  assert.equal(r.slices[0]!.endpoints[0]!.hostname, 'db1');
});

test('ExternalName and selectorless Services without slices have no endpoints', () => {
  const state = stateOf(service({ name: 'ext', type: 'ExternalName', externalName: 'x.example.com', selector: null, ports: [] }) + service({ name: 'manual', selector: null }));
  assert.equal(serviceEndpoints(state, svcOf(state, 'ext')).source, 'none');
  assert.equal(serviceEndpoints(state, svcOf(state, 'manual')).source, 'none');
});

test('pods with alternating resolved ports join the slice of their ports, in first-seen order, per family', () => {
  const a = [{ name: 'http', containerPort: 8080 }];
  const b = [{ name: 'http', containerPort: 9090 }];
  const yaml =
    service({ name: 'web', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }) +
    pod({ name: 'p1', ip: '10.244.0.1', ports: a }) +
    pod({ name: 'p2', ip: '10.244.0.2', ports: b }) +
    pod({ name: 'p3', ip: '10.244.0.3', ports: a }) +
    pod({ name: 'p4', ip: '10.244.0.4', ports: a }) +
    pod({ name: 'p5', ip: '10.244.0.5', ports: b });
  const r = eps(yaml);
  assert.deepEqual(
    r.slices.map((s) => `${s.ports!.map((p) => p.port).join(',')}: ${s.endpoints.map((e) => e.targetRef!.name).join(' ')}`),
    ['8080: p1 p3 p4', '9090: p2 p5'],
  );
  // The same across families: a dual-stack Service puts each family's addresses in its own slices.
  const dual =
    service({ name: 'web', ports: [{ name: 'http', port: 80, targetPort: 'http' }], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }) +
    pod({ name: 'q1', ips: ['10.244.0.1', 'fd00::1'], ports: a }) +
    pod({ name: 'q2', ips: ['10.244.0.2', 'fd00::2'], ports: b }) +
    pod({ name: 'q3', ips: ['fd00::3', '10.244.0.3'], ports: a });
  const d = eps(dual);
  assert.deepEqual(
    d.slices.map((s) => `${s.addressType} ${s.ports!.map((p) => p.port).join(',')}: ${s.endpoints.map((e) => e.addresses[0]).join(' ')}`),
    ['IPv4 8080: 10.244.0.1 10.244.0.3', 'IPv4 9090: 10.244.0.2', 'IPv6 8080: fd00::1 fd00::3', 'IPv6 9090: fd00::2'],
  );
});
