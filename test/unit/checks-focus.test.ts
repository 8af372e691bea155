import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { focusSelecting } from '../../src/core/checks/scope';

const yaml = [
  'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]',
  'apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  type: ExternalName\n  externalName: example.com\n  selector: {app: x}',
  'apiVersion: v1\nkind: Service\nmetadata: {name: manual}\nspec:\n  ports: [{port: 80}]',
  'apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  selector: {app: b}\n  ports: [{port: 80}]',
].join('\n---\n');

test('focusSelecting: Services with a selector, not ExternalName, in focus; worked out once per run, a fresh copy each call', () => {
  const state = buildClusterState(loadManifest('a.yaml', yaml).objects);
  const ctx = { state, files: [] };
  const first = focusSelecting(ctx);
  assert.deepEqual(first.map((s) => s.name), ['a', 'b']);
  first.pop();
  const second = focusSelecting(ctx);
  assert.deepEqual(second.map((s) => s.name), ['a', 'b'], 'a caller changing its copy changes no other');
  assert.notEqual(first, second);
  // Focused on one object: only that Service.
  const b = state.services.find((s) => s.name === 'b')!;
  assert.deepEqual(focusSelecting({ state, files: [], focus: new Set([b.loaded!]) }).map((s) => s.name), ['b']);
});
