import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { firstMismatch, formatSelector, labelSelectorValid, matchesLabelSelector, matchesServiceSelector } from '../../src/core';

const labels = { app: 'web', tier: 'front', env: 'prod' };

test('Service selectors: every key equal; empty or missing selects nothing', () => {
  assert.equal(matchesServiceSelector({ app: 'web' }, labels), true);
  assert.equal(matchesServiceSelector({ app: 'web', tier: 'back' }, labels), false);
  assert.equal(matchesServiceSelector({ missing: '' }, labels), false);
  assert.equal(matchesServiceSelector({}, labels), false);
  assert.equal(matchesServiceSelector(undefined, labels), false);
});

test('LabelSelector: nil matches nothing, empty matches everything, matchLabels must all hold', () => {
  assert.equal(matchesLabelSelector(undefined, labels), false);
  assert.equal(matchesLabelSelector({}, labels), true);
  assert.equal(matchesLabelSelector({ matchLabels: {} }, {}), true);
  assert.equal(matchesLabelSelector({ matchLabels: { app: 'web', env: 'prod' } }, labels), true);
  assert.equal(matchesLabelSelector({ matchLabels: { app: 'web', env: 'dev' } }, labels), false);
});

test('matchExpressions operators: In, NotIn, Exists, DoesNotExist', () => {
  const m = (operator: string, key: string, values?: string[]) => matchesLabelSelector({ matchExpressions: [{ key, operator, values }] }, labels);
  assert.equal(m('In', 'env', ['prod', 'stage']), true);
  assert.equal(m('In', 'env', ['dev']), false);
  assert.equal(m('In', 'absent', ['x']), false);
  assert.equal(m('NotIn', 'env', ['dev']), true);
  assert.equal(m('NotIn', 'env', ['prod']), false);
  // NotIn matches a label that is not there at all.
  assert.equal(m('NotIn', 'absent', ['x']), true);
  assert.equal(m('Exists', 'tier'), true);
  assert.equal(m('Exists', 'absent'), false);
  assert.equal(m('DoesNotExist', 'absent'), true);
  assert.equal(m('DoesNotExist', 'tier'), false);
  // All requirements and matchLabels are ANDed.
  assert.equal(matchesLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, labels), false);
});

test('an invalid requirement makes the whole selector match nothing, as LabelSelectorAsSelector fails', () => {
  const bad = [
    { key: 'env', operator: 'In', values: [] },
    { key: 'env', operator: 'NotIn' },
    { key: 'env', operator: 'Exists', values: ['prod'] },
    { key: 'env', operator: 'DoesNotExist', values: ['x'] },
    { key: 'env', operator: 'in', values: ['prod'] },
    { key: 'env', operator: 'Gt', values: ['1'] },
    { key: '', operator: 'Exists' },
  ];
  for (const req of bad) {
    assert.equal(labelSelectorValid({ matchExpressions: [req] }), false, JSON.stringify(req));
    assert.equal(matchesLabelSelector({ matchExpressions: [req] }, labels), false, JSON.stringify(req));
    assert.equal(matchesLabelSelector({ matchExpressions: [req] }, {}), false, JSON.stringify(req));
  }
  assert.equal(labelSelectorValid({ matchExpressions: [{ key: 'env', operator: 'In', values: ['a'] }] }), true);
});

test('firstMismatch and formatSelector explain selectors', () => {
  assert.deepEqual(firstMismatch({ app: 'web', tier: 'back' }, labels), { key: 'tier', want: 'back', have: 'front' });
  assert.equal(firstMismatch({ app: 'web' }, labels), undefined);
  assert.equal(formatSelector({ app: 'web', tier: 'front' }), 'app=web,tier=front');
  assert.equal(formatSelector({}), '<none>');
  assert.equal(formatSelector(undefined), '<none>');
});
