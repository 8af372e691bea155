/**
 * LoadOptions.sourceIndex: objects' sources name the index the caller passes (the language server's
 * per-document index, whose positions are the file's), so nothing re-homes them after loading; load
 * diagnostics keep positions relative to the loaded text.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { LineIndex, loadManifest, rangeOf, type Position } from '../../src/core';

/** An index of the same text whose positions sit `lines` lines further down (as in a larger file). */
class Moved extends LineIndex {
  constructor(
    text: string,
    private readonly lines: number,
  ) {
    super(text);
  }
  override position(offset: number): Position {
    const p = super.position(offset);
    return { line: p.line + this.lines, character: p.character };
  }
}

const FAST = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  name: web\nspec:\n  ports:\n  - port: 80\n';
const LIST = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\n  spec:\n    ports:\n    - port: 80\n';
const ANCHORED = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: &n web\n  labels:\n    app: *n\nspec:\n  ports:\n  - port: 80\n';

test('sourceIndex: sources of every kind of document name the given index and give its positions', () => {
  for (const text of [FAST, LIST, ANCHORED]) {
    const index = new Moved(text, 40);
    const m = loadManifest('f.yaml', text, { oneDocument: true, sourceIndex: index });
    assert.equal(m.objects.length, 1, text);
    const src = m.objects[0]!.source!;
    assert.equal(src.index, index, text);
    const plain = loadManifest('f.yaml', text, { oneDocument: true }).objects[0]!.source!;
    assert.notEqual(plain.index, index);
    const moved = rangeOf(src, ['spec', 'ports', 0, 'port']);
    const here = rangeOf(plain, ['spec', 'ports', 0, 'port']);
    assert.deepEqual(moved, { start: { line: here.start.line + 40, character: here.start.character }, end: { line: here.end.line + 40, character: here.end.character } }, text);
  }
});

test('sourceIndex: load diagnostics stay relative to the loaded text', () => {
  const m = loadManifest('f.yaml', FAST, { oneDocument: true, sourceIndex: new Moved(FAST, 40) });
  const plain = loadManifest('f.yaml', FAST, { oneDocument: true });
  assert.equal(m.diagnostics.length, 1, 'the duplicate key');
  assert.deepEqual(m.diagnostics, plain.diagnostics);
  assert.equal(m.diagnostics[0]!.range.start.line, 4);
});
