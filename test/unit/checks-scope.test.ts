import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { podsFor } from '../../src/core/checks/scope';
import { pod, service, stateOf } from './helpers';

test('podsFor: one answer per state, Service and options object; other options or states are asked anew', () => {
  const yaml = service({ name: 'web', selector: { app: 'web', track: 'stable' } }) + pod({ name: 'a', labels: { app: 'web', track: 'stable' }, ip: '10.244.0.2' }) + pod({ name: 'b', labels: { app: 'web', track: 'canary' }, ip: '10.244.0.3' });
  const state = stateOf(yaml);
  const svc = state.services[0]!;
  const options = {};
  const first = podsFor(state, svc, options);
  assert.deepEqual(first.map((p) => p.name), ['a']);
  // Asked again by another check of the same run: the same list, not a second filtering.
  assert.equal(podsFor(state, svc, options), first);
  // Other options (an ignored label) are not answered from it.
  const ignoring = { ignoredLabels: ['track'] };
  assert.deepEqual(podsFor(state, svc, ignoring).map((p) => p.name), ['a', 'b']);
  assert.deepEqual(podsFor(state, svc, options).map((p) => p.name), ['a']);
  // Another state of the same manifests has its own pods.
  const other = stateOf(yaml);
  const again = podsFor(other, other.services[0]!, options);
  assert.notEqual(again, first);
  assert.deepEqual(again.map((p) => p.name), ['a']);
});
