/**
 * Tracing through rules compiled straight from the renderer (GeneratedIPTables: no save text, Services
 * rendered when a packet first needs them) gives exactly what tracing through the printed and re-parsed
 * iptables-save view gave: the same rules, rule by rule, and byte-identical trace results.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chainsByKey, compileRules, GeneratedIPTables, payloadRule, parseRules, PROFILES, traceCompiled, type ClusterState, type IPFamily, type TraceContext, type TracePacket } from '../../src/core';
import { generatedRules } from '../../src/cli/generatedRules';
import { sharedMatches } from '../../src/core/rules/args';
import { generatedState } from './proxy-generated-state';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

const VERSIONS = [undefined, ...PROFILES.slice(1).map((p) => `1.${p.minMinor}`)];

function oldPath(state: ClusterState, version: string | undefined, nodeName = 'node-1', family: IPFamily = 'IPv4') {
  return compileRules(generatedRules({ state, node: nodeName, family, mode: 'iptables', version }));
}

interface Flow {
  packet: TracePacket;
  ctx: TraceContext;
}

/** Pod, node and external sources to every address and node port of the generated cluster. */
function flowsOf(state: ClusterState, nodeName = 'node-1'): Flow[] {
  const n = state.nodes.find((x) => x.name === nodeName)!;
  const local = n.ips;
  const pod: TraceContext = { source: 'pod', localIPs: local, nodeName };
  const self: TraceContext = { source: 'node', localIPs: local, nodeName };
  const outside: TraceContext = { source: 'external', localIPs: local, nodeName };
  const flows: Flow[] = [];
  const tcp = (from: string, to: string, port: number, ctx: TraceContext, protocol: TracePacket['protocol'] = 'TCP') => flows.push({ packet: { from, to, port, protocol }, ctx });
  state.services.forEach((svc, i) => {
    for (const p of svc.ports) {
      const proto = p.protocol;
      tcp(`10.244.${i & 255}.${(i * 7) & 255}`, svc.clusterIP!, p.port, pod, proto);
      tcp(local[0]!, svc.clusterIP!, p.port, self, proto);
      tcp('203.0.113.9', svc.clusterIP!, p.port, outside, proto);
      if (p.nodePort) {
        tcp('198.18.0.1', local[0]!, p.nodePort, outside, proto);
        tcp(local[0]!, '127.0.0.1', p.nodePort, self, proto);
        tcp('10.244.9.9', local[0]!, p.nodePort, pod, proto);
      }
      for (const ing of svc.loadBalancerIngress) {
        if (!ing.ip) continue;
        tcp('203.0.113.50', ing.ip, p.port, outside, proto);
        tcp('198.18.0.1', ing.ip, p.port, outside, proto);
        tcp('10.244.3.3', ing.ip, p.port, pod, proto);
      }
      for (const ip of svc.externalIPs) if (typeof ip === 'string') tcp('198.18.0.1', ip, p.port, outside, proto);
    }
    tcp('10.244.1.1', svc.clusterIP!, 4444, pod);
  });
  return flows;
}

const small = generatedState(40, 6);
const large = generatedState(120, 10);

for (const version of VERSIONS) {
  test(`generated cluster, kube-proxy ${version ?? 'current'}: the same rules as parsing the save view, rule by rule`, () => {
    const old = oldPath(small, version);
    const direct = new GeneratedIPTables({ state: small, node: 'node-1', family: 'IPv4', version });
    direct.ensureAll();
    const mineByKey = chainsByKey(direct.compiled);
    const oldByKey = chainsByKey(old);
    assert.deepEqual([...mineByKey.keys()].sort(), [...oldByKey.keys()].sort());
    for (const [key, c] of oldByKey) {
      const mine = mineByKey.get(key)!;
      assert.equal(mine.chain.policy, c.chain.policy, key);
      const view = (r: { chain: string; text: string; matches: unknown; target?: unknown; comment?: string }) => ({ chain: r.chain, text: r.text, matches: r.matches, target: r.target, comment: r.comment });
      assert.deepEqual(mine.chain.rules.map(view), c.chain.rules.map(view), key);
    }
    assert.deepEqual([...direct.compiled.affinitySeconds].sort(), [...old.affinitySeconds].sort());
    // The RuleSet view (built when asked for) holds the same tables, chains and rules.
    const tables = (set: typeof old.set) => [...set.tables].map(([t, tab]) => [t, [...tab.chains].map(([n, c]) => `${n} ${c.policy ?? '-'} ${c.rules.length}`).sort()]).sort();
    assert.deepEqual(tables(direct.compiled.set), tables(old.set));
  });
}

