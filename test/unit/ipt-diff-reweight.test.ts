/**
 * The iptables diff when a Service's endpoint count changed: the jumps to its other endpoints carry new
 * probabilities (1/3 where the node still has 1/2), and those pairs are reported under the stale endpoints
 * that changed the count, not as rules missing plus extra. A probability that differs for no such reason
 * still is.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, diffRules, loadManifest, parseRules, renderIPTablesRules, type RulesDiff } from '../../src/core';

const root = path.resolve(__dirname, '../../..');
const CLUSTER = readFileSync(path.join(root, 'test/fixtures/trace/cluster.yaml'), 'utf8');
const WEB_C = `---
apiVersion: v1
kind: Pod
metadata: {name: web-c, namespace: shop, labels: {app: web}}
spec:
  nodeName: worker-1
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
status:
  phase: Running
  podIP: 10.244.1.11
  podIPs: [{ip: 10.244.1.11}]
  conditions: [{type: Ready, status: "True"}]
`;
const save = (yaml: string) => renderIPTablesRules({ state: buildClusterState(loadManifest('/ws/c.yaml', yaml).objects), node: 'worker-1', format: 'save', families: ['IPv4'] });
const BASE = save(CLUSTER);
const PLUS = save(`${CLUSTER.trimEnd()}\n${WEB_C}`);
const nothingElse = (d: RulesDiff) => assert.deepEqual([d.missing, d.extra, d.missingChains, d.extraChains], [[], [], [], []], JSON.stringify(d, null, 1));
const svcRules = (d: RulesDiff, service: string) => d.stale.filter((s) => s.service === service).flatMap((s) => s.rules.filter((r) => r.chain.startsWith('KUBE-SVC-') && r.rule.includes('-> 10.244.1.10:8080')));

test('an endpoint added or removed: the re-weighted jumps to the other endpoints go with the stale endpoint', () => {
  for (const [expected, actual, kind] of [[PLUS, BASE, 'expected-only'], [BASE, PLUS, 'in-rules-only']] as const) {
    const d = diffRules(parseRules(expected), parseRules(actual));
    nothingElse(d);
    assert.deepEqual(d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind}`), ['shop/lb:http', 'shop/sticky:http', 'shop/web:http'].map((s) => `${s} 10.244.1.11:8080 ${kind}`));
    // 10.244.1.10's jump: 1/3 with three endpoints, 1/2 with two; both forms are under the stale endpoint.
    const web = svcRules(d, 'shop/web:http').map((r) => /--probability (\S+)/.exec(r.rule)?.[1]).sort();
    assert.deepEqual(web.map((p) => Number(p).toFixed(4)), ['0.3333', '0.5000']);
  }
});

test('a probability that differs with no endpoint change, or a jump that differs in more, stays missing plus extra', () => {
  const rule = /^(-A KUBE-SVC-\S+ -m comment --comment "shop\/web:http -> 10\.244\.1\.10:8080" -m statistic --mode random --probability )0\.50000000000( -j KUBE-SEP-\S+)$/m;
  assert.match(BASE, rule);
  const skewed = diffRules(parseRules(BASE), parseRules(BASE.replace(rule, '$10.25000000000$2')));
  assert.deepEqual([skewed.missing.length, skewed.extra.length, skewed.stale.length], [1, 1, 0]);
  // The count changed too, but the node's jump also matches a source address: not a re-weighting.
  const other = diffRules(parseRules(PLUS), parseRules(BASE.replace(rule, (l) => l.replace(' -m statistic', ' -s 10.0.0.0/8 -m statistic'))));
  assert.ok(other.missing.some((r) => r.rule.includes('shop/web:http -> 10.244.1.10:8080')));
  assert.ok(other.extra.some((r) => r.rule.includes('-s 10.0.0.0/8')));
  assert.ok(other.stale.some((s) => s.service === 'shop/web:http' && s.endpoint === '10.244.1.11:8080'));
});
