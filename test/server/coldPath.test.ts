/**
 * The first analysis of a large opened file (the cold path: didOpen -> first publishDiagnostics) does only
 * what that publish needs: node trees are rebuilt for the documents a diagnostic points into, not for every
 * object (filing findings under their objects reads each object's extent, known from loading).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import * as fastScan from '../../src/core/yaml/fastScan';
import { normalizeSettings } from '../../src/protocol/settings';
import { Analysis } from '../../src/server/analysis';
import { WorkspaceIndex } from '../../src/server/workspace/workspaceIndex';

const SETTINGS = normalizeSettings(undefined);

/** n Deployment + Service pairs; Services with i % 4 === 0 select nothing (one finding each). */
function pairs(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: a${i}\n  template:\n    metadata:\n      labels:\n        app: a${i}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        ports:\n        - containerPort: 80\n`);
    docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\nspec:\n  selector:\n    app: ${i % 4 === 0 ? 'nothing' : 'a'}${i}\n  ports:\n  - port: 80\n`);
  }
  return docs.join('---\n');
}

/** Counts the node trees the fast scanner builds while `f` runs. */
function treesBuilt(f: () => void): number {
  const mod = fastScan as { fastParseDocument: typeof fastScan.fastParseDocument };
  const original = mod.fastParseDocument;
  let n = 0;
  mod.fastParseDocument = (...args) => {
    n++;
    return original(...args);
  };
  try {
    f();
  } finally {
    mod.fastParseDocument = original;
  }
  return n;
}

test('first diagnostics of an opened file build trees only for the documents they point into', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const published: { uri: string; count: number }[] = [];
  const analysis = new Analysis(index, SETTINGS, (uri, diags) => published.push({ uri, count: diags.length }));
  analysis.update('all');
  const uri = 'file:///big.yaml';
  const built = treesBuilt(() => analysis.update([index.setText(uri, pairs(200))], uri));
  const diags = analysis.diagnosticsFor(uri);
  const flagged = new Set(diags.map((d) => d.range.start.line));
  // 50 Services select nothing: their findings (and only theirs) need positions.
  assert.equal(diags.filter((d) => d.code === 'KSD101').length, 50);
  // Their ranges are the selector keys, found from the documents' lines (yaml/blockKeys.ts): no tree at all.
  assert.equal(built, 0, 'key positions come from lines, not rebuilt trees');
  assert.ok(built <= flagged.size, `${built} trees built for ${flagged.size} flagged lines (400 objects)`);
  assert.deepEqual(published.map((p) => p.uri), [uri]);
  // The same findings as a fresh analysis that reads every tree.
  const again = new Analysis(index, SETTINGS, () => undefined);
  again.update('all');
  assert.deepEqual(again.diagnosticsFor(uri), diags);
});

test('after edits, key ranges found from lines equal those of built trees (shifted, re-parsed and kept documents)', () => {
  const uri = 'file:///big.yaml';
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  analysis.update('all');
  let text = pairs(40);
  analysis.update([index.setText(uri, text)], uri);
  // Lines added above everything (every document shifts), one Service's selector broken, another fixed.
  text = `# a comment\n# another\n${text}`.replace('app: a5\n  ports', 'app: gone5\n  ports').replace('app: nothing8\n', 'app: a8\n');
  analysis.update([index.setText(uri, text)], uri);
  const edited = analysis.diagnosticsFor(uri);
  assert.ok(edited.some((d) => d.code === 'KSD101' && d.message.includes('app=gone5')));
  assert.ok(!edited.some((d) => d.code === 'KSD101' && d.message.includes('app=nothing8')));
  // A fresh analysis of the same text whose trees are all built first: the ranges come from the trees.
  const fresh = new WorkspaceIndex(SETTINGS);
  fresh.setText(uri, text);
  for (const o of fresh.objects()) assert.ok(o.source?.node);
  const built = new Analysis(fresh, SETTINGS, () => undefined);
  built.update('all');
  assert.deepEqual(edited, built.diagnosticsFor(uri));
});
