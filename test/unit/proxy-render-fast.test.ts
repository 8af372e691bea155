/**
 * The iptables renderer's fast paths (endpoint rules built from per-port word runs, restore text joined
 * in chunks, chain names cached across renders, endpoints deduplicated after sorting) print exactly
 * what the straightforward code printed. The digests were taken from the renderer before those changes
 * (commit a18bf79) for the generated cluster in proxy-generated-state.ts.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildProxyModel, renderIPTables, renderIPTablesRules, restoreText, ruleWords, savedProbability, type ClusterState } from '../../src/core';
import { generatedState } from './proxy-generated-state';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');
const render = (state: ClusterState, extra: { format?: string; version?: string; node?: string } = {}) => renderIPTablesRules({ state, node: 'node-1', families: ['IPv4'], ...extra });

const small = generatedState(40, 6);
const large = generatedState(120, 10);

const before: [string, () => string, number, string][] = [
  ['restore', () => render(small), 123643, '2d41cf8f32b22c8c96e616d98412b841446ce5fb9eef938f42af51202ed54861'],
  ['save', () => render(small, { format: 'save' }), 130818, '82665832eb436a428781bd058dd595b27e510702ead7d757bf0799c5a482ce1d'],
  ['restore, v1.20 layout', () => render(small, { version: '1.20' }), 115536, '562a81db9b6261e3627d1a3df33458e91d8db991601ad90a41cbb83a7cd39c5d'],
  ['restore, v1.18 layout', () => render(small, { version: '1.18' }), 115799, '7cef6deb612d23029f06e8bb64bcf8ae5896ec5b447429d267e2f988359b5d0e'],
  ['restore, large-cluster mode', () => render(large), 445746, '6cdbd87b683c210bbba7ff91993fbadf38255bffe6a37d905109c6903bb96daf'],
  ['save, large-cluster mode', () => render(large, { format: 'save' }), 468431, 'e807443b041567c96fa4260de0df33ce90476066ede571a84f76a8f16cc67c84'],
  ['restore, large-cluster mode, node-2', () => render(large, { node: 'node-2' }), 447792, '5757021e4423ab1287f513556c63641bd38959c9e91f4bb0df328f99f32f9852'],
];

for (const [name, run, length, sha] of before) {
  test(`generated cluster, ${name}: byte-identical to the renderer before the fast paths`, () => {
    const text = run();
    assert.equal(text.length, length);
    assert.equal(digest(text), sha);
    // A second render (chain names now cached) prints the same.
    assert.equal(run(), text);
  });
}

test('the generated cluster exercises what the fast paths touch', () => {
  const text = render(small);
  for (const needle of ['-m recent --name KUBE-SEP-', '--rcheck --seconds 600', 'KUBE-FW-', 'KUBE-EXT-', 'KUBE-SVL-', 'has no endpoints', '-m statistic --mode random --probability 0.2000000000', '-j DNAT --to-destination 10.244.', ' -p udp ']) {
    assert.ok(text.includes(needle), needle);
  }
  assert.ok(!render(large).includes('-m comment --comment "ns0/svc1:http" -s'), 'large-cluster mode drops the SEP comments');
});

test('restore text splits into chunks without losing or doubling a line', () => {
  const model = buildProxyModel(large, { family: 'IPv4', node: 'node-1' });
  const payload = renderIPTables(large, model);
  const text = restoreText(payload);
  const lines = text.split('\n');
  assert.equal(lines.pop(), '');
  const rules = payload.filter.rules.length + payload.nat.rules.length;
  assert.ok(rules > 2000, `enough rules for several chunks (${rules})`);
  assert.equal(lines.filter((l) => l.startsWith('-A ')).length, rules);
  assert.equal(lines.filter((l) => l.startsWith(':')).length, payload.filter.chains.length + payload.nat.chains.length);
  assert.deepEqual(lines.filter((l) => l === 'COMMIT' || l.startsWith('*')), ['*filter', 'COMMIT', '*nat', 'COMMIT']);
  assert.equal(restoreText(payload, false).startsWith('*filter\n'), true);
});

test('endpoints deduplicated after sorting keep what a map filled in slice order kept', () => {
  const state = stateOf(
    docs(
      node('n1', ['192.168.0.2']),
      service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p', port: 80 }] }),
      // 10.1.1.1: remote ready, then remote not ready (the first stays); 10.1.1.2: remote, local a, local b (the last local wins).
      slice('ns1', 'svc1', [{ addresses: ['10.1.1.2'], targetRef: { name: 'remote' } }, { addresses: ['10.1.1.1'], targetRef: { name: 'first' } }], [{ name: 'p', port: 8080 }]),
      slice('ns1', 'svc1', [{ addresses: ['10.1.1.2'], nodeName: 'n1', targetRef: { name: 'local-a' } }, { addresses: ['10.1.1.1'], conditions: { ready: false }, targetRef: { name: 'second' } }], [{ name: 'p', port: 8080 }]),
      slice('ns1', 'svc1', [{ addresses: ['10.1.1.2'], nodeName: 'n1', targetRef: { name: 'local-b' } }, { addresses: ['10.1.1.10'] }], [{ name: 'p', port: 8080 }]),
    ),
  );
  const eps = buildProxyModel(state, { family: 'IPv4' }).ports[0]!.endpoints;
  assert.deepEqual(
    eps.map((e) => [e.hostPort, e.pod ?? '', e.isLocal, e.ready]),
    [
      ['10.1.1.10:8080', '', false, true],
      ['10.1.1.1:8080', 'ns1/first', false, true],
      ['10.1.1.2:8080', 'ns1/local-b', true, true],
    ],
  );
});

test('ruleWords splits as the regular expression it replaced, on random text with quotes, escapes and blanks', () => {
  const byRegExp = (text: string) => {
    const words: string[] = [];
    const re = /"(?:[^"\\]|\\.)*"|\S+/g;
    for (let m = re.exec(text); m; m = re.exec(text)) words.push(m[0]);
    return words;
  };
  const chars = ['a', ' ', '"', '\\', '\t', '\u00a0', 'x', '\n', '-', '\r', '\u2028', '\u3000', '\ufeff', '\u200b'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let k = 0; k < 20_000; k++) {
    let text = '';
    const length = next() % 14;
    for (let i = 0; i < length; i++) text += chars[next() % chars.length];
    assert.deepEqual(ruleWords(text), byRegExp(text), JSON.stringify(text));
  }
  assert.deepEqual(ruleWords('-m comment --comment "ns/svc:http cluster IP" -j KUBE-SVC-X'), ['-m', 'comment', '--comment', '"ns/svc:http cluster IP"', '-j', 'KUBE-SVC-X']);
  assert.deepEqual(ruleWords('"open quote x'), ['"open', 'quote', 'x']);
});

test('saved probabilities: the kernel-rounded value, the same on every call', () => {
  assert.equal(savedProbability('0.1000000000'), '0.10000000009');
  assert.equal(savedProbability('0.1000000000'), '0.10000000009');
  assert.equal(savedProbability('0.5000000000'), '0.50000000000');
  assert.equal(savedProbability('0.3333333333'), '0.33333333349');
});
