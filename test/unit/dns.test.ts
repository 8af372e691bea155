import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { lookup, podLabelIP, resolveName, resolverConfig, reverseName, reverseToIP, searchCandidates, serviceRecords } from '../../src/core';
import { pod, service, stateOf } from './helpers';

const shop =
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }) +
  '\n---\n' +
  service({ name: 'web', ns: 'shop', clusterIP: '10.96.5.5', ports: [{ name: 'http', port: 80, targetPort: 'http' }, { port: 9090, targetPort: 9090 }] }) +
  pod({ name: 'web-1', ns: 'shop', ip: '10.244.1.10' }) +
  pod({ name: 'web-2', ns: 'shop', ip: '10.244.1.11', ready: false });

test('a ClusterIP Service answers A with its cluster IP, from the pod namespace through the search list', () => {
  const state = stateOf(shop);
  const r = resolveName(state, 'web', { namespace: 'shop' });
  assert.deepEqual(r.config.search, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  assert.equal(r.config.ndots, 5);
  assert.deepEqual(r.attempts, [{ name: 'web.shop.svc.cluster.local.', outcome: 'answer' }]);
  assert.match(resolveName(stateOf(shop), 'nope', { namespace: 'shop' }).attempts[0]!.note!, /no Service "nope" in namespace shop/);
  assert.deepEqual(
    r.answer!.records.map((x) => [x.type, x.value]),
    [['A', '10.96.5.5']],
  );
});

test('a short name from another namespace goes through every search domain, then upstream', () => {
  const state = stateOf(shop);
  const r = resolveName(state, 'web', { namespace: 'other' });
  assert.deepEqual(
    r.attempts.map((a) => a.outcome),
    ['nxdomain', 'nxdomain', 'nxdomain', 'upstream'],
  );
  assert.equal(r.answer, undefined);
  assert.equal(r.upstream, 'web.');
  const ok = resolveName(state, 'web.shop', { namespace: 'other' });
  assert.deepEqual(
    ok.attempts.map((a) => [a.name, a.outcome]),
    [
      ['web.shop.other.svc.cluster.local.', 'nxdomain'],
      ['web.shop.svc.cluster.local.', 'answer'],
    ],
  );
});

test('lookups are case-insensitive and say why a name does not exist', () => {
  const state = stateOf(shop);
  assert.equal(lookup(state, 'WEB.Shop.SVC.cluster.local', ['A']).records[0]!.value, '10.96.5.5');
  const miss = lookup(state, 'web.other.svc.cluster.local', ['A']);
  assert.equal(miss.rcode, 'NXDOMAIN');
  assert.match(miss.note!, /no Service "web" in namespace other \(there is one in shop\)/);
  assert.match(lookup(state, 'web.nope.svc.cluster.local', ['A']).note!, /namespace "nope" does not exist/);
  assert.equal(lookup(state, 'shop.svc.cluster.local', ['A']).rcode, 'NOERROR');
  assert.equal(lookup(state, 'a.b.c.web.shop.svc.cluster.local', ['A']).rcode, 'NXDOMAIN');
  assert.equal(lookup(state, 'web.shop.cluster.local', ['A']).rcode, 'NXDOMAIN');
});

test('SRV records exist for named ports only, matching name and protocol', () => {
  const state = stateOf(shop);
  const srv = lookup(state, '_http._tcp.web.shop.svc.cluster.local', ['SRV']);
  assert.deepEqual(
    srv.records.map((r) => ({ type: r.type, value: r.value, port: r.port, priority: r.priority, weight: r.weight })),
    [{ type: 'SRV', value: 'web.shop.svc.cluster.local.', port: 80, priority: 0, weight: 100 }],
  );
  const udp = lookup(state, '_http._udp.web.shop.svc.cluster.local', ['SRV']);
  assert.equal(udp.rcode, 'NXDOMAIN');
  assert.match(udp.note!, /no port named "http" with protocol UDP \(SRV names: _http._tcp\)/);
  // A resolver query for _http._tcp.web goes through the search list too.
  const r = resolveName(state, '_http._tcp.web', { namespace: 'shop' });
  assert.deepEqual(r.types, ['SRV']);
  assert.equal(r.answer!.records[0]!.port, 80);
});

const headless =
  service({ name: 'db', clusterIP: 'None', ports: [{ name: 'pg', port: 5432, targetPort: 5432 }] }) +
  pod({ name: 'db-0', labels: { app: 'db' }, ip: '10.244.2.10', hostname: 'db-0', subdomain: 'db' }) +
  pod({ name: 'db-1', labels: { app: 'db' }, ip: '10.244.2.11', hostname: 'db-1', subdomain: 'db' }) +
  pod({ name: 'db-2', labels: { app: 'db' }, ip: '10.244.2.12', hostname: 'db-2', subdomain: 'db', ready: false });

test('a headless Service answers with every ready endpoint, and hostname.subdomain names resolve per pod', () => {
  const state = stateOf(headless.replace('"selector":{"app":"web"}', '"selector":{"app":"db"}'));
  const all = lookup(state, 'db.default.svc.cluster.local', ['A']);
  assert.deepEqual(
    all.records.map((r) => r.value),
    ['10.244.2.10', '10.244.2.11'],
  );
  const one = lookup(state, 'db-1.db.default.svc.cluster.local', ['A']);
  assert.deepEqual(
    one.records.map((r) => [r.value, r.pod]),
    [['10.244.2.11', 'db-1']],
  );
  // Not ready: not published, so its name does not exist.
  assert.equal(lookup(state, 'db-2.db.default.svc.cluster.local', ['A']).rcode, 'NXDOMAIN');
  const srv = lookup(state, '_pg._tcp.db.default.svc.cluster.local', ['SRV']);
  assert.deepEqual(
    srv.records.map((r) => [r.value, r.port, r.weight]),
    [
      ['db-0.db.default.svc.cluster.local.', 5432, 50],
      ['db-1.db.default.svc.cluster.local.', 5432, 50],
    ],
  );
});

test('publishNotReadyAddresses publishes not-ready pods; endpoints without hostname get a dashed-IP name', () => {
  const yaml = headless.replace('"selector":{"app":"web"}', '"selector":{"app":"db"}').replace('"clusterIP":"None"', '"clusterIP":"None","publishNotReadyAddresses":true');
  const state = stateOf(yaml + pod({ name: 'plain', labels: { app: 'db' }, ip: '10.244.2.20' }));
  assert.equal(lookup(state, 'db-2.db.default.svc.cluster.local', ['A']).records[0]!.value, '10.244.2.12');
  assert.equal(lookup(state, '10-244-2-20.db.default.svc.cluster.local', ['A']).records[0]!.value, '10.244.2.20');
  assert.equal(lookup(state, 'plain.db.default.svc.cluster.local', ['A']).rcode, 'NXDOMAIN');
  assert.equal(lookup(state, 'plain.db.default.svc.cluster.local', ['A'], { endpointPodNames: true }).records[0]!.value, '10.244.2.20');
});

test('a headless Service with no ready endpoints does not exist in DNS', () => {
  const state = stateOf(service({ name: 'db', clusterIP: 'None', selector: { app: 'none' } }));
  const r = lookup(state, 'db.default.svc.cluster.local', ['A']);
  assert.equal(r.rcode, 'NXDOMAIN');
  assert.match(r.note!, /no ready endpoints/);
});

test('ExternalName answers a CNAME, never with an address, and an IP as externalName answers nothing', () => {
  const state = stateOf(
    service({ name: 'ext', type: 'ExternalName', externalName: 'db.example.com', selector: null, ports: [] }) +
      service({ name: 'ext-ip', type: 'ExternalName', externalName: '192.0.2.1', selector: null, ports: [] }),
  );
  const r = lookup(state, 'ext.default.svc.cluster.local', ['A', 'AAAA']);
  assert.deepEqual(
    r.records.map((x) => [x.type, x.value]),
    [['CNAME', 'db.example.com.']],
  );
  const ip = lookup(state, 'ext-ip.default.svc.cluster.local', ['A']);
  assert.equal(ip.rcode, 'NXDOMAIN');
  assert.match(ip.note!, /not a DNS name/);
  assert.equal(lookup(state, 'x.ext.default.svc.cluster.local', ['A']).rcode, 'NXDOMAIN');
});

test('dual-stack Services answer A and AAAA', () => {
  const state = stateOf(service({ name: 'dual', clusterIPs: ['10.96.0.50', 'fd00::50'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }));
  const r = lookup(state, 'dual.default.svc.cluster.local', ['A', 'AAAA']);
  assert.deepEqual(
    r.records.map((x) => [x.type, x.value]),
    [
      ['A', '10.96.0.50'],
      ['AAAA', 'fd00::50'],
    ],
  );
  assert.deepEqual(lookup(state, 'dual.default.svc.cluster.local', ['AAAA']).records.length, 1);
});

test('pod A records follow the CoreDNS pods mode', () => {
  const state = stateOf(shop);
  assert.equal(lookup(state, '10-244-1-10.shop.pod.cluster.local', ['A']).records[0]!.value, '10.244.1.10');
  assert.equal(lookup(state, '10-9-9-9.shop.pod.cluster.local', ['A']).records[0]!.value, '10.9.9.9');
  assert.equal(lookup(state, '10-9-9-9.shop.pod.cluster.local', ['A'], { podMode: 'verified' }).rcode, 'NXDOMAIN');
  assert.equal(lookup(state, '10-244-1-10.shop.pod.cluster.local', ['A'], { podMode: 'verified' }).records[0]!.pod, 'web-1');
  assert.equal(lookup(state, '10-244-1-10.shop.pod.cluster.local', ['A'], { podMode: 'disabled' }).rcode, 'NXDOMAIN');
  assert.equal(lookup(state, 'fd00--1.shop.pod.cluster.local', ['AAAA']).records[0]!.value, 'fd00::1');
  assert.equal(lookup(state, 'not-an-ip.shop.pod.cluster.local', ['A']).rcode, 'NXDOMAIN');
});

test('a custom cluster domain moves every name and the search list', () => {
  const state = stateOf(shop);
  const r = resolveName(state, 'web', { namespace: 'shop' }, { clusterDomain: 'corp.internal' });
  assert.deepEqual(r.config.search, ['shop.svc.corp.internal', 'svc.corp.internal', 'corp.internal']);
  assert.equal(r.answer!.name, 'web.shop.svc.corp.internal.');
  assert.equal(lookup(state, 'web.shop.svc.cluster.local', ['A'], { clusterDomain: 'corp.internal' }).upstream, true);
});

test('reverse lookups: cluster IPs name the Service, endpoint IPs the endpoint, others go upstream', () => {
  const state = stateOf(shop);
  const svc = resolveName(state, '10.96.5.5', { namespace: 'shop' });
  assert.deepEqual(svc.types, ['PTR']);
  assert.equal(svc.answer!.records[0]!.value, 'web.shop.svc.cluster.local.');
  const ep = lookup(state, reverseName('10.244.1.10')!, ['PTR']);
  assert.equal(ep.records[0]!.value, '10-244-1-10.web.shop.svc.cluster.local.');
  assert.equal(lookup(state, reverseName('192.0.2.7')!, ['PTR']).upstream, true);
});

test('every cluster has kubernetes.default, assumed at the first Service CIDR address when not given', () => {
  const state = stateOf(shop);
  const r = resolveName(state, 'kubernetes.default', { namespace: 'shop' });
  assert.equal(r.answer!.records[0]!.value, '10.96.0.1');
  const given = stateOf(shop + service({ name: 'kubernetes', selector: null, clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] }));
  assert.equal(given.services.filter((s) => s.name === 'kubernetes').length, 1);
  assert.equal(lookup(given, '_https._tcp.kubernetes.default.svc.cluster.local', ['SRV']).records[0]!.port, 443);
});

test('resolver config: dnsPolicy, hostNetwork and dnsConfig as kubelet writes resolv.conf', () => {
  assert.equal(resolverConfig('x', { hostNetwork: true }).clusterDNS, false);
  assert.match(resolverConfig('x', { hostNetwork: true }).notes[0]!, /ClusterFirstWithHostNet/);
  assert.equal(resolverConfig('x', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }).clusterDNS, true);
  assert.equal(resolverConfig('x', { dnsPolicy: 'Default' }).clusterDNS, false);
  const none = resolverConfig('x', { dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.10'], searches: ['a.svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] } });
  assert.deepEqual([none.clusterDNS, none.search, none.ndots], [true, ['a.svc.cluster.local'], 2]);
  const extra = resolverConfig('x', { dnsConfig: { searches: ['corp.example', 'svc.cluster.local'], options: [{ name: 'ndots', value: '1' }] } });
  assert.deepEqual(extra.search, ['x.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example']);
  assert.equal(extra.ndots, 1);
  // Wrong types never throw.
  assert.equal(resolverConfig('x', { dnsPolicy: 7, dnsConfig: { searches: 'nope', options: [null, 3] } } as never).dnsPolicy, 'ClusterFirst');
});

