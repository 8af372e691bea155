/**
 * The iptables renderer against the scenarios of upstream pkg/proxy/iptables/proxier_test.go,
 * re-expressed as real Service / EndpointSlice / Node manifests.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  buildProxyModel,
  computeProbability,
  endpointChain,
  formatFixed,
  iptablesProfile,
  masqueradeMark,
  renderIPTables,
  restoreText,
  savedProbability,
  serviceChain,
  type ClusterState,
  type IPFamily,
  type IPTablesOptions,
} from '../../src/core';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/proxy');

function rules(state: ClusterState, options: IPTablesOptions & { family?: IPFamily; node?: string } = {}): string {
  return restoreText(renderIPTables(state, buildProxyModel(state, { family: options.family ?? 'IPv4', node: options.node }), options));
}

/**
 * kube-proxy walks its services in Go map order, so (like upstream's assertIPTablesRulesEqual) we
 * compare per table: the set of chains, and each chain's rules in order.
 */
function byChain(payload: string): string {
  const out: string[] = [];
  let chains: string[] = [];
  let rulesOf = new Map<string, string[]>();
  for (const line of payload.split('\n')) {
    if (line.startsWith('*')) {
      out.push(line);
      chains = [];
      rulesOf = new Map();
    } else if (line.startsWith(':')) chains.push(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      rulesOf.set(chain, [...(rulesOf.get(chain) ?? []), line]);
    } else if (line === 'COMMIT') {
      out.push(...chains.sort().map((c) => `:${c}`));
      for (const c of [...rulesOf.keys()].sort()) out.push(...rulesOf.get(c)!);
      out.push('COMMIT');
    }
  }
  return out.join('\n');
}

const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

const oneServiceNode = node('test-node', ['192.168.0.2'], 'zone-a', ['10.0.1.0/24']);
const proxyConfig = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', clusterCIDR: '10.0.0.0/8', ...extra });

test('TestOverallIPTablesRules: the whole payload matches upstream expectations', () => {
  const state = stateOf(readFileSync(path.join(fixtures, 'overall.yaml'), 'utf8'));
  const ours = rules(state, { randomFully: false });
  const expected = readFileSync(path.join(fixtures, 'overall.expected.txt'), 'utf8');
  assert.equal(byChain(ours), byChain(expected));
  // Our order is deterministic: services by name, the NodePorts jump last in KUBE-SERVICES.
  const services = lines(ours.slice(ours.indexOf('*nat')), /^-A KUBE-SERVICES /);
  assert.match(services.at(-1)!, /kubernetes service nodeports; NOTE/);
  assert.match(services[0]!, /ns1\/svc1:p80 cluster IP/);
  assert.equal(rules(state, { randomFully: false }), ours);
});

test('chain names: sha256 + base32 of name+protocol(+endpoint), first 16 characters', () => {
  assert.equal(serviceChain('SVC', 'ns1/svc1:p80', 'tcp'), 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(serviceChain('FW', 'ns5/svc5:p80', 'tcp'), 'KUBE-FW-NUKIZ6OKUXPJNT4C');
  assert.equal(serviceChain('EXT', 'ns2/svc2:p80', 'tcp'), 'KUBE-EXT-GNZBNJ2PO5MGZ6GT');
  assert.equal(endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
  // The classic simpleservice: unnamed port, so the name has no colon (v1.19+); older nodes kept it.
  assert.equal(serviceChain('SVC', 'default/simpleservice', 'tcp'), 'KUBE-SVC-EXBNZ76JOZU7PBN2');
  assert.equal(serviceChain('SVC', 'default/simpleservice:', 'tcp'), 'KUBE-SVC-EZC6WLOVQADP4IAW');
});

test('computeProbability: %0.10f of 1/n, rounded half-to-even on the float64 value', () => {
  const table: [number, string][] = [
    [1, '1.0000000000'],
    [2, '0.5000000000'],
    [10, '0.1000000000'],
    [100, '0.0100000000'],
    [1000, '0.0010000000'],
    [10000, '0.0001000000'],
    [100000, '0.0000100000'],
    [100001, '0.0000099999'],
    [3, '0.3333333333'],
    [7, '0.1428571429'],
  ];
  for (const [n, want] of table) assert.equal(computeProbability(n), want, `n=${n}`);
  // 1/2048 = 0.00048828125 exactly: a tie at the 10th decimal; Go keeps the even digit.
  assert.equal(computeProbability(2048), '0.0004882812');
  assert.equal(formatFixed(0.125, 2), '0.12');
  assert.equal(formatFixed(0.375, 2), '0.38');
  // iptables-save prints what the kernel stored: round(p * 2^31) / 2^31 with 11 decimals.
  assert.equal(savedProbability('0.3333333333'), '0.33333333349');
  assert.equal(savedProbability('0.5000000000'), '0.50000000000');
  assert.equal(savedProbability('0.2000000000'), '0.20000000019');
});

test('the masquerade mark is Go %#08x of 1<<bit', () => {
  assert.equal(masqueradeMark(14), '0x00004000');
  assert.equal(masqueradeMark(0), '0x00000001');
  assert.equal(masqueradeMark(31), '0x80000000');
});

test('three endpoints: probabilities 1/3 then 1/2, then an unconditional jump, in ip:port string order', () => {
  const state = stateOf(
    docs(
      oneServiceNode,
      service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }] }),
      slice('ns1', 'svc1', [{ addresses: ['10.1.1.2'] }, { addresses: ['10.1.1.11'] }, { addresses: ['10.1.1.1'] }], [{ name: 'p80', port: 80 }]),
    ),
  );
  const svc = lines(rules(state), /^-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1\/svc1:p80 -> /);
  assert.deepEqual(
    svc.map((l) => l.replace(/ -j KUBE-SEP-\w+$/, '').replace(/^.*-> /, '')),
    ['10.1.1.11:80" -m statistic --mode random --probability 0.3333333333', '10.1.1.1:80" -m statistic --mode random --probability 0.5000000000', '10.1.1.2:80"'],
  );
});