for (const [label, state, nodeName] of [['small', small, 'node-1'], ['large-cluster mode', large, 'node-1'], ['large-cluster mode, node-2', large, 'node-2']] as const) {
  for (const version of label === 'small' ? VERSIONS : [undefined, '1.24', '1.20']) {
    test(`generated cluster (${label}), kube-proxy ${version ?? 'current'}: traces byte-identical to the save-view path`, () => {
      const old = oldPath(state, version, nodeName);
      const direct = new GeneratedIPTables({ state, node: nodeName, family: 'IPv4', version });
      const flows = flowsOf(state, nodeName);
      assert.ok(flows.length > 200);
      const verdicts = new Set<string>();
      for (const f of flows) {
        const want = JSON.stringify(traceCompiled(old, f.packet, f.ctx));
        const got = JSON.stringify(direct.trace(f.packet, f.ctx));
        assert.equal(got, want, `${f.ctx.source} ${f.packet.from} -> ${f.packet.to}:${f.packet.port}/${f.packet.protocol}`);
        verdicts.add(JSON.parse(got).verdict);
      }
      // The flows reach every kind of outcome.
      for (const v of ['DNAT', 'REJECT', 'NONE']) assert.ok(verdicts.has(v), `${v} in ${[...verdicts]}`);
      if (version === undefined) assert.ok(verdicts.has('DROP'));
    });
  }
}

test('a trace renders only the Services its packet can meet', () => {
  const direct = new GeneratedIPTables({ state: large, node: 'node-1', family: 'IPv4' });
  const svc = large.services[5]!;
  const d = direct.trace({ from: '10.244.1.1', to: svc.clusterIP!, port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: ['192.168.0.2'], nodeName: 'node-1' });
  assert.equal(d.verdict, 'DNAT');
  assert.equal(direct.renderedServices, 1);
  // An address no Service has renders nothing more.
  direct.trace({ from: '10.244.1.1', to: '10.99.99.99', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: ['192.168.0.2'], nodeName: 'node-1' });
  assert.equal(direct.renderedServices, 1);
});

test('a DNAT to an address of another Service renders that Service too, and traces as the full rule set does', () => {
  // svc-b has no endpoints: filter KUBE-SERVICES rejects packets to its cluster IP, also after svc-a DNATs to it.
  const state = stateOf(
    docs(
      node('node-1', ['192.168.0.2']),
      service('default', 'svc-a', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] }),
      slice('default', 'svc-a', [{ addresses: ['10.96.0.20'], conditions: { ready: true } }], [{ port: 8080, protocol: 'TCP' }]),
      service('default', 'svc-b', { clusterIP: '10.96.0.20', selector: { app: 'none' }, ports: [{ port: 8080 }] }),
    ),
  );
  const packet: TracePacket = { from: '10.244.1.1', to: '10.96.0.10', port: 80, protocol: 'TCP' };
  const ctx: TraceContext = { source: 'pod', localIPs: ['192.168.0.2'], nodeName: 'node-1' };
  const direct = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4' });
  const got = direct.trace(packet, ctx);
  assert.equal(direct.renderedServices, 2);
  assert.equal(got.verdict, 'REJECT');
  assert.equal(JSON.stringify(got), JSON.stringify(traceCompiled(oldPath(state, undefined), packet, ctx)));
});

