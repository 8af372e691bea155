/** summarizeBranches: steps listed once each, hook by hook, in the order first met; shared prefixes skipped. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { summarizeBranches, type StepNode } from '../../src/core/trace/summary';
import type { TraceBranch } from '../../src/core';

const node = (rule: string, effect: string, phase: number, prev?: StepNode, chain = 'C', table = 'nat'): StepNode => ({ step: { table, chain, rule, effect }, phase, prev });
const branch = (verdict: TraceBranch['verdict'], probability: number, dnat?: { ip: string; port: number }): TraceBranch => ({ probability, verdict, dnat, masquerade: false, comments: [] });

test('steps: each once, by phase then first appearance; equal steps of different branches merge', () => {
  const root = node('-A PREROUTING -j KUBE-SERVICES', 'jump to KUBE-SERVICES', 0);
  const svc = node('-A KUBE-SERVICES -d 10.0.0.1/32 -j KUBE-SVC-X', 'jump to KUBE-SVC-X', 0, root);
  const a = node('-A KUBE-SVC-X -j KUBE-SEP-A', 'jump to KUBE-SEP-A', 0, svc);
  const b = node('-A KUBE-SVC-X -j KUBE-SEP-B', 'jump to KUBE-SEP-B', 0, svc);
  // Both branches then pass the same filter rule (separate nodes with equal content) and postrouting.
  const fa = node('-A FORWARD -j ACCEPT', 'ACCEPT', 1, a, 'FORWARD', 'filter');
  const fb = node('-A FORWARD -j ACCEPT', 'ACCEPT', 1, b, 'FORWARD', 'filter');
  const pa = node('-A POSTROUTING -j MASQUERADE', 'MASQUERADE', 3, fa, 'POSTROUTING');
  const pb = node('-A POSTROUTING -j MASQUERADE', 'MASQUERADE', 3, fb, 'POSTROUTING');
  // The same rule text with another effect, or in another table, is a different step.
  const other = node('-A FORWARD -j ACCEPT', 'ACCEPT (rule probability 0.5)', 1, pb, 'FORWARD', 'filter');
  const otherTable = node('-A FORWARD -j ACCEPT', 'ACCEPT', 1, other, 'FORWARD', 'mangle');
  const s = summarizeBranches([branch('DNAT', 0.5, { ip: '10.1.0.1', port: 80 }), branch('DNAT', 0.5, { ip: '10.1.0.2', port: 80 })], [pa, otherTable]);
  assert.deepEqual(
    s.steps.map((x) => `${x.table} ${x.effect}`),
    ['nat jump to KUBE-SERVICES', 'nat jump to KUBE-SVC-X', 'nat jump to KUBE-SEP-A', 'nat jump to KUBE-SEP-B', 'filter ACCEPT', 'filter ACCEPT (rule probability 0.5)', 'mangle ACCEPT', 'nat MASQUERADE'],
  );
  assert.equal(s.verdict, 'DNAT');
  assert.deepEqual(s.endpoints.map((e) => [e.ip, e.probability]), [['10.1.0.1', 0.5], ['10.1.0.2', 0.5]]);
});

test('steps: phases beyond the usual range still come out in phase order', () => {
  const x = node('r1', 'e1', 40);
  const y = node('r2', 'e2', 2, x);
  const z = node('r3', 'e3', -1, y);
  const s = summarizeBranches([branch('NONE', 1)], [z]);
  assert.deepEqual(s.steps.map((t) => t.rule), ['r3', 'r2', 'r1']);
  assert.equal(s.verdict, 'NONE');
});

test('one endpoint reached by two branches sums its probability', () => {
  const s = summarizeBranches([branch('DNAT', 1 / 3, { ip: '10.1.0.1', port: 80 }), branch('DNAT', 2 / 3, { ip: '10.1.0.1', port: 80 })], [undefined, undefined]);
  assert.deepEqual(s.endpoints, [{ ip: '10.1.0.1', port: 80, probability: 1 }]);
  assert.deepEqual(s.steps, []);
});

test('steps: nodes listed by one summary are listed again by the next (the skip of met nodes is per summary)', () => {
  const root = node('-A PREROUTING -j KUBE-SERVICES', 'jump to KUBE-SERVICES', 0);
  const a = node('-A KUBE-SERVICES -j KUBE-SVC-A', 'jump to KUBE-SVC-A', 0, root);
  const b = node('-A KUBE-SERVICES -j KUBE-SVC-B', 'jump to KUBE-SVC-B', 0, root);
  // A shared walk: one node standing for a run of nodes, some of which the other path holds too.
  const shared = node('-A FORWARD -j ACCEPT', 'ACCEPT', 1, undefined, 'FORWARD', 'filter');
  const run: StepNode = { step: shared.step, phase: 1, prev: b, run: [a, shared] };
  const first = summarizeBranches([branch('NONE', 1)], [a, run]);
  const again = summarizeBranches([branch('NONE', 1)], [a, run]);
  const want = ['jump to KUBE-SERVICES', 'jump to KUBE-SVC-A', 'jump to KUBE-SVC-B', 'ACCEPT'];
  assert.deepEqual(first.steps.map((x) => x.effect), want);
  assert.deepEqual(again.steps.map((x) => x.effect), want);
  // A summary of only the second path lists its prefix even though an earlier summary met it.
  assert.deepEqual(summarizeBranches([branch('NONE', 1)], [b]).steps.map((x) => x.effect), ['jump to KUBE-SERVICES', 'jump to KUBE-SVC-B']);
});
