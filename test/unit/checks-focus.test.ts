/**
 * `focus` (used by the language server to re-check only what an edit can affect): a focused run reports
 * exactly the full run's findings that are written in the focused objects, for every object of the examples.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, runChecks, type Diagnostic, type LoadedObject } from '../../src/core';
import { loadPaths } from '../../src/node/loadPaths';

const root = path.resolve(__dirname, '../../..');

function within(d: Diagnostic, o: LoadedObject): boolean {
  if (!o.source || d.file !== o.source.file) return false;
  const start = o.source.index.position(o.source.node.start).line;
  const end = o.source.index.position(o.source.node.end).line;
  return d.range.start.line >= start && d.range.start.line <= end;
}

test('a focused check run reports the full run findings written in the focused objects, and only those', async () => {
  const { files } = await loadPaths([path.join(root, 'examples')]);
  const objects = files.flatMap((f) => f.objects);
  const state = buildClusterState(objects);
  const full = runChecks({ state, files: [] });
  assert.ok(full.length >= 8, 'the examples have planted mistakes');
  let reported = 0;
  for (const o of objects) {
    const focused = runChecks({ state, files: [], focus: new Set([o]) });
    const expected = full.filter((d) => within(d, o));
    assert.deepEqual(focused, expected, `${o.kind} ${o.namespace ?? ''}/${o.name}`);
    reported += focused.length;
  }
  assert.equal(reported, full.length, 'every finding is written in some object');
  assert.deepEqual(runChecks({ state, files: [], focus: new Set() }), [], 'an empty focus reports nothing');
});
