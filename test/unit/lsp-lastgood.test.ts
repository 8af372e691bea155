/** IncrementalManifest keeps the last good objects of a broken document when documents are added or removed. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_LOAD_OPTIONS } from '../../src/core';
import { IncrementalManifest } from '../../src/server/workspace/incrementalManifest';

const obj = (kind: string, name: string, extra = '  x: 1\n') => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${extra}`;
const BROKEN = (name: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports: [\n`;
const names = (xs: { kind: string; name: string }[]) => xs.map((o) => `${o.kind}/${o.name}`).sort();

function load(...versions: string[]) {
  const inc = new IncrementalManifest('f.yaml');
  return versions.map((v) => inc.update(v, DEFAULT_LOAD_OPTIONS)).at(-1)!;
}

test('a broken document keeps its last good objects when a document is appended in the same edit', () => {
  const r = load([obj('Service', 'a'), obj('Service', 'b')].join('---\n'), [obj('Service', 'a'), BROKEN('b'), obj('ConfigMap', 'c')].join('---\n'));
  assert.deepEqual(names(r.retained), ['Service/b']);
  assert.deepEqual(names(r.manifest.objects), ['ConfigMap/c', 'Service/a']);
  assert.equal(r.retainedSpans.length, 1);
});

test('joining two documents into one broken document keeps both last good objects', () => {
  const r = load([obj('Service', 'a'), obj('Service', 'b'), obj('Service', 'c')].join('---\n'), [obj('Service', 'a'), obj('Service', 'b') + BROKEN('b2'), obj('Service', 'c')].join('---\n'));
  assert.deepEqual(names(r.retained), ['Service/b']);
  assert.deepEqual(names(r.manifest.objects), ['Service/a', 'Service/c']);
});

test('splitting a document keeps only the last good objects the new documents do not define again', () => {
  const r = load([obj('Service', 'a'), obj('Deployment', 'd')].join('---\n'), [obj('Service', 'a'), 'apiVersion: v1\nkind: Deployment\nmetadata:\n  name: d\n', 'kind: [\n'].join('---\n'));
  assert.deepEqual(names(r.manifest.objects), ['Deployment/d', 'Service/a']);
  assert.deepEqual(names(r.retained), [], 'the Deployment parses again in the first half: no stale copy');
});

test('a new broken document retains nothing, and a fixed one drops what was retained', () => {
  const base = [obj('Service', 'a'), obj('Service', 'b')];
  assert.deepEqual(load(base.join('---\n'), [...base, BROKEN('new')].join('---\n')).retained, []);
  const fixed = load(base.join('---\n'), [obj('Service', 'a'), BROKEN('b'), obj('ConfigMap', 'c')].join('---\n'), [obj('Service', 'a'), obj('Service', 'b'), obj('ConfigMap', 'c')].join('---\n'));
  assert.deepEqual(fixed.retained, []);
  assert.deepEqual(names(fixed.manifest.objects), ['ConfigMap/c', 'Service/a', 'Service/b']);
});
