import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, loadManifest, parseRules, type TraceContext, type TraceDetail } from '../../src/core';
import { compareDumps, dumpScopeNote, dumpTracer, expectedDump, parseDump } from '../../src/tracing/importedRules';

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