test('internalTrafficPolicy Local: no local endpoint gives a filter DROP; a local one gets a KUBE-SVL chain', () => {
  const svc = service('ns1', 'svc1', { clusterIP: '172.30.0.41', internalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80 }] });
  let text = rules(stateOf(docs(oneServiceNode, svc, slice('ns1', 'svc1', [{ addresses: ['10.0.2.5'], nodeName: 'other' }], [{ name: 'p80', port: 80 }]))));
  assert.deepEqual(lines(text, /KUBE-SERVICES.*172\.30\.0\.41/), [
    '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no local endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j DROP',
  ]);
  assert.deepEqual(lines(text, /KUBE-SVC-|KUBE-SEP-/), []);
  text = rules(stateOf(docs(oneServiceNode, svc, slice('ns1', 'svc1', [{ addresses: ['10.0.2.5'], nodeName: 'other' }, { addresses: ['10.0.1.5'], nodeName: 'test-node' }], [{ name: 'p80', port: 80 }]))));
  const svl = serviceChain('SVL', 'ns1/svc1:p80', 'tcp');
  assert.ok(text.includes(`-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j ${svl}`));
  // The masquerade rule lands in SVL before the endpoint jump; only the local endpoint is reachable.
  assert.deepEqual(
    lines(text, new RegExp(`^-A ${svl} `)).map((l) => l.split(' -j ')[1]),
    ['KUBE-MARK-MASQ', endpointChain('ns1/svc1:p80', 'tcp', '10.0.1.5:80')],
  );
  assert.equal(lines(text, /^:KUBE-SEP-/).length, 1);
});

