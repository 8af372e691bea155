/**
 * A change that replaces most of the workspace's objects (a large file opened into a small workspace) is
 * checked in full instead of subject by subject; small edits stay incremental. Both give what a fresh
 * analysis of the same index gives.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { normalizeSettings } from '../../src/protocol/settings';
import { Analysis } from '../../src/server/analysis';
import { WorkspaceIndex } from '../../src/server/workspace/workspaceIndex';

const SETTINGS = normalizeSettings(undefined);

function big(n: number, replicasOf: (i: number) => number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}, namespace: ns${i % 3}}\nspec:\n  replicas: ${replicasOf(i)}\n  selector: {matchLabels: {app: a${i}}}\n  template:\n    metadata: {labels: {app: a${i}}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}`);
    docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: s${i}, namespace: ns${i % 3}}\nspec: {selector: {app: a${i % 2 ? i : i + 1}}, ports: [{port: 80, targetPort: ${i % 5 ? 80 : 81}}]}`);
  }
  return docs.join('\n---\n') + '\n';
}

function fresh(index: WorkspaceIndex, uri: string): unknown {
  const a = new Analysis(index, SETTINGS, () => undefined);
  a.update('all');
  return a.diagnosticsFor(uri);
}

test('opening a file that brings most objects checks everything; an edit in it re-checks its subjects', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  index.setText('file:///small.yaml', big(1, () => 1).replace(/d0|s0|a0|a1/g, (m) => `x${m}`));
  analysis.update('all');
  const uri = 'file:///big.yaml';
  const opened = analysis.update([index.setText(uri, big(150, () => 1))], uri);
  assert.equal(opened.subjects, 'all');
  assert.ok(analysis.diagnosticsFor(uri).length > 0);
  assert.deepEqual(analysis.diagnosticsFor(uri), fresh(index, uri));
  const edited = analysis.update([index.setText(uri, big(150, (i) => (i === 7 ? 3 : 1)))], uri);
  assert.equal(typeof edited.subjects, 'number');
  assert.deepEqual(analysis.diagnosticsFor(uri), fresh(index, uri));
});
