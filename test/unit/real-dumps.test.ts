import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, loadManifest, parseRules, type TraceContext, type TraceDetail } from '../../src/core';
import { compareDumps, dumpScopeNote, dumpTracer, expectedDump, ImportedRulesError, parseDump } from '../../src/tracing/importedRules';

// Dumps users pasted from real nodes (sources in test/fixtures/real-dumps/README.md).
const dir = path.resolve(__dirname, '../../../test/fixtures/real-dumps');
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');

function trace(text: string, src: string, dst: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP', ctx: Partial<TraceContext> = {}): TraceDetail {
  const run = dumpTracer(parseDump(text));
  return run({ from: src, to: dst, port, protocol }, { source: 'pod', localIPs: [], ...ctx });
}

const shares = (d: TraceDetail) => d.endpoints.map((e) => `${e.ip}:${e.port} ${e.probability.toFixed(6)}`).sort();

test('iptables-save | grep NAME (no *nat, no chain lines): read with tables inferred, traced to its 3 endpoints', () => {
  const text = read('hostnames-grep.save');
  const rules = parseRules(text);
  assert.deepEqual([...rules.tables.keys()], ['nat']);
  assert.equal(rules.tables.get('nat')!.chains.size, 5);
  const d = trace(text, '10.244.1.9', '10.0.1.175', 80);
  assert.equal(d.verdict, 'DNAT');
  // This kube-proxy printed 5 digits ("0.33333", which the kernel shows as 0.33332999982): the first
  // endpoint really gets 0.33333 and the other two share the rest; nothing is snapped to 1/3 here.
  assert.deepEqual(shares(d), ['10.244.1.7:9376 0.333330', '10.244.2.3:9376 0.333335', '10.244.3.6:9376 0.333335']);
  assert.ok(Math.abs(d.endpoints.reduce((n, e) => n + e.probability, 0) - 1) < 1e-12);
  assert.ok(d.warnings.some((w) => w.includes('no "*nat"/"*filter" lines')), d.warnings.join('\n'));
  assert.equal(trace(text, '10.244.1.9', '10.0.1.175', 81).verdict, 'NONE');
});

test('a grep fragment: the table of a shared chain comes from its target (KUBE-SERVICES REJECT is filter, its jumps nat)', () => {
  const text = [
    '-A KUBE-SERVICES -d 10.96.5.5/32 -p tcp -m comment --comment "shop/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    '-A KUBE-SERVICES -d 10.96.5.6/32 -p tcp -m comment --comment "shop/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
    '-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "shop/web:http -> 10.244.1.2:8080" -j KUBE-SEP-BBBBBBBBBBBBBBBB',
    '-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment "shop/web:http" -m tcp -j DNAT --to-destination 10.244.1.2:8080',
  ].join('\n');
  const rules = parseRules(text);
  assert.deepEqual(rules.tables.get('filter')!.chains.get('KUBE-SERVICES')!.rules.map((r) => r.target?.kind), ['REJECT']);
  assert.deepEqual([...rules.tables.get('nat')!.chains.keys()].sort(), ['KUBE-SEP-BBBBBBBBBBBBBBBB', 'KUBE-SERVICES', 'KUBE-SVC-AAAAAAAAAAAAAAAA']);
  assert.equal(trace(text, '10.244.1.9', '10.96.5.5', 80).verdict, 'REJECT');
  assert.deepEqual(shares(trace(text, '10.244.1.9', '10.96.5.6', 80)), ['10.244.1.2:8080 1.000000']);
});

test('a full dump still needs its *table line: a rule before it is refused with the line number', () => {
  assert.throws(() => parseRules('-A KUBE-SERVICES -j KUBE-NODEPORTS\n*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n'), /line 1: .* outside a table/);
});

test('ksd diff of a grep fragment compares only the Services it names, and says so', () => {
  const actual = parseDump(read('hostnames-grep.save'));
  const state = buildClusterState(loadManifest('/ws/hostnames.yaml', read('hostnames.yaml')).objects);
  const d = compareDumps(expectedDump(state, actual, undefined, '1.18'), actual);
  // Nothing outside default/hostnames (KUBE-POSTROUTING, KUBE-FORWARD, KUBE-NODEPORTS...) is reported missing.
  assert.deepEqual(d.missingChains, []);
  assert.ok([...d.missing, ...d.extra].every((r) => r.rule.includes('default/hostnames')));
  // What is left is the real difference with a 1.18 node: KUBE-MARK-MASQ jumps and 10-digit probabilities.
  assert.deepEqual(d.missing.map((r) => r.chain).sort(), ['KUBE-SEP-57KPRZ3JQVENLNBR', 'KUBE-SEP-WNBA2IHDGP2BOBGZ', 'KUBE-SEP-X3P2623AGDH6CDF3', 'KUBE-SERVICES', 'KUBE-SVC-NWV5X2332I4OT4T3']);
  assert.equal(d.extra.length, 4);
  assert.match(dumpScopeNote(actual) ?? '', /only the rules of the Services they name were compared: default\/hostnames/);
  assert.equal(dumpScopeNote(parseDump('*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n')), undefined);
});