test('a pod on the node resolver gets no cluster answers', () => {
  const state = stateOf(shop);
  const r = resolveName(state, 'web', { namespace: 'shop', podSpec: { dnsPolicy: 'Default' } });
  assert.equal(r.answer, undefined);
  assert.equal(r.attempts[0]!.outcome, 'upstream');
});

test('search order follows ndots: fewer dots search first, enough dots try the name first, a trailing dot only itself', () => {
  const cfg = { search: ['a.svc.cluster.local', 'svc.cluster.local'], ndots: 5 };
  assert.deepEqual(searchCandidates('x.y.z', cfg), ['x.y.z.a.svc.cluster.local.', 'x.y.z.svc.cluster.local.', 'x.y.z.']);
  assert.deepEqual(searchCandidates('a.b.c.d.e.f', cfg), ['a.b.c.d.e.f.', 'a.b.c.d.e.f.a.svc.cluster.local.', 'a.b.c.d.e.f.svc.cluster.local.']);
  assert.deepEqual(searchCandidates('web.shop.svc.cluster.local.', cfg), ['web.shop.svc.cluster.local.']);
});

test('name helpers: dashed pod labels and reverse names round-trip', () => {
  assert.equal(podLabelIP('10-0-0-1'), '10.0.0.1');
  assert.equal(podLabelIP('2001-db8--1'), '2001:db8::1');
  assert.equal(podLabelIP('1-2-3'), undefined);
  assert.equal(reverseName('10.1.2.3'), '3.2.1.10.in-addr.arpa.');
  assert.equal(reverseToIP('3.2.1.10.in-addr.arpa'), '10.1.2.3');
  const v6 = reverseName('2001:db8::1')!;
  assert.match(v6, /^1\.0\.0\.0\.(0\.){20}8\.b\.d\.0\.1\.0\.0\.2\.ip6\.arpa\.$/);
  assert.equal(reverseToIP(v6), '2001:db8::1');
  assert.equal(reverseToIP('300.1.1.1.in-addr.arpa.'), undefined);
});

