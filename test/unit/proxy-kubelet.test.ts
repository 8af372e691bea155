/** kubelet's KUBE-MARK-DROP / KUBE-FIREWALL rules in the iptables-save view of old nodes, and tracing through them. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { compileRules, hasLocalnetRule, kubeletIPTables, parseRules, renderIPTablesRules, traceCompiled, type ClusterState } from '../../src/core';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

const n1 = node('test-node', ['192.168.0.2']);

/** An eTP Local NodePort whose only endpoint is on another node, and an LB with source ranges. */
function cluster(): ClusterState {
  return stateOf(
    docs(
      n1,
      service('ns1', 'local', { type: 'NodePort', clusterIP: '172.30.0.41', externalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, nodePort: 30081 }] }),
      slice('ns1', 'local', [{ addresses: ['10.180.0.3'], nodeName: 'other' }], [{ name: 'p80', port: 80 }]),
      service('ns2', 'lb', { type: 'LoadBalancer', clusterIP: '172.30.0.42', loadBalancerSourceRanges: ['203.0.113.0/25'], ports: [{ name: 'p80', port: 80, nodePort: 30082 }] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
      slice('ns2', 'lb', [{ addresses: ['10.180.0.4'], nodeName: 'other' }], [{ name: 'p80', port: 80 }]),
    ),
  );
}

const save = (version?: string, family: 'IPv4' | 'IPv6' = 'IPv4') => renderIPTablesRules({ state: cluster(), version, format: 'save', families: [family], date: new Date(0) });
const tableOf = (text: string, table: string) => text.slice(text.indexOf(`*${table}\n`), text.indexOf('COMMIT', text.indexOf(`*${table}\n`)));