test('externalTrafficPolicy Local with a local endpoint: EXT short-circuits pods and the node, then jumps to SVL', () => {
  const state = stateOf(
    docs(
      oneServiceNode,
      proxyConfig(),
      service('ns2', 'svc2', { type: 'NodePort', clusterIP: '172.30.0.42', externalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, nodePort: 3001 }] }),
      slice('ns2', 'svc2', [{ addresses: ['10.0.1.2'], nodeName: 'test-node' }, { addresses: ['10.0.2.2'], nodeName: 'other' }], [{ name: 'p80', port: 80 }]),
    ),
  );
  const text = rules(state);
  const ext = serviceChain('EXT', 'ns2/svc2:p80', 'tcp');
  const svc = serviceChain('SVC', 'ns2/svc2:p80', 'tcp');
  const svl = serviceChain('SVL', 'ns2/svc2:p80', 'tcp');
  assert.deepEqual(lines(text, new RegExp(`^-A ${ext} `)), [
    `-A ${ext} -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j ${svc}`,
    `-A ${ext} -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
    `-A ${ext} -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j ${svc}`,
    `-A ${ext} -j ${svl}`,
  ]);
  assert.equal(lines(text, new RegExp(`^-A ${svl} `)).length, 1);
  assert.equal(lines(text, new RegExp(`^-A ${svc} .*-> `)).length, 2);
  // NodePort-only: no health check node port (that is only for LoadBalancer).
  assert.deepEqual(lines(text, /health check/), []);
});

test('terminating endpoints: serving ones are used when nothing is ready; non-serving ones give REJECT', () => {
  const svc = service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }] });
  const term = (serving: boolean) => ({ addresses: ['10.0.1.9'], conditions: { ready: false, serving, terminating: true } });
  let text = rules(stateOf(docs(oneServiceNode, svc, slice('ns1', 'svc1', [term(true), { addresses: ['10.0.1.8'], conditions: { ready: false, serving: false } }], [{ name: 'p80', port: 80 }]))));
  assert.deepEqual(lines(text, /-> /).map((l) => l.replace(/^.*-> ([^"]+)".*$/, '$1')), ['10.0.1.9:80']);
  text = rules(stateOf(docs(oneServiceNode, svc, slice('ns1', 'svc1', [term(false)], [{ name: 'p80', port: 80 }]))));
  assert.deepEqual(lines(text, /172\.30\.0\.41/), ['-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT']);
});

test('no endpoints: REJECT for cluster IP, external IPs, LB IPs and the NodePort; no nat chains', () => {
  const text = rules(
    stateOf(
      docs(
        oneServiceNode,
        service(
          'ns1',
          'svc1',
          { type: 'LoadBalancer', clusterIP: '172.30.0.41', externalIPs: ['192.168.99.11'], ports: [{ name: 'p80', port: 80, nodePort: 3001 }] },
          { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
        ),
      ),
    ),
  );
  assert.deepEqual(lines(text, /REJECT/), [
    '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 192.168.99.11 --dport 80 -j REJECT',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j REJECT',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j REJECT',
  ]);
  assert.deepEqual(lines(text, /^:KUBE-(SVC|EXT|SEP|FW)-/), []);
});

const clusterService = docs(
  oneServiceNode,
  service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }] }),
  slice('ns1', 'svc1', [{ addresses: ['10.0.1.1'] }], [{ name: 'p80', port: 80 }]),
);
const masqRule = (text: string) => lines(text, /^-A KUBE-SVC-.*KUBE-MARK-MASQ$/);

test('masquerading: masqueradeAll, each local-traffic detector, and no detector at all', () => {
  const base = '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80';
  const withConfig = (c: Record<string, unknown>) => rules(stateOf(docs(clusterService, proxyConfig(c))));
  assert.deepEqual(masqRule(withConfig({ iptables: { masqueradeAll: true } })), [`${base} -j KUBE-MARK-MASQ`]);
  assert.deepEqual(masqRule(withConfig({})), [`${base} ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ`]);
  assert.deepEqual(masqRule(withConfig({ detectLocalMode: 'NodeCIDR' })), [`${base} ! -s 10.0.1.0/24 -j KUBE-MARK-MASQ`]);
  assert.deepEqual(masqRule(withConfig({ detectLocalMode: 'BridgeInterface', detectLocal: { bridgeInterface: 'cbr0' } })), [`${base} ! -i cbr0 -j KUBE-MARK-MASQ`]);
  assert.deepEqual(masqRule(withConfig({ detectLocalMode: 'InterfaceNamePrefix', detectLocal: { interfaceNamePrefix: 'veth' } })), [`${base} ! -i veth+ -j KUBE-MARK-MASQ`]);
  // A configuration without clusterCIDR: no detector, so cluster IP traffic is never masqueraded.
  assert.deepEqual(masqRule(withConfig({ clusterCIDR: '' })), []);
  // The masquerade bit from the configuration.
  assert.match(withConfig({ iptables: { masqueradeBit: 15 } }), /-A KUBE-MARK-MASQ -j MARK --or-mark 0x00008000\n/);
});

test('bad IPs: leading zeros and padded source ranges are written canonically (TestBadIPs)', () => {
  const text = rules(
    stateOf(
      docs(
        oneServiceNode,
        service(
          'ns1',
          'svc1',
          { type: 'LoadBalancer', clusterIP: '172.30.0.041', externalIPs: ['192.168.099.011'], loadBalancerSourceRanges: [' 203.0.113.000/025 '], ports: [{ name: 'p80', port: 80, nodePort: 3001 }] },
          { loadBalancer: { ingress: [{ ip: '1.2.3.004' }] } },
        ),
        slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], [{ name: 'p80', port: 80 }]),
      ),
    ),
  );
  assert.ok(text.includes('-d 172.30.0.41 --dport 80'));
  assert.ok(text.includes('-d 192.168.99.11 --dport 80'));
  assert.ok(text.includes('-d 1.2.3.4 --dport 80 -j KUBE-FW-'));
  assert.ok(text.includes('-s 203.0.113.0/25 -j KUBE-EXT-'));
  assert.doesNotMatch(text, /\b0\d+\./);
});

test('load balancer source ranges: a range holding the node IP also admits the LB IP as source; ipMode Proxy gets no rules', () => {
  const lb = (ranges: string[], ipMode?: string) =>
    rules(
      stateOf(
        docs(
          oneServiceNode,
          service('ns1', 'svc1', { type: 'LoadBalancer', clusterIP: '172.30.0.41', loadBalancerSourceRanges: ranges, ports: [{ name: 'p80', port: 80, nodePort: 3001 }] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4', ...(ipMode ? { ipMode } : {}) }] } }),
          slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], [{ name: 'p80', port: 80 }]),
        ),
      ),
    );
  const fw = serviceChain('FW', 'ns1/svc1:p80', 'tcp');
  const ext = `KUBE-EXT-${fw.slice(8)}`;
  const c = `-A ${fw} -m comment --comment "ns1/svc1:p80 loadbalancer IP"`;
  assert.deepEqual(lines(lb(['192.168.0.0/16', '203.0.113.0/25']), new RegExp(`^-A ${fw} `)), [
    `${c} -s 192.168.0.0/16 -j ${ext}`,
    `${c} -s 203.0.113.0/25 -j ${ext}`,
    `${c} -s 1.2.3.4 -j ${ext}`,
    `-A ${fw} -m comment --comment "other traffic to ns1/svc1:p80 will be dropped by KUBE-PROXY-FIREWALL"`,
  ]);
  assert.equal(lines(lb(['203.0.113.0/25']), /-s 1\.2\.3\.4/).length, 0);
  assert.equal(lines(lb([], 'Proxy'), /1\.2\.3\.4/).length, 0);
  // Without source ranges the LB IP jumps straight to EXT.
  assert.equal(lines(lb([]), new RegExp(`-d 1\\.2\\.3\\.4 --dport 80 -j KUBE-EXT-${fw.slice(8)}$`)).length, 1);
});

test('large-cluster mode (>1000 endpoints): SEP and SVC->SEP rules lose their comments, the rest keep them', () => {
  const eps = Array.from({ length: 1001 }, (_, i) => ({ addresses: [`10.${1 + Math.floor(i / 250)}.${i % 250}.1`] }));
  const text = rules(
    stateOf(docs(oneServiceNode, service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }] }), slice('ns1', 'svc1', eps, [{ name: 'p80', port: 80 }]))),
  );
  const sep = lines(text, /^-A KUBE-SEP-/);
  assert.equal(sep.length, 2002);
  assert.ok(sep.every((l) => !l.includes('--comment')));
  assert.match(sep[1]!, /^-A KUBE-SEP-\w{16} -m tcp -p tcp -j DNAT --to-destination 10\.\d+\.\d+\.1:80$/);
  assert.ok(lines(text, /^-A KUBE-SVC-.*KUBE-SEP-/).every((l) => !l.includes('--comment')));
  assert.equal(lines(text, /"ns1\/svc1:p80 cluster IP"/).length, 2);
  // 1000 endpoints is still below the threshold.
  const small = rules(stateOf(docs(oneServiceNode, service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }] }), slice('ns1', 'svc1', eps.slice(0, 1000), [{ name: 'p80', port: 80 }]))));
  assert.ok(lines(small, /^-A KUBE-SEP-/).every((l) => l.includes('--comment ns1/svc1:p80')));
});

test('IPv6: the ip6tables payload has bracketed DNAT targets, no localhost NodePorts and no KUBE-FIREWALL', () => {
  const state = stateOf(
    docs(
      node('test-node', ['192.168.0.2', 'fd00::2']),
      proxyConfig({ clusterCIDR: '10.0.0.0/8,fd00:10::/64' }),
      service('ns1', 'svc1', { type: 'NodePort', clusterIP: 'fd00:172::41', ipFamilies: ['IPv6'], ports: [{ name: 'p80', port: 80, nodePort: 3001 }] }),
      slice('ns1', 'svc1', [{ addresses: ['fd00:10::1'] }], [{ name: 'p80', port: 80 }], { addressType: 'IPv6' }),
    ),
  );
  const text = rules(state, { family: 'IPv6' });
  assert.ok(text.includes('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d fd00:172::41 --dport 80 -j KUBE-SVC-'));
  assert.ok(text.includes('-m tcp -p tcp -j DNAT --to-destination [fd00:10::1]:80'));
  assert.ok(text.includes(`-j KUBE-SEP-${endpointChain('ns1/svc1:p80', 'tcp', '[fd00:10::1]:80').slice(9)}`));
  assert.ok(text.includes('! -s fd00:10::/64 -j KUBE-MARK-MASQ'));
  assert.ok(text.includes('-m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS'));
  assert.doesNotMatch(text, /KUBE-FIREWALL|127\.0\.0\.0/);
  // The IPv4 proxier has nothing for this Service.
  assert.doesNotMatch(rules(state, { family: 'IPv4' }), /svc1/);
});

test('nodePortAddresses and localhostNodePorts shape the NodePorts jump', () => {
  const np = docs(
    oneServiceNode,
    service('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, nodePort: 3001 }] }),
    slice('ns1', 'svc1', [{ addresses: ['10.0.1.1'] }], [{ name: 'p80', port: 80 }]),
  );
  let text = rules(stateOf(docs(np, proxyConfig({ nodePortAddresses: ['192.168.0.0/16'] }))));
  assert.deepEqual(lines(text, /kubernetes service nodeports/), ['-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.0.2 -j KUBE-NODEPORTS']);
  // 127.0.0.1 is outside nodePortAddresses, so localhost NodePorts are off: no KUBE-FIREWALL, no 127/8 rule.
  assert.doesNotMatch(text, /KUBE-FIREWALL|127\.0\.0\.0/);
  text = rules(stateOf(docs(np, proxyConfig({ iptables: { localhostNodePorts: false } }))));
  assert.deepEqual(lines(text, /kubernetes service nodeports/), ['-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS']);
  text = rules(stateOf(docs(np, proxyConfig({ nodePortAddresses: ['127.0.0.0/8', '192.168.0.2/32'] }))));
  assert.equal(lines(text, /kubernetes service nodeports/).length, 2);
  assert.match(text, /--comment ns1\/svc1:p80 -m tcp -p tcp -d 127\.0\.0\.0\/8 --dport 3001 -m nfacct/);
  // Without nfacct counters the localhost NodePort rule is not written.
  assert.doesNotMatch(rules(stateOf(np), { nfacct: false }), /localhost_nps_accepted_pkts|ct_state_invalid_dropped_pkts/);
});

test('nf_conntrack_tcp_be_liberal: no INVALID drop (v1.29+), still dropped by older releases', () => {
  const state = stateOf(docs(clusterService, proxyConfig({ conntrack: { tcpBeLiberal: true } })));
  assert.doesNotMatch(rules(state), /INVALID/);
  assert.match(rules(state, { profile: iptablesProfile('1.28') }), /-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP/);
});

test('session affinity: recent --rcheck per endpoint before the fan-out, --set in each SEP', () => {
  const state = stateOf(
    docs(
      oneServiceNode,
      service('ns1', 'svc1', { clusterIP: '172.30.0.41', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } }, ports: [{ name: 'p80', port: 80 }] }),
      slice('ns1', 'svc1', [{ addresses: ['10.0.1.1'] }, { addresses: ['10.0.1.2'] }], [{ name: 'p80', port: 80 }]),
    ),
  );
  const svc = lines(rules(state), /^-A KUBE-SVC-XPGD46QRK7WJZT7O .*-> /);
  assert.equal(svc.length, 4);
  assert.match(svc[0]!, /-m recent --name (KUBE-SEP-\w+) --rcheck --seconds 300 --reap -j \1$/);
  assert.match(svc[1]!, /--rcheck --seconds 300 --reap/);
  assert.match(svc[2]!, /--probability 0\.5000000000/);
  assert.equal(lines(rules(state), /-m recent --name KUBE-SEP-\w+ --set -m tcp -p tcp -j DNAT/).length, 2);
});

test('wrong-typed manifest fields never throw', () => {
  const state = stateOf(
    docs(
      oneServiceNode,
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'ns' }, spec: { clusterIP: 7, ports: 'eighty', externalIPs: 'nope', loadBalancerSourceRanges: [5, null] } }),
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'y', namespace: 'ns' }, spec: { ports: [{ port: 'x' }, { port: 80, protocol: 5 }], sessionAffinity: ['ClientIP'] } }),
      JSON.stringify({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'y-1', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'y' } }, endpoints: [{ addresses: 'x' }, { addresses: [5] }, null], ports: [{ port: '80' }, { name: 7 }] }),
    ),
  );
  assert.doesNotThrow(() => rules(state));
  assert.match(rules(state), /COMMIT\n$/);
});