test('payload rules outside the usual words go through the save line and the parser, with the same result', () => {
  const cases = [
    '-m comment --comment "it\'s \\"odd\\"" -j ACCEPT',
    '-m comment --comment "a" -m comment --comment "b" -j KUBE-X',
    '-p tcp -m multiport --dports 80,443 -j ACCEPT',
    '-m tcp -p tcp -m udp --dport 53 -j ACCEPT',
    '-j LOG --log-prefix x',
    '-m recent --name a --rcheck --seconds 10 --reap -j KUBE-SEP-A',
    '-m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-j MARK --or-mark 0x00008000',
    '-j REJECT',
    '-m comment --comment "x" -s 10.1.2.3 -j KUBE-MARK-MASQ',
    '-m comment --comment "a -s b" -s 10.1.2.3 -j KUBE-MARK-MASQ',
    '! -s 10.1.2.3 -j KUBE-MARK-MASQ',
    '-s 10.1.2.3/8 -j KUBE-MARK-MASQ',
    '-m tcp -p tcp -j DNAT --to-destination 10.1.2.3:8080',
    '-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A',
    '-j MASQUERADE --random-fully',
    '-j KUBE-SEP-A',
    '-j ACCEPT',
    '',
  ];
  // Each case alone, and after rules of the same shape (one word different) were read.
  const shapes = new Map();
  const twins = cases.flatMap((t) => [t.replace(/10\.1\.2\.3|KUBE-SEP-A|ACCEPT$/, (w) => (w === 'ACCEPT' ? 'DROP' : w === 'KUBE-SEP-A' ? 'KUBE-SEP-B' : '10.9.9.9')), t]);
  for (const [i, text] of [...cases, ...twins].entries()) {
    const rule = payloadRule('nat', 'KUBE-X', 0, text, 'IPv4', sharedMatches(), i < cases.length ? undefined : shapes);
    const parsed = parseRules(`*nat\n:KUBE-X - [0:0]\n${rule.text}\nCOMMIT\n`).tables.get('nat')!.chains.get('KUBE-X')!.rules[0]!;
    assert.deepEqual({ m: rule.matches, t: rule.target, c: rule.comment }, { m: parsed.matches, t: parsed.target, c: parsed.comment }, text);
    const long = payloadRule('nat', 'KUBE-X', 0, text, 'IPv4', sharedMatches());
    assert.equal(rule.text, long.text, text);
  }
  // Rules that differ in their jump, DNAT destination or source share one shape each.
  assert.ok(shapes.size < twins.length, `${shapes.size} shapes for ${twins.length} rules`);
  assert.equal(payloadRule('nat', 'KUBE-X', 0, '-m statistic --mode random --probability 0.1000000000 -j KUBE-SEP-A', 'IPv4', sharedMatches()).text, '-A KUBE-X -m statistic --mode random --probability 0.10000000009 -j KUBE-SEP-A');
  assert.throws(() => new GeneratedIPTables({ state: small, node: 'nope', family: 'IPv4' }), /no Node "nope"/);
});

test('IPv6: a dual-stack cluster traces the same through both paths (cluster IP, NodePort, affinity, no endpoints)', () => {
  const state = stateOf(
    docs(
      node('node-1', ['192.168.0.2', 'fd00::2']),
      '{"apiVersion":"kubeproxy.config.k8s.io/v1alpha1","kind":"KubeProxyConfiguration","mode":"iptables","clusterCIDR":"10.244.0.0/16,fd00:244::/56"}',
      service('default', 'web', { type: 'NodePort', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], clusterIP: 'fd00:96::a', clusterIPs: ['fd00:96::a', '10.96.0.10'], sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
      slice('default', 'web', [{ addresses: ['fd00:244::5'], nodeName: 'node-1', conditions: { ready: true } }, { addresses: ['fd00:244:0:1::6'], nodeName: 'node-2', conditions: { ready: true } }], [{ port: 8080, protocol: 'TCP' }], { addressType: 'IPv6' }),
      service('default', 'empty', { ipFamilies: ['IPv6'], clusterIP: 'fd00:96::b', clusterIPs: ['fd00:96::b'], selector: { app: 'none' }, ports: [{ port: 443 }] }),
    ),
  );
  const old = oldPath(state, undefined, 'node-1', 'IPv6');
  const direct = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv6' });
  const local = ['192.168.0.2', 'fd00::2'];
  const flows: Flow[] = [
    { packet: { from: 'fd00:244::9', to: 'fd00:96::a', port: 80, protocol: 'TCP' }, ctx: { source: 'pod', localIPs: local, nodeName: 'node-1' } },
    { packet: { from: 'fd00::2', to: 'fd00:96:0:0::a', port: 80, protocol: 'TCP' }, ctx: { source: 'node', localIPs: local, nodeName: 'node-1' } },
    { packet: { from: '2001:db8::1', to: 'fd00::2', port: 30080, protocol: 'TCP' }, ctx: { source: 'external', localIPs: local, nodeName: 'node-1' } },
    { packet: { from: 'fd00:244::9', to: 'fd00:96::b', port: 443, protocol: 'TCP' }, ctx: { source: 'pod', localIPs: local, nodeName: 'node-1' } },
    { packet: { from: 'fd00:244::9', to: 'fd00:96::c', port: 80, protocol: 'TCP' }, ctx: { source: 'pod', localIPs: local, nodeName: 'node-1' } },
  ];
  const verdicts: string[] = [];
  for (const f of flows) {
    const got = direct.trace(f.packet, f.ctx);
    assert.equal(JSON.stringify(got), JSON.stringify(traceCompiled(old, f.packet, f.ctx)), `${f.packet.from} -> [${f.packet.to}]:${f.packet.port}`);
    verdicts.push(got.verdict);
  }
  assert.deepEqual(verdicts, ['DNAT', 'DNAT', 'DNAT', 'REJECT', 'NONE']);
});