test('kubelet: a v1.22 node shows kubelet\'s KUBE-MARK-DROP and KUBE-FIREWALL, with its jumps below kube-proxy\'s', () => {
  const text = save('1.22');
  assert.match(text, /^# ksd: KUBE-MARK-DROP, KUBE-FIREWALL, KUBE-KUBELET-CANARY and the INPUT\/OUTPUT jumps to KUBE-FIREWALL are kubelet's/);
  const nat = tableOf(text, 'nat');
  assert.ok(nat.includes(':KUBE-MARK-DROP - [0:0]\n'));
  assert.ok(nat.includes('\n-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000\n'));
  const filter = tableOf(text, 'filter').split('\n');
  assert.ok(filter.includes(':KUBE-FIREWALL - [0:0]'));
  assert.deepEqual(
    filter.filter((l) => l.startsWith('-A KUBE-FIREWALL')),
    [
      '-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP',
      '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    ],
  );
  const input = filter.filter((l) => l.startsWith('-A INPUT'));
  assert.equal(input[input.length - 1], '-A INPUT -j KUBE-FIREWALL');
  assert.ok(input.length > 1, 'kube-proxy\'s own INPUT jumps are there too, above');
  const output = filter.filter((l) => l.startsWith('-A OUTPUT'));
  assert.equal(output[output.length - 1], '-A OUTPUT -j KUBE-FIREWALL');
  for (const t of ['mangle', 'filter', 'nat']) assert.ok(tableOf(text, t).includes(':KUBE-KUBELET-CANARY - [0:0]'), t);
  // The hint chain came with v1.24.
  assert.ok(!text.includes('KUBE-IPTABLES-HINT'));
  assert.ok(tableOf(save('1.24'), 'mangle').includes(':KUBE-IPTABLES-HINT - [0:0]'));
  // The restore payload is kube-proxy's alone.
  const restore = renderIPTablesRules({ state: cluster(), version: '1.22', format: 'restore', families: ['IPv4'] });
  assert.ok(!restore.includes(':KUBE-MARK-DROP') && !restore.includes('KUBE-FIREWALL'));
});

test('kubelet: the localnet rule follows the CVE-2020-8558 fix releases; never for IPv6', () => {
  assert.equal(hasLocalnetRule(15, undefined), false);
  assert.equal(hasLocalnetRule(16, 10), false);
  assert.equal(hasLocalnetRule(16, 11), true);
  assert.equal(hasLocalnetRule(17, 6), false);
  assert.equal(hasLocalnetRule(18, 3), false);
  assert.equal(hasLocalnetRule(18, 4), true);
  assert.equal(hasLocalnetRule(18, undefined), true);
  assert.equal(hasLocalnetRule(19, 0), true);
  assert.ok(!save('1.18.3').includes('block incoming localnet connections'));
  assert.ok(save('1.18.4').includes('block incoming localnet connections'));
  const v6 = kubeletIPTables('1.22', 'IPv6')!;
  assert.deepEqual(v6.rules.map((r) => r.chain), ['KUBE-MARK-DROP', 'KUBE-FIREWALL']);
});

test('kubelet: from v1.27 kube-proxy owns KUBE-FIREWALL and kubelet no longer marks for dropping', () => {
  for (const v of ['1.27', '1.31', undefined]) {
    const text = save(v);
    assert.ok(!text.includes('KUBE-MARK-DROP'), String(v));
    assert.ok(!text.includes('kubernetes firewall for dropping marked packets'), String(v));
    assert.ok(!text.includes('KUBE-KUBELET-CANARY'), String(v));
    assert.equal(kubeletIPTables(v, 'IPv4'), undefined);
  }
  // 1.25-1.26 kube-proxy no longer uses KUBE-MARK-DROP, but kubelet still creates it.
  assert.ok(save('1.26').includes('-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000'));
});

const ctx = (localIPs: string[]) => ({ source: 'external' as const, localIPs, nodeName: 'test-node' });

test('kubelet: on v1.22 an eTP Local NodePort without local endpoints is dropped by KUBE-FIREWALL, and says why', () => {
  const rules = compileRules(parseRules(save('1.22')));
  const d = traceCompiled(rules, { from: '203.0.113.9', to: '192.168.0.2', port: 30081, protocol: 'TCP' }, ctx(['192.168.0.2']));
  assert.equal(d.verdict, 'DROP');
  const last = d.steps[d.steps.length - 1]!;
  assert.equal(`${last.table} ${last.chain}`, 'filter KUBE-FIREWALL');
  assert.ok(d.steps.some((s) => s.chain.startsWith('KUBE-XLB-') && s.effect === 'jump to KUBE-MARK-DROP'));
  assert.match(d.explanation, /externalTrafficPolicy is Local and node test-node has no ready endpoint for ns1\/local:p80/);
  assert.match(d.explanation, /marks it with KUBE-MARK-DROP; kubelet's filter KUBE-FIREWALL chain drops marked packets/);
  // Without kubelet's chains (the payload alone) the same packet is not dropped: what the old view got wrong.
  const payloadOnly = parseRules(save('1.22').replace(/^-A (INPUT|OUTPUT) -j KUBE-FIREWALL\n/gm, ''));
  assert.notEqual(traceCompiled(compileRules(payloadOnly), { from: '203.0.113.9', to: '192.168.0.2', port: 30081, protocol: 'TCP' }, ctx(['192.168.0.2'])).verdict, 'DROP');
});

test('kubelet: on v1.23 a load balancer source outside loadBalancerSourceRanges is marked and dropped', () => {
  const rules = compileRules(parseRules(save('1.23')));
  // The LB IP is local to the node (as cloud load balancers deliver it), so the packet goes through filter INPUT.
  const d = traceCompiled(rules, { from: '198.51.100.7', to: '1.2.3.4', port: 80, protocol: 'TCP' }, ctx(['192.168.0.2', '1.2.3.4']));
  assert.equal(d.verdict, 'DROP');
  assert.match(d.explanation, /source 198\.51\.100\.7 is outside the loadBalancerSourceRanges of ns2\/lb:p80/);
  const ok = traceCompiled(rules, { from: '203.0.113.9', to: '1.2.3.4', port: 80, protocol: 'TCP' }, ctx(['192.168.0.2', '1.2.3.4']));
  assert.equal(ok.verdict, 'DNAT');
});

test('kubelet: a marked packet the node forwards is not dropped (no KUBE-FIREWALL on FORWARD), and the explanation says so', () => {
  const rules = compileRules(parseRules(save('1.23')));
  // The LB IP is not one of the node's addresses: the packet is forwarded, not delivered to INPUT.
  const d = traceCompiled(rules, { from: '198.51.100.7', to: '1.2.3.4', port: 80, protocol: 'TCP' }, ctx(['192.168.0.2']));
  assert.notEqual(d.verdict, 'DROP');
  assert.match(d.explanation, /marked it for dropping \(KUBE-MARK-DROP\), but only kubelet's KUBE-FIREWALL, hooked into filter INPUT and OUTPUT, drops marked packets/);
  // Not said when nothing was marked.
  const ok = traceCompiled(rules, { from: '203.0.113.9', to: '1.2.3.4', port: 80, protocol: 'TCP' }, ctx(['192.168.0.2']));
  assert.doesNotMatch(ok.explanation, /KUBE-MARK-DROP/);
});