test('iptables -L without -n: "anywhere" and service-name ports are read; host names and unknown port names get the -n advice', () => {
  const text = read('handbook-no-n.listing');
  const rules = parseRules(text);
  assert.ok(rules.tables.get('nat')!.chains.has('KUBE-SVC-N4RX4VPNP4ATLCGG'));
  const d = trace(text, '172.16.16.9', '192.168.3.237', 80);
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(shares(d), ['172.16.16.2:80 0.500000', '172.16.91.2:80 0.500000']);
  // dpt:http is port 80 only.
  assert.equal(trace(text, '172.16.16.9', '192.168.3.237', 443).verdict, 'NONE');
  assert.throws(() => parseRules(text.replace('192.168.3.237       ', 'apiserver.example  ')), /line 18: destination "apiserver.example" is a host name.*-L -n -v/);
  assert.throws(() => parseRules(text.replace('dpt:http', 'dpt:no-such-service')), /line 18: port "no-such-service" is a service name.*-L -n -v/);
});

test('pasted with the shell prompt and iptables-nft\'s legacy-tables warning: the prompt names the table, the warning is skipped', () => {
  const text = read('legacy-warning.listing');
  const rules = parseRules(text);
  assert.deepEqual([...rules.tables.keys()], ['nat']);
  assert.deepEqual(rules.tables.get('nat')!.chains.get('PREROUTING')!.rules.map((r) => r.target), [{ kind: 'chain', chain: 'DOCKER', goto: false }]);
  // The same dump with the prompt and warning as save-format lines around it.
  const save = '[root@minion:~]$ sudo iptables-save -t nat\n*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j DOCKER\nCOMMIT\nWarning: iptables-legacy tables present, use iptables-legacy-save to see them\n';
  assert.equal(parseRules(save).tables.get('nat')!.chains.get('PREROUTING')!.rules.length, 1);
  // Not a prompt: a rule line is still read as a rule, and other text still fails with its line.
  assert.throws(() => parseRules('Chain PREROUTING (policy ACCEPT)\ntarget prot opt source destination\nsomething else entirely\n'), /line 3/);
});

test('ipvsadm -L -n pasted with its prompt: persistent 10800 traced as affinity; masquerade said unknown once', () => {
  const text = read('opsnull.ipvsadm');
  const dump = parseDump(text);
  assert.equal(dump.kind, 'ipvs');
  const d = trace(text, '10.253.7.9', '10.254.0.1', 443);
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(shares(d), ['172.16.16.81:6443 0.500000', '172.16.16.82:6443 0.500000']);
  assert.ok(d.branches.every((b) => b.affinity?.seconds === 10800));
  assert.equal(d.explanation.split('cannot be told').length, 2, d.explanation);
  // A NodePort on either node address.
  assert.equal(trace(text, '203.0.113.5', '10.253.102.0', 32429, 'TCP', { source: 'external' }).endpoints.length, 4);
});

test('nft list ruleset of an iptables-mode node (iptables-nft): traced as is; ksd diff says to compare iptables-save instead', () => {
  const text = read('calico-iptables-nft.nft');
  const dump = parseDump(text);
  assert.equal(dump.kind, 'nftables');
  const d = trace(text, '10.42.0.9', '10.43.0.10', 53, 'UDP');
  assert.equal(d.verdict, 'NONE');
  const state = buildClusterState(loadManifest('/ws/hostnames.yaml', read('hostnames.yaml')).objects);
  assert.throws(() => expectedDump(state, dump, undefined, undefined), (e: unknown) => e instanceof ImportedRulesError && /KUBE-\* chains in table ip filter:.*iptables-save/.test(e.message));
});

