/**
 * The renderer names the shape and varying word of its hot endpoint rules (IptRule.shape/word) so the
 * tracer's rule reader need not read their text. A hint is used only once the text path found exactly
 * that shape and word; a wrong or odd hint changes nothing.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { payloadRule, type PayloadRule } from '../../src/core';
import { writeEndpointChains, writeServiceToEndpointRules, type RuleSink } from '../../src/core/proxy/iptables/servicePortRules';
import { sharedMatches } from '../../src/core/rules/args';

const view = (r: PayloadRule) => ({ text: r.text, matches: r.matches, target: r.target, comment: r.comment });
/** The rule as the text alone gives it (no shapes, no hint). */
const alone = (text: string) => view(payloadRule('nat', 'KUBE-X', 0, text, 'IPv4', sharedMatches()));

test('a hint the text confirms is used for the rules after it, with the same result as reading their text', () => {
  const shapes = new Map();
  const shared = sharedMatches();
  const before = '-m tcp -p tcp -j DNAT --to-destination ';
  const shape = `HL${before.slice(0, -1)}`;
  for (const ep of ['10.1.1.1:80', '10.1.1.2:80', '[fd00::1]:80', '10.1.1.3:8080']) {
    const r = payloadRule('nat', 'KUBE-X', 0, before + ep, 'IPv4', shared, shapes, { shape, word: ep });
    assert.deepEqual(view(r), alone(before + ep));
  }
  assert.ok(shapes.get(shape), 'the hint was confirmed');
  const src = '-s ';
  const srcShape = `HS${src}\u0000 -j KUBE-MARK-MASQ`;
  for (const ip of ['10.2.0.1', '10.2.0.2']) {
    const text = `${src}${ip} -j KUBE-MARK-MASQ`;
    assert.deepEqual(view(payloadRule('nat', 'KUBE-X', 0, text, 'IPv4', shared, shapes, { shape: srcShape, word: ip })), alone(text));
  }
  assert.ok(shapes.get(srcShape));
});

test('a hint the text does not confirm is never used', () => {
  const shapes = new Map();
  const shared = sharedMatches();
  // The hint names another word than the text's last one: refused at first sight, the text decides.
  const shape = 'HL-m tcp -p tcp -j DNAT --to-destination';
  const first = '-m tcp -p tcp -j DNAT --to-destination 10.1.1.1:80';
  assert.deepEqual(view(payloadRule('nat', 'KUBE-X', 0, first, 'IPv4', shared, shapes, { shape, word: '10.9.9.9:80' })), alone(first));
  assert.equal(shapes.get(shape), null);
  const second = '-m tcp -p tcp -j DNAT --to-destination 10.1.1.2:80';
  assert.deepEqual(view(payloadRule('nat', 'KUBE-X', 0, second, 'IPv4', shared, shapes, { shape, word: '10.9.9.9:80' })), alone(second));
  // A shape key that does not describe the text.
  const other = 'HL-j';
  const third = '-m tcp -p tcp -j DNAT --to-destination 10.1.1.3:80';
  assert.deepEqual(view(payloadRule('nat', 'KUBE-X', 0, third, 'IPv4', shared, shapes, { shape: other, word: '10.1.1.3:80' })), alone(third));
  assert.equal(shapes.get(other), null);
  // A word with a blank or quote is never taken from a hint, even of a confirmed shape: the text decides.
  const good = 'HL-j';
  const fresh = new Map();
  payloadRule('nat', 'KUBE-X', 0, '-j KUBE-SEP-A', 'IPv4', shared, fresh, { shape: good, word: 'KUBE-SEP-A' });
  assert.ok(fresh.get(good));
  for (const word of ['KUBE-SEP-B -j DROP', 'KUBE-"B', '']) {
    assert.deepEqual(view(payloadRule('nat', 'KUBE-X', 0, '-j KUBE-SEP-B', 'IPv4', shared, fresh, { shape: good, word })), alone('-j KUBE-SEP-B'));
  }
});

