/** The odds a fan-out step quotes: the rule's own probability and the share of new connections that take it, kept per pair and the same every time. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { compileRules, parseRules, traceCompiled, type TracePacket } from '../../src/core';

/** nat PREROUTING -> KUBE-SVC-N with a kernel-rounded 1/(n-i) fan-out to n KUBE-SEP chains, each a DNAT. */
function fanOut(probabilities: string[]): string {
  const n = probabilities.length + 1;
  const lines = ['*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-SVC-N - [0:0]'];
  for (let i = 0; i < n; i++) lines.push(`:KUBE-SEP-${i} - [0:0]`);
  lines.push('-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-N');
  probabilities.forEach((p, i) => lines.push(`-A KUBE-SVC-N -m statistic --mode random --probability ${p} -j KUBE-SEP-${i}`));
  lines.push(`-A KUBE-SVC-N -j KUBE-SEP-${n - 1}`);
  for (let i = 0; i < n; i++) lines.push(`-A KUBE-SEP-${i} -p tcp -m tcp -j DNAT --to-destination 10.244.0.${i + 1}:8080`);
  return [...lines, 'COMMIT', ''].join('\n');
}

const packet: TracePacket = { from: '10.244.9.9', to: '10.96.0.10', port: 80, protocol: 'TCP' };
const effects = (text: string) =>
  traceCompiled(compileRules(parseRules(text)), packet, { source: 'pod', localIPs: [] })
    .steps.filter((s) => s.chain === 'KUBE-SVC-N')
    .map((s) => s.effect);

const three = fanOut(['0.33333333349', '0.50000000000']);
const four = fanOut(['0.25000000000', '0.33333333349', '0.50000000000']);
const THREE = [
  'jump to KUBE-SEP-0 (rule probability 0.3333333335: 33.33% of new connections take this way)',
  'jump to KUBE-SEP-1 (rule probability 0.5: 33.33% of new connections take this way)',
  'jump to KUBE-SEP-2',
];
const FOUR = [
  'jump to KUBE-SEP-0 (rule probability 0.25: 25% of new connections take this way)',
  'jump to KUBE-SEP-1 (rule probability 0.3333333335: 25% of new connections take this way)',
  'jump to KUBE-SEP-2 (rule probability 0.5: 25% of new connections take this way)',
  'jump to KUBE-SEP-3',
];

test('each fan-out step quotes its rule probability and its share, the same on every trace', () => {
  // Alternating: the 1/2 rule is met after a 2/3 branch in one and a 1/2 branch in the other.
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(effects(three), THREE, `round ${round}`);
    assert.deepEqual(effects(four), FOUR, `round ${round}`);
  }
});
