import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_YAML_LIMITS, LineIndex } from '../../src/core';
import { LineCursor } from '../../src/server/workspace/lineCursor';
import { IncrementalManifest } from '../../src/server/workspace/incrementalManifest';
import { ShiftedLineIndex } from '../../src/server/workspace/shiftedLineIndex';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

const PIECES = ['a', 'bc', '\n', '\r\n', '\r', ' ', '---\n', 'x: 1\n'];

test('LineCursor gives the positions LineIndex gives, walking and stepping over parts', () => {
  const r = rng(7);
  for (let round = 0; round < 300; round++) {
    let text = '';
    const n = Math.floor(r() * 40);
    for (let i = 0; i < n; i++) text += PIECES[Math.floor(r() * PIECES.length)];
    const whole = new LineIndex(text);
    const cursor = new LineCursor(text);
    let at = 0;
    while (at < text.length) {
      const next = Math.min(text.length, at + 1 + Math.floor(r() * 6));
      if (r() < 0.5) {
        // Step over [at, next) with that part's own index (a '\r' cut from its '\n' included).
        assert.deepEqual(cursor.over(at, new LineIndex(text.slice(at, next))), whole.position(next), JSON.stringify({ text, at, next }));
      } else {
        assert.deepEqual(cursor.at(next), whole.position(next), JSON.stringify({ text, next }));
      }
      at = next;
    }
    // Going back starts again from the top.
    const back = Math.floor(r() * (text.length + 1));
    assert.deepEqual(cursor.at(back), whole.position(back));
  }
});

test('LineIndex is built lazily but answers as before, lineStart included', () => {
  const idx = new LineIndex('a\r\nb\rc\n');
  assert.equal(idx.lineCount, 4);
  assert.deepEqual([0, 1, 2, 3, 4].map((l) => idx.lineStart(l)), [0, 3, 5, 7, 7]);
  assert.deepEqual(idx.position(4), { line: 1, character: 1 });
  assert.equal(idx.offset({ line: 2, character: 1 }), 6);
  assert.equal(idx.lineText(1), 'b');
});

test('Incremental loading gives the whole-file positions with CRLF and lone CR line ends', () => {
  const loader = new IncrementalManifest('file:///x.yaml');
  const opts = { maxBytes: 1e7, limits: DEFAULT_YAML_LIMITS, partial: false };
  const docs = ['kind: Service\r\nmetadata:\r\n  name: a\r\n', 'kind: Pod\rmetadata:\r  name: b\r', 'kind: Node\nmetadata:\n  name: c\n'];
  const text = (d: string[]) => d.join('---\r\n');
  loader.update(text(docs), opts);
  const edited = [docs[0]!.replace('name: a', 'name: aa\r\n  labels: {x: y}'), docs[1]!, docs[2]!];
  const res = loader.update(text(edited), opts);
  const whole = new LineIndex(text(edited));
  for (const o of res.manifest.objects) {
    const src = o.source!;
    assert.deepEqual(src.index.position(src.node.start), whole.position(text(edited).indexOf(`kind: ${o.kind}`)), o.kind);
  }
  assert.equal(res.stats.reparsed, 1);
});

test('lastLine counts breaks and the last line start as the built index has them, without building it', () => {
  const r = rng(11);
  for (let round = 0; round < 300; round++) {
    let text = '';
    const n = Math.floor(r() * 30);
    for (let i = 0; i < n; i++) text += PIECES[Math.floor(r() * PIECES.length)];
    const counted = new LineIndex(text);
    const tail = counted.lastLine();
    assert.equal((counted as unknown as { lineStarts?: number[] }).lineStarts, undefined, 'not built by counting');
    const built = new LineIndex(text);
    const breaks = built.lineCount - 1;
    assert.deepEqual(tail, { breaks, start: built.lineStart(breaks) }, JSON.stringify(text));
    assert.deepEqual(built.lastLine(), tail, 'from the built index');
  }
});

test('stepping over a part leaves its line starts unbuilt', () => {
  const text = 'a: 1\nb: 2\n---\nc: 3\n';
  const part = new LineIndex(text.slice(0, 10));
  const cursor = new LineCursor(text);
  assert.deepEqual(cursor.over(0, part), { line: 2, character: 0 });
  assert.equal((part as unknown as { lineStarts?: number[] }).lineStarts, undefined);
  assert.deepEqual(cursor.at(14), new LineIndex(text).position(14));
});

test('lineOf gives the line position() gives, counted without building the line starts when it can', () => {
  const r = rng(23);
  for (let round = 0; round < 300; round++) {
    let text = '';
    const n = Math.floor(r() * 30);
    for (let i = 0; i < n; i++) text += PIECES[Math.floor(r() * PIECES.length)];
    const built = new LineIndex(text);
    for (let o = -1; o <= text.length + 1; o++) {
      const counted = new LineIndex(text);
      assert.equal(counted.lineOf(o), built.position(o).line, `${JSON.stringify(text)} at ${o}`);
      if (!text.includes('\r')) assert.equal((counted as unknown as { lineStarts?: number[] }).lineStarts, undefined, 'not built by counting');
    }
    // Shifted to a place in a file, and cut at a last line (a retained parse): the same clamp as position().
    const base = { line: Math.floor(r() * 5), character: Math.floor(r() * 4) };
    const maxLine = r() < 0.5 ? base.line + Math.floor(r() * 3) : Infinity;
    const shifted = (): ShiftedLineIndex => Object.assign(new ShiftedLineIndex(text, base), { maxLine });
    const positions = shifted();
    for (let o = 0; o <= text.length; o++) assert.equal(shifted().lineOf(o), positions.position(o).line, `${JSON.stringify(text)} at ${o}, shifted`);
  }
});
