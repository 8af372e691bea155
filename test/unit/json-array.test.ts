import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { JsonArrayText } from '../../src/cli/format/jsonArray';

test('JsonArrayText prints exactly JSON.stringify(items, null, 2) plus a newline, in pieces', () => {
  const item = (i: number) => ({ verdict: i % 2 ? 'DNAT' : 'NONE', endpoints: i % 3 ? [] : [{ ip: `10.0.0.${i & 255}`, port: 80, probability: 1 / 3 }], steps: [{ rule: `-A X -m comment --comment "a\\nb \\"${i}\\""`, effect: 'line\nbreak' }], empty: {}, list: [[], [1, [2]]] });
  for (const n of [0, 1, 3, 500, 501, 1201]) {
    const items = Array.from({ length: n }, (_, i) => item(i));
    const text = new JsonArrayText();
    for (const x of items) text.add(x);
    const pieces = text.pieces(500);
    assert.equal(pieces.join(''), JSON.stringify(items, null, 2) + '\n', `${n} items`);
    assert.equal(pieces.length, Math.max(1, Math.ceil(n / 500)));
  }
});
