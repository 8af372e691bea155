/**
 * The DNAT destinations of the endpoint loops are read by char codes (natDestination); anything that is not a
 * plain `a.b.c.d:port` goes to parseNatDestination, and both agree on every input.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { natDestination } from '../../src/core/trace/payloadRules';
import { parseNatDestination } from '../../src/core/rules/args';

const INPUTS = [
  '10.1.2.3:8080',
  '10.1.2.3:0080',
  '1.2.3.4:65535',
  '999.1.1.1:80',
  '10.1.2.3',
  '10.1.2.3:',
  ':80',
  '10.1.2:80',
  '10.1.2.3.4:80',
  '10..2.3:80',
  '.1.2.3:80',
  '10.1.2.3:80:90',
  '10.1.2.3:80-90',
  '10.1.2.3-10.1.2.9:80',
  '10.1.2.3:8a',
  '[fd00::1]:80',
  'fd00::1',
  'fd00::1:80',
  '1.2.3.4:99999999999999999999',
  ' 1.2.3.4:80',
  '1.2.3.4:80 ',
  '',
  'x',
];

test('natDestination reads exactly what parseNatDestination reads', () => {
  for (const input of INPUTS) assert.deepEqual(natDestination(input), parseNatDestination(input), JSON.stringify(input));
});

test('natDestination takes the char-code path only for a.b.c.d:port', () => {
  // The fast path keeps the address text as written and the port as a number.
  assert.deepEqual(natDestination('10.1.2.3:0080'), { ip: '10.1.2.3', port: 80 });
  // A range or a missing port is parseNatDestination's answer, not a truncated one.
  assert.deepEqual(natDestination('10.1.2.3:80-90'), { ip: '10.1.2.3', port: 80 });
  assert.deepEqual(natDestination('10.1.2.3'), { ip: '10.1.2.3', port: undefined });
  assert.equal(natDestination('10.1.2.3:80:90'), undefined);
});
