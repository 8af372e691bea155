import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Diagnostic } from '../../src/core';
import { quickFixes } from '../../src/server/features/codeActions';

const range = { start: { line: 6, character: 9 }, end: { line: 6, character: 13 } };
const ours: Diagnostic[] = [
  {
    file: 'file:///w/svc.yaml',
    range,
    severity: 'error',
    code: 'KSD101',
    message: 'selector app=webb matches no pod',
    fixes: [
      { title: 'Change the selector to app=web', isPreferred: true, edits: [{ file: 'file:///w/svc.yaml', range, newText: 'web' }] },
      { title: 'Label the template app=webb', edits: [{ file: 'file:///w/deploy.yaml', range: { start: { line: 12, character: 13 }, end: { line: 12, character: 16 } }, newText: 'webb' }] },
    ],
  },
  { file: 'file:///w/svc.yaml', range, severity: 'warning', code: 'KSD102', message: 'no fix here' },
];

test('quick fixes come from the fixes of the matching diagnostic, as workspace edits across files', () => {
  const client = { range, code: 'KSD101', message: 'selector app=webb matches no pod', severity: 1 as const };
  const actions = quickFixes(ours, [client]);
  assert.deepEqual(
    actions.map((a) => [a.title, a.kind, a.isPreferred, Object.keys(a.edit!.changes!)]),
    [
      ['Change the selector to app=web', 'quickfix', true, ['file:///w/svc.yaml']],
      ['Label the template app=webb', 'quickfix', undefined, ['file:///w/deploy.yaml']],
    ],
  );
  assert.deepEqual(actions[0]!.edit!.changes!['file:///w/svc.yaml'], [{ range, newText: 'web' }]);
  assert.deepEqual(actions[0]!.diagnostics, [client]);
});

test('no quick fix for a different range, code or message, nor when only other kinds are asked for', () => {
  assert.deepEqual(quickFixes(ours, [{ range, code: 'KSD102', message: 'no fix here' }]), []);
  assert.deepEqual(quickFixes(ours, [{ range: { ...range, end: { line: 6, character: 14 } }, code: 'KSD101', message: 'selector app=webb matches no pod' }]), []);
  assert.deepEqual(quickFixes(ours, [{ range, code: 'KSD101', message: 'selector app=webb matches no pod' }], ['refactor']), []);
  assert.equal(quickFixes(ours, [{ range, code: 'KSD101', message: 'selector app=webb matches no pod' }], ['quickfix']).length, 2);
});
