import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looksLikeIpvsadm, parseIpvsadm, RulesParseError } from '../../src/core';

const LIST = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.96.0.1:443 rr
  -> 192.168.49.2:8443            Masq    1      0          0
TCP  10.96.0.10:53 lc persistent 10800
  -> 10.244.0.2:53                Masq    1      3          1
  -> 10.244.0.3:53                Masq    0      0          7
UDP  [fd00:10:96::a]:53 rr ops
  -> [fd00:10::5]:53              Masq    1      0          0
FWM  100 wrr
`;

test('reads ipvsadm -Ln: virtual servers, schedulers, persistence, real servers', () => {
  assert.equal(looksLikeIpvsadm(LIST), true);
  const t = parseIpvsadm(LIST);
  assert.equal(t.form, 'list');
  assert.equal(t.version, '1.2.1');
  assert.equal(t.virtualServers.length, 4);
  const [a, b, c, d] = t.virtualServers;
  assert.deepEqual([a!.protocol, a!.address, a!.port, a!.scheduler, a!.persistent], ['TCP', '10.96.0.1', 443, 'rr', undefined]);
  assert.deepEqual(a!.realServers[0], { address: '192.168.49.2', port: 8443, forward: 'Masq', weight: 1, activeConn: 0, inactConn: 0, line: 5 });
  assert.deepEqual([b!.scheduler, b!.persistent, b!.realServers.map((r) => r.weight)], ['lc', 10800, [1, 0]]);
  assert.deepEqual([c!.protocol, c!.address, c!.port, c!.flags], ['UDP', 'fd00:10:96::a', 53, ['ops']]);
  assert.equal(c!.realServers[0]!.address, 'fd00:10::5');
  assert.deepEqual([d!.protocol, d!.fwmark, d!.realServers], ['FWM', 100, []]);
});

test('reads --stats and --rate forms with K/M suffixes', () => {
  const stats = parseIpvsadm(`IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.96.0.1:443                      12      340        0    2048K        0
  -> 192.168.49.2:8443                  12      340        0    2048K        0
`);
  assert.equal(stats.form, 'stats');
  assert.deepEqual(stats.virtualServers[0]!.stats, { Conns: 12, InPkts: 340, OutPkts: 0, InBytes: 2048000, OutBytes: 0 });
  assert.equal(stats.virtualServers[0]!.realServers[0]!.stats!.InBytes, 2048000);
  const rate = parseIpvsadm(`Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
  -> RemoteAddress:Port
UDP  10.96.0.10:53                        1        2        2      120      200
`);
  assert.equal(rate.form, 'rate');
  assert.equal(rate.virtualServers[0]!.stats!.CPS, 1);
});

test('clear errors with line numbers; names instead of numbers are refused', () => {
  assert.throws(() => parseIpvsadm('  -> 10.0.0.1:80 Masq 1 0 0\n'), (e: unknown) => e instanceof RulesParseError && e.line === 1 && /before any virtual server/.test(e.message));
  assert.throws(() => parseIpvsadm('Prot LocalAddress:Port Scheduler Flags\nTCP  kubernetes.default:https rr\n'), (e: unknown) => e instanceof RulesParseError && e.line === 2 && /-n/.test(e.message));
  assert.throws(() => parseIpvsadm('TCP  10.0.0.1:80 rr\n  -> 10.1.1.1:80 Masq x 0 0\n'), (e: unknown) => e instanceof RulesParseError && e.line === 2);
  assert.throws(() => parseIpvsadm('hello\n'), (e: unknown) => e instanceof RulesParseError && /not ipvsadm/.test(e.message));
  assert.equal(looksLikeIpvsadm('*nat\n:KUBE-SERVICES - [0:0]\n'), false);
});
