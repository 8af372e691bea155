/**
 * IncrementalManifest told where an edit fell (TextChange: the unchanged head and tail of the text) splits
 * only the documents around it and moves the others: random edits (markers typed or cut, breaks of every
 * kind, broken YAML, edits across documents, several edits before one load) must give what a full load
 * gives, the same retained last good objects as a loader that compares every document, and line moves that
 * map every kept object to its new line.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_LOAD_OPTIONS, loadManifest, rangeOf, type LoadedObject } from '../../src/core';
import { IncrementalManifest, type LineMove, type UpdateResult } from '../../src/server/workspace/incrementalManifest';
import { combined, fits, replaced, TextChanges } from '../../src/server/workspace/textChange';
import { rng } from '../../bench/fuzz-mutators';

const svc = (name: string, app: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    app: ${app}\n  ports:\n  - port: 80\n`;
const INSERTS = ['', 'a', 'x', '\n', '\r\n', '\r', '---\n', '---', '\n---\n', '...\n', '\n...', '-', ' ', '#', 'ports: [', '{{ .Values.x }}', '\n  - port: 81\n', '---\nkind: Service\n', '\u2028', '\u2028---\n'];

function sameAsFull(res: UpdateResult, text: string, what: string, diagnostics = true): void {
  const full = loadManifest('f.yaml', text);
  assert.equal(res.manifest.objects.length, full.objects.length, what);
  res.manifest.objects.forEach((o, i) => {
    const f = full.objects[i]!;
    assert.deepEqual(o.object, f.object, what);
    for (const p of [['metadata', 'name'], ['spec', 'selector', 'app'], ['spec', 'ports']]) assert.deepEqual(rangeOf(o.source!, p), rangeOf(f.source!, p), `${what}: ${o.name} ${p.join('.')}`);
  });
  if (diagnostics) assert.deepEqual(res.manifest.diagnostics, full.diagnostics, what);
}

function nameLine(o: LoadedObject): number | undefined {
  return o.source ? rangeOf(o.source, ['metadata', 'name'])?.start.line : undefined;
}

function findMove(moves: readonly LineMove[], line: number): LineMove | undefined {
  return moves.find((m) => m.start <= line && line <= m.end);
}

test('edits placed by TextChange give a full load, the retained objects of a comparing loader, and exact moves', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const n = 3 + Math.floor(r() * 8);
    let text = Array.from({ length: n }, (_, i) => (r() < 0.15 ? `# c${i}\n` : '') + svc(`s${i}`, pick(['a', 'b']))).join(r() < 0.5 ? '---\n' : '...\n---\n');
    if (r() < 0.3) text = `---\n${text}`;
    if (r() < 0.2) text = text.replace(/\n/g, '\r\n');
    const placed = new IncrementalManifest('f.yaml');
    const comparing = new IncrementalManifest('f.yaml');
    const edits = new TextChanges();
    placed.update(text, DEFAULT_LOAD_OPTIONS);
    let last = comparing.update(text, DEFAULT_LOAD_OPTIONS);
    for (let step = 0; step < 25; step++) {
      const lines = new Map<LoadedObject, number | undefined>(last.manifest.objects.map((o) => [o, nameLine(o)]));
      // One to three edits, then one load (edits typed within the debounce come together).
      const count = 1 + Math.floor(r() * 3);
      for (let k = 0; k < count; k++) {
        const at = Math.floor(r() * (text.length + 1));
        const cut = r() < 0.6 ? 0 : Math.floor(r() * Math.min(40, text.length - at + 1));
        const ins = pick(INSERTS);
        edits.record('f', text.length, at, at + cut, ins.length);
        text = text.slice(0, at) + ins + text.slice(at + cut);
      }
      const what = `seed ${seed} step ${step}: ${JSON.stringify(text)}`;
      const res = placed.update(text, DEFAULT_LOAD_OPTIONS, edits.take('f'));
      const ref = comparing.update(text, DEFAULT_LOAD_OPTIONS);
      // Load problems as the comparing loader gives them (a full load can end a syntax error's range one
      // character later, in the next document, when the error is at a document's last character).
      sameAsFull(res, text, what, false);
      assert.deepEqual(res.manifest.diagnostics, ref.manifest.diagnostics, `${what}: load problems`);
      assert.deepEqual(res.retained.map((o) => o.object), ref.retained.map((o) => o.object), `${what}: retained`);
      assert.deepEqual(res.retainedSpans, ref.retainedSpans, `${what}: retained spans`);
      assert.equal(res.analyzed.length, ref.analyzed.length, `${what}: analysed`);
      for (const o of res.manifest.objects) {
        if (!lines.has(o)) continue;
        const before = lines.get(o);
        const m = before === undefined ? undefined : findMove(res.moves, before);
        if (m) assert.equal(before! + m.delta, nameLine(o), `${what}: ${o.name} moved`);
      }
      last = ref;
    }
  }
});

test('a one-line edit in a 300-document file splits the documents around it only, and keeps every other object', () => {
  const docs = Array.from({ length: 300 }, (_, i) => svc(`s${i}`, `a${i}`));
  let text = docs.join('---\n');
  const inc = new IncrementalManifest('f.yaml');
  let before = inc.update(text, DEFAULT_LOAD_OPTIONS).manifest.objects;
  const edits = new TextChanges();
  for (const [i, to] of [[150, 'b150'], [0, 'b0'], [299, 'b299'], [150, 'a150\n    tier: x']] as const) {
    const from = text.indexOf(`app: ${i === 150 && to !== 'b150' ? 'b150' : `a${i}`}\n`);
    const old = text.slice(from, text.indexOf('\n', from));
    edits.record('f', text.length, from, from + old.length, `app: ${to}`.length);
    text = text.slice(0, from) + `app: ${to}` + text.slice(from + old.length);
    const res = inc.update(text, DEFAULT_LOAD_OPTIONS, edits.take('f'));
    assert.ok(res.stats.compared <= 2, `${res.stats.compared} documents compared for an edit of document ${i}`);
    assert.equal(res.stats.reparsed, 1);
    res.manifest.objects.forEach((o, k) => {
      if (k !== i) assert.equal(o, before[k], `document ${k} kept`);
    });
    before = res.manifest.objects;
    sameAsFull(res, text, `edit of document ${i}`);
  }
  // Without a change, every document is compared.
  assert.equal(inc.update(text, DEFAULT_LOAD_OPTIONS).stats.compared, 300);
});

test('a `{{` made of a brace before or after the edit and one it typed makes the file a Helm template', () => {
  for (const [before, typed, at] of [
    ['x: {', '{ .Values.a }}', 'end'],
    ['x: { .Values.a }}', '{', 'start'],
  ] as const) {
    const lead = svc('a', 'a') + '---\n' + svc('b', 'b') + '---\nkind: ConfigMap\ndata:\n  ';
    const text = `${lead}${before}\n`;
    const inc = new IncrementalManifest('f.yaml');
    assert.equal(inc.update(text, DEFAULT_LOAD_OPTIONS).manifest.skipped, undefined);
    const where = lead.length + (at === 'end' ? before.length : 3);
    const edited = text.slice(0, where) + typed + text.slice(where);
    const res = inc.update(edited, DEFAULT_LOAD_OPTIONS, replaced(text.length, where, where, typed.length));
    assert.equal(res.manifest.skipped, 'helm-template', `${before} + ${typed}`);
    assert.deepEqual(res.manifest.diagnostics, loadManifest('f.yaml', edited).diagnostics);
  }
});

test('documents after a marker LineIndex does not see at a line start (after U+2028) are placed anew when their column changes', () => {
  const text = `${svc('a', 'a')}---\nkind: ConfigMap\nx: 1\u2028--- {apiVersion: v1, kind: Service, metadata: {name: c}}\n---\n${svc('d', 'd')}`;
  const inc = new IncrementalManifest('f.yaml');
  sameAsFull(inc.update(text, DEFAULT_LOAD_OPTIONS), text, 'before');
  const where = text.indexOf('x: 1') + 4;
  const edited = `${text.slice(0, where)}2${text.slice(where)}`;
  const res = inc.update(edited, DEFAULT_LOAD_OPTIONS, replaced(text.length, where, where, 1));
  sameAsFull(res, edited, 'after');
  assert.ok(res.manifest.objects.some((o) => o.name === 'c'));
});

test('a change that does not fit the last text is ignored: the documents are compared', () => {
  const text = [svc('a', 'a'), svc('b', 'b')].join('---\n');
  const inc = new IncrementalManifest('f.yaml');
  inc.update(text, DEFAULT_LOAD_OPTIONS);
  const edited = text.replace('app: b', 'app: c');
  // Claims the edit was at the top: a loader trusting it would keep the second document as it was.
  const res = inc.update(edited, DEFAULT_LOAD_OPTIONS, { before: text.length + 1, after: edited.length, head: 0, tail: edited.length - 5 });
  sameAsFull(res, edited, 'wrong lengths');
  assert.equal(res.stats.compared, 2);
});

test('TextChanges keeps what is unchanged through several edits, and forgets on a whole-text change', () => {
  assert.deepEqual(replaced(10, 2, 4, 5), { before: 10, after: 13, head: 2, tail: 6 });
  assert.deepEqual(combined(replaced(10, 2, 4, 5), replaced(13, 8, 8, 1)), { before: 10, after: 14, head: 2, tail: 5 });
  assert.ok(fits(replaced(10, 2, 4, 5), 10, 13));
  assert.ok(!fits(replaced(10, 2, 4, 5), 11, 13));
  assert.ok(!fits({ before: 10, after: 10, head: 6, tail: 5 }, 10, 10));
  const t = new TextChanges();
  t.record('u', 10, 2, 4, 5);
  t.record('u', 13, 8, 8, 1);
  assert.deepEqual(t.take('u'), { before: 10, after: 14, head: 2, tail: 5 });
  assert.equal(t.take('u'), undefined, 'taken once');
  t.record('u', 10, 2, 4, 5);
  t.unknown('u');
  t.record('u', 13, 1, 1, 1);
  assert.equal(t.take('u'), undefined, 'a whole-text change makes it unknown');
  t.record('u', 10, 2, 4, 5);
  t.record('u', 99, 1, 1, 1);
  assert.equal(t.take('u'), undefined, 'an edit of another length than the last left is not placed');
  t.record('u', 10, 4, 2, 0);
  assert.equal(t.take('u'), undefined, 'a reversed range is not placed');
});