test('serviceRecords lists A, SRV and PTR for a Service, and endpoint names for a headless one', () => {
  const state = stateOf(shop + headless.replace('"selector":{"app":"web"}', '"selector":{"app":"db"}'));
  const web = state.services.find((s) => s.name === 'web')!;
  assert.deepEqual(
    serviceRecords(state, web).map((r) => `${r.name} ${r.type} ${r.value}${r.port ? ` ${r.port}` : ''}`),
    ['web.shop.svc.cluster.local. A 10.96.5.5', '_http._tcp.web.shop.svc.cluster.local. SRV web.shop.svc.cluster.local. 80', '5.5.96.10.in-addr.arpa. PTR web.shop.svc.cluster.local.'],
  );
  const db = state.services.find((s) => s.name === 'db')!;
  const names = serviceRecords(state, db).map((r) => `${r.name} ${r.type}`);
  assert.ok(names.includes('db-0.db.default.svc.cluster.local. A'));
  assert.equal(names.filter((n) => n.endsWith('SRV')).length, 2);
});

test('records of a cluster IP ksd assigned say so; written ones do not', () => {
  const state = stateOf(service({ name: 'auto' }) + service({ name: 'fixed', clusterIP: '10.96.3.3' }));
  const auto = lookup(state, 'auto.default.svc.cluster.local', ['A']).records[0]!;
  assert.equal(auto.assigned, true);
  assert.equal(state.services.find((s) => s.name === 'auto')!.clusterIP, auto.value);
  assert.equal(lookup(state, 'fixed.default.svc.cluster.local', ['A']).records[0]!.assigned, undefined);
});
