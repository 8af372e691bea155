import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { canonicalCIDR, canonicalIP, cidrAt, cidrContains, cidrSize, formatIP, ipFamily, ipv4At, isLoopback, joinHostPort, parseCIDR, parseIP, splitHostPort } from '../../src/core';

test('IPv4 parses like ParseIPSloppy: leading zeros are decimal, out-of-range and junk are rejected', () => {
  assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIP('010.001.000.009'), '10.1.0.9');
  assert.equal(canonicalIP('0010.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIP(' 192.168.1.1 '), '192.168.1.1');
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.x', '', '1..2.3', '0x1.2.3.4', '-1.2.3.4', '1.2.3.4/32']) assert.equal(parseIP(bad), undefined, bad);
});

test('IPv6 parses every textual form and formats as RFC 5952 (Go net.IP.String)', () => {
  assert.equal(canonicalIP('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canonicalIP('::'), '::');
  assert.equal(canonicalIP('::1'), '::1');
  assert.equal(canonicalIP('fd00:0:0:1:0:0:0:1'), 'fd00:0:0:1::1');
  assert.equal(canonicalIP('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(canonicalIP('1:0:2:0:3:0:4:0'), '1:0:2:0:3:0:4:0');
  assert.equal(canonicalIP('[fd00::10]'), 'fd00::10');
  assert.equal(canonicalIP('64:ff9b::192.0.2.33'), '64:ff9b::c000:221');
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'gggg::1', '12345::1', ':::']) assert.equal(parseIP(bad), undefined, bad);
  assert.equal(ipFamily('fd00::1'), 'IPv6');
  assert.equal(ipFamily('10.0.0.1'), 'IPv4');
});

test('an IPv4-mapped IPv6 address is the IPv4 address (Go To4, utilnet.IsIPv6 false)', () => {
  assert.deepEqual(parseIP('::ffff:10.1.2.3'), { family: 'IPv4', value: 0x0a010203n });
  assert.equal(canonicalIP('::ffff:a01:203'), '10.1.2.3');
  assert.equal(canonicalCIDR('::ffff:10.0.0.0/104'), '10.0.0.0/8');
  assert.equal(parseCIDR('::ffff:10.0.0.0/8'), undefined);
});

test('CIDRs: masked to the network, containment by family, sizes and offsets', () => {
  assert.equal(canonicalCIDR('10.96.7.9/12'), '10.96.0.0/12');
  assert.equal(canonicalCIDR('fd00::1:2/64'), 'fd00::/64');
  assert.equal(canonicalCIDR('10.0.0.0/024'), '10.0.0.0/24');
  assert.equal(canonicalCIDR('0.0.0.0/0'), '0.0.0.0/0');
  for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0', '10.0.0.0/', 'x/8', '10.0.0.0/8/8']) assert.equal(parseCIDR(bad), undefined, bad);
  const c = parseCIDR('10.96.0.0/12')!;
  assert.equal(cidrContains(c, '10.111.255.255'), true);
  assert.equal(cidrContains(c, '10.112.0.0'), false);
  assert.equal(cidrContains(c, 'fd00::1'), false);
  assert.equal(cidrContains(c, 'junk'), false);
  assert.equal(cidrSize(c), 1n << 20n);
  assert.equal(cidrAt(c, 1n), '10.96.0.1');
  const v6 = parseCIDR('fd00:10:96::/112')!;
  assert.equal(cidrAt(v6, 10n), 'fd00:10:96::a');
  assert.equal(cidrContains(v6, 'fd00:10:96::ffff'), true);
  assert.equal(cidrContains(parseCIDR('::/0')!, '2001:db8::1'), true);
});

test('host:port helpers bracket IPv6 both ways and reject bad ports', () => {
  assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(joinHostPort('fd00::1', 443), '[fd00::1]:443');
  assert.deepEqual(splitHostPort('[fd00::1]:443'), { host: 'fd00::1', port: 443 });
  assert.deepEqual(splitHostPort('10.0.0.1:80'), { host: '10.0.0.1', port: 80 });
  assert.equal(splitHostPort('fd00::1:443'), undefined);
  assert.equal(splitHostPort('10.0.0.1:70000'), undefined);
  assert.equal(splitHostPort('10.0.0.1'), undefined);
});

test('loopback and formatting of the extremes', () => {
  assert.equal(isLoopback('127.8.9.1'), true);
  assert.equal(isLoopback('::1'), true);
  assert.equal(isLoopback('10.0.0.1'), false);
  assert.equal(formatIP({ family: 'IPv4', value: 0xffffffffn }), '255.255.255.255');
  assert.equal(formatIP({ family: 'IPv6', value: (1n << 128n) - 1n }), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
});

test('IPv4 edge forms: trailing dots, long parts, leading zeros; formatting round-trips', () => {
  for (const bad of ['1.2.3.4.', '.1.2.3', '000000001.1.1.1', '1.2.3.4 5', '1.2.3.+4']) assert.equal(parseIP(bad), undefined, bad);
  assert.equal(formatIP(parseIP('010.001.0.00000255')!), '10.1.0.255');
  for (const ip of ['0.0.0.0', '255.255.255.255', '10.96.0.1', '192.168.200.17']) assert.equal(formatIP(parseIP(ip)!), ip);
});

test('ipv4At (numbers) gives the address cidrAt (big integers) gives, up to the last of the network', () => {
  for (const text of ['10.244.0.0/16', '10.96.0.0/12', '192.168.1.0/24', '0.0.0.0/0', '255.255.255.254/31', '172.16.5.4/30', '128.0.0.0/1']) {
    const c = parseCIDR(text)!;
    const size = cidrSize(c);
    const offsets = [0n, 1n, 2n, 255n, 256n, 65535n, size / 2n, size - 2n, size - 1n].filter((o) => o >= 0n && o < size);
    for (const o of offsets) assert.equal(ipv4At(Number(c.base), Number(o)), cidrAt(c, o), `${text} + ${o}`);
  }
  assert.equal(ipv4At(Number(parseCIDR('0.0.0.0/0')!.base), 2 ** 32 - 1), '255.255.255.255');
});

test('ipFamily (no big integer for IPv4) names the family parseIP gives, for good and bad texts alike', () => {
  const texts = ['10.0.0.1', ' 192.168.1.1 ', '010.001.000.009', '256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4.', '', ' ', 'x', '::1', 'fd00::50', '::ffff:10.1.2.3', ' ::ffff:1.2.3.4 ', 'fd00::zz', '1.2.3.4/32', '123456789.0.0.1', '0.0.0.0'];
  for (const t of texts) assert.equal(ipFamily(t), parseIP(t)?.family, JSON.stringify(t));
  assert.equal(ipFamily('10.0.0.1'), 'IPv4');
  assert.equal(ipFamily('::ffff:10.1.2.3'), 'IPv4');
  assert.equal(ipFamily('fd00::1'), 'IPv6');
  assert.equal(ipFamily('10.0.0.256'), undefined);
});
