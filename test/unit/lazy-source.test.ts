/**
 * Lazy sources (a node tree built on first use) all share one hidden class: with a getter closure per
 * source, V8 gave each its own, and every read of a source's fields (file, index, span) went megamorphic
 * on large files. Checked in a child process with V8's natives syntax (%HaveSameMap).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { lazySource, LineIndex } from '../../src/core';

test('lazy sources share one hidden class, and each builds its own tree once', () => {
  const source = path.join(__dirname, '../../src/core/manifest/source.js');
  const lineIndex = path.join(__dirname, '../../src/core/yaml/lineIndex.js');
  const script = `
    const { lazySource } = require(${JSON.stringify(source)});
    const { LineIndex } = require(${JSON.stringify(lineIndex)});
    const index = new LineIndex('a: 1\\n');
    const tree = (n) => () => ({ kind: 'scalar', start: n, end: n, value: null, quoted: false });
    const a = lazySource('a.yaml', index, tree(1), { start: 0, end: 4 });
    const b = lazySource('b.yaml', index, tree(2), undefined);
    process.stdout.write(JSON.stringify([%HaveSameMap(a, b), %HasFastProperties(a)]));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [true, true]);
});

test('a lazy source builds its tree on first read only, keeps a tree set on it, and spreads with its tree', () => {
  let built = 0;
  const src = lazySource('a.yaml', new LineIndex('a: 1\n'), () => {
    built++;
    return { kind: 'scalar', start: 0, end: 1, value: 'a', quoted: false };
  });
  assert.equal(built, 0);
  assert.equal(src.node.start, 0);
  assert.equal(src.node, src.node);
  assert.equal(built, 1);
  const copy = { ...src };
  assert.equal(copy.node, src.node);
  src.node = { kind: 'scalar', start: 3, end: 4, value: 1, quoted: false };
  assert.equal(src.node.start, 3);
  assert.equal(built, 1);
  assert.equal(src.span, undefined);
  assert.deepEqual(lazySource('b.yaml', new LineIndex(''), () => src.node, { start: 2, end: 5 }).span, { start: 2, end: 5 });
});