test('the renderer names the shapes of its endpoint loops, and each names the text exactly', () => {
  const endpoints = ['10.1.0.1', '10.1.0.2', '10.1.0.3'].map((ip) => ({ ip, hostPort: `${ip}:8080` }));
  const sp = { info: { protocol: 'TCP', sessionAffinity: 'None' } };
  const ch = { sep: (ep: { ip: string }) => `KUBE-SEP-${ep.ip.replace(/\./g, '')}` };
  const ctx = (large: boolean) => ({ largeClusterMode: large, profile: { hostSuffix: false, endpointComments: false } });
  for (const large of [true, false]) {
    const sink: RuleSink = { filterRules: [], natChains: [], natRules: [] };
    const c = ctx(large) as never;
    writeEndpointChains(sink, 'ns/svc:http', sp as never, endpoints as never, ch as never, c);
    writeServiceToEndpointRules(sink.natRules, 'ns/svc:http', sp as never, 'KUBE-SVC-X', endpoints as never, ch as never, c);
    const hinted = sink.natRules.filter((r) => r.shape !== undefined);
    // SEP masquerade and DNAT rules always; the fan-out only without a per-Service comment.
    assert.equal(hinted.length, large ? 9 : 6);
    const shapes = new Map();
    const shared = sharedMatches();
    for (const r of hinted) {
      assert.ok(r.text.includes(r.word!));
      assert.deepEqual(view(payloadRule('nat', r.chain, 0, r.text, 'IPv4', shared, shapes, r)), view(payloadRule('nat', r.chain, 0, r.text, 'IPv4', sharedMatches())));
      assert.ok(shapes.get(r.shape!), `confirmed: ${r.shape}`);
    }
  }
});

test('a jump or DNAT shape read without the save words gives what the text gives, and declines what is no jump or no destination', () => {
  const shapes = new Map();
  const shared = sharedMatches();
  const jump = '-m statistic --mode random --probability 0.5000000000 -j ';
  const dnat = '-m tcp -p tcp -j DNAT --to-destination ';
  // The first rule of each shape confirms its hint; the rest take the shortcut.
  const words: [string, string[]][] = [
    [jump, ['KUBE-SEP-AAAA', 'KUBE-SEP-BBBB', 'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'MASQUERADE', 'KUBE-SEP-B@D', 'KUBE-SEP-CCCC']],
    [dnat, ['10.1.1.1:80', '10.1.1.2:8080', '[fd00::1]:80', 'fd00::2', '10.1.1.3', '10.1.1.4-10.1.1.9:80', 'not-an-address', '10.1.1.5:80']],
  ];
  for (const [before, list] of words) {
    const shape = `HL${before.slice(0, -1)}`;
    for (const w of list) {
      const text = before + w;
      // What reading gives: the rule, or the parser's complaint (a destination that is none).
      const got = (f: () => unknown) => {
        try {
          return f();
        } catch (e) {
          return String(e);
        }
      };
      const want = got(() => alone(text));
      assert.deepEqual(got(() => view(payloadRule('nat', 'KUBE-X', 0, text, 'IPv4', shared, shapes, { shape, word: w }))), want, text);
      // Without a hint, the shape found in the text takes the same shortcut.
      assert.deepEqual(got(() => view(payloadRule('nat', 'KUBE-X', 0, text, 'IPv4', shared, shapes))), want, `${text} (no hint)`);
    }
    assert.ok(shapes.get(shape), `${before}: the shape was confirmed and used`);
  }
  // A built-in target after a jump shape is not a chain: the rule is read the long way, with its own target.
  const accept = payloadRule('nat', 'KUBE-X', 0, `${jump}ACCEPT`, 'IPv4', shared, shapes, { shape: `HL${jump.slice(0, -1)}`, word: 'ACCEPT' });
  assert.deepEqual(accept.target, { kind: 'ACCEPT' });
  assert.equal(payloadRule('nat', 'KUBE-X', 0, `${jump}KUBE-SEP-DDDD`, 'IPv4', shared, shapes).target?.kind, 'chain');
});