test('a DNAT the host iptables-save could not decode (kubernetes#114537) is named as such, not as "no Service rule"', () => {
  const text = read('k114537-garbled-dnat.save');
  const dnat = parseRules(text).tables.get('nat')!.chains.get('KUBE-SEP-DASZGVVO7T2FMT4N')!.rules[1]!.target;
  assert.deepEqual(dnat, { kind: 'DNAT', ip: ':0', text: '--to-destination :0 --persistent --to-destination :0 --persistent --to-destination 0.0.0.0:0', garbled: true });
  // The grep left out the KUBE-SERVICES rule; with it, the trace reaches the garbled DNAT.
  const entry = '\n-A KUBE-SERVICES -d 10.233.0.5/32 -p tcp -m comment --comment "insight-system/insight-agent-prometheus-node-exporter:http-metrics cluster IP" -m tcp --dport 9100 -j KUBE-SVC-OEYFLNX2UKKSAKI7\n';
  const d = trace(text + entry, '10.6.1.1', '10.233.0.5', 9100);
  assert.equal(d.verdict, 'NONE');
  assert.match(d.explanation, /enters the rules of Service port insight-system\/insight-agent-prometheus-node-exporter:http-metrics, but none of them DNATs it/);
  assert.ok(d.warnings.some((w) => /could not decode it .*kubernetes#114537/.test(w)), d.warnings.join('\n'));
  // A readable DNAT is untouched.
  assert.deepEqual(parseRules('*nat\n:X - [0:0]\n-A X -p tcp -j DNAT --to-destination 10.1.2.3:80\nCOMMIT\n').tables.get('nat')!.chains.get('X')!.rules[0]!.target, { kind: 'DNAT', ip: '10.1.2.3', port: 80, text: '10.1.2.3:80' });
});

test('bare ipvsadm output, a port no virtual server has on a Service address: REJECT, with what it is inferred from', () => {
  const d = trace(read('opsnull.ipvsadm'), '10.253.7.9', '10.254.0.2', 53, 'UDP');
  assert.equal(d.verdict, 'REJECT');
  assert.ok(d.warnings.some((w) => /KUBE-IPVS-FILTER rule from v1\.25 on \(kubernetes#108460\).*before v1\.25 the packet reaches the node's own sockets/.test(w)), d.warnings.join('\n'));
  // An address no virtual server uses is not a Service address: no REJECT, no such note.
  const none = trace(read('opsnull.ipvsadm'), '10.253.7.9', '10.254.99.99', 53, 'UDP');
  assert.equal(none.verdict, 'NONE');
  assert.ok(!none.warnings.some((w) => /KUBE-IPVS-FILTER/.test(w)));
});

test('a listing without the nat table (iptables -L -n lists filter; here raw) says where the Service rules are', () => {
  const text = read('calico-raw.listing');
  const rules = parseRules(text);
  assert.deepEqual([...rules.tables.keys()], ['raw']);
  assert.deepEqual(rules.tables.get('raw')!.chains.get('cali-PREROUTING')!.rules.map((r) => r.counters), [{ packets: 16e6, bytes: 111e9 }, { packets: 126, bytes: 44899 }]);
  const d = trace(text, '10.1.1.1', '10.96.0.1', 443);
  assert.equal(d.verdict, 'NONE');
  assert.ok(d.warnings.some((w) => /no nat table \(raw only\).*iptables -t nat -L -n -v/.test(w)), d.warnings.join('\n'));
  // With a nat table there is no such note.
  assert.ok(!trace(read('handbook-no-n.listing'), '172.16.16.9', '192.168.3.237', 80).warnings.some((w) => /no nat table/.test(w)));
});

test('a grep fragment of a current node: its KUBE-MARK-MASQ jumps still tell when the source is masqueraded', () => {
  // `iptables-save | grep simpleservice` on a 1.28+ node, in the shape kube-proxy writes (ours, not a pasted dump).
  const text = [
    '-A KUBE-SERVICES -d 10.105.118.205/32 -p tcp -m comment --comment "default/simpleservice cluster IP" -m tcp --dport 80 -j KUBE-SVC-EXBNZ76JOZU7PBN2',
    '-A KUBE-SVC-EXBNZ76JOZU7PBN2 ! -s 10.244.0.0/16 -d 10.105.118.205/32 -p tcp -m comment --comment "default/simpleservice cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    '-A KUBE-SVC-EXBNZ76JOZU7PBN2 -m comment --comment "default/simpleservice -> 10.244.1.215:9876" -j KUBE-SEP-KAN75ZHSI7F26VCN',
    '-A KUBE-SEP-KAN75ZHSI7F26VCN -s 10.244.1.215/32 -m comment --comment default/simpleservice -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-KAN75ZHSI7F26VCN -p tcp -m comment --comment default/simpleservice -m tcp -j DNAT --to-destination 10.244.1.215:9876',
  ].join('\n');
  const outside = trace(text, '192.168.0.11', '10.105.118.205', 80, 'TCP', { source: 'external' });
  assert.deepEqual([outside.verdict, outside.masquerade], ['DNAT', true]);
  assert.ok(outside.warnings.some((w) => /KUBE-MARK-MASQ and KUBE-POSTROUTING were assumed/.test(w)), outside.warnings.join('\n'));
  assert.equal(trace(text, '10.244.2.9', '10.105.118.205', 80).masquerade, false);
  assert.equal(trace(text, '10.244.1.215', '10.105.118.205', 80).masquerade, true, 'hairpin');
  // Without the fragment's jumps (or with its own KUBE-MARK-MASQ) nothing is assumed.
  assert.ok(!trace(read('hostnames-grep.save'), '10.244.1.9', '10.0.1.175', 80).warnings.some((w) => /were assumed|was assumed/.test(w)));
  const own = `${text}\n-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000`;
  assert.ok(!trace(own, '192.168.0.11', '10.105.118.205', 80, 'TCP', { source: 'external' }).warnings.some((w) => /assumed, to tell/.test(w)));
});
