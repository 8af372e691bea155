/**
 * IncrementalManifest finds the unchanged documents of the previous version by place (before an edit: the
 * same offset; after it: shifted by the change in length) and, failing that, among those of the same
 * length: random edits must give what a full load gives, re-parsing only documents whose text is new.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_LOAD_OPTIONS, loadManifest, rangeOf } from '../../src/core';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { IncrementalManifest, ownCopy } from '../../src/server/workspace/incrementalManifest';
import { rng } from '../../bench/fuzz-mutators';

const svc = (name: string, app: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    app: ${app}\n  ports:\n  - port: 80\n`;

function same(inc: ReturnType<IncrementalManifest['update']>, text: string, what: string): void {
  const full = loadManifest('f.yaml', text);
  assert.equal(inc.manifest.objects.length, full.objects.length, what);
  inc.manifest.objects.forEach((o, i) => {
    const f = full.objects[i]!;
    assert.deepEqual(o.object, f.object, what);
    for (const p of [['metadata', 'name'], ['spec', 'selector', 'app']]) assert.deepEqual(rangeOf(o.source!, p), rangeOf(f.source!, p), `${what}: ${o.name} ${p.join('.')}`);
  });
  assert.deepEqual(inc.manifest.diagnostics, full.diagnostics, what);
}

test('documents swapped, duplicated, moved or edited are found again by text; only new text is parsed', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const r = rng(seed);
    const names = ['a', 'b', 'c', 'd', 'e'];
    let docs = Array.from({ length: 4 + Math.floor(r() * 5) }, () => svc(names[Math.floor(r() * 5)]!, names[Math.floor(r() * 5)]!));
    const inc = new IncrementalManifest('f.yaml');
    // Every document opens with its marker, so a document's text is the same wherever it moves.
    const join = (list: string[]) => list.map((d) => `---\n${d}`).join('');
    inc.update(join(docs), DEFAULT_LOAD_OPTIONS);
    for (let step = 0; step < 15; step++) {
      const before = new Map<string, number>();
      for (const d of docs) before.set(d, (before.get(d) ?? 0) + 1);
      const i = Math.floor(r() * docs.length);
      const j = Math.floor(r() * docs.length);
      const op = r();
      docs = docs.slice();
      if (op < 0.2) [docs[i], docs[j]] = [docs[j]!, docs[i]!];
      else if (op < 0.35) docs.splice(j, 0, docs[i]!);
      else if (op < 0.5 && docs.length > 2) docs.splice(i, 1);
      else if (op < 0.65) docs.splice(j, 0, docs.splice(i, 1)[0]!);
      else if (op < 0.8) docs[i] = docs[i]!.replace(/app: (\w+)/, (_, a: string) => `app: ${a}x`);
      else docs[i] = `# note ${step}\n${docs[i]!}`;
      const text = join(docs);
      const res = inc.update(text, DEFAULT_LOAD_OPTIONS);
      same(res, text, `seed ${seed} step ${step}`);
      // Documents whose exact text was there before (as many times as before) are reused.
      let fresh = 0;
      const left = new Map(before);
      for (const d of docs) {
        const n = left.get(d) ?? 0;
        if (n > 0) left.set(d, n - 1);
        else fresh++;
      }
      assert.equal(res.stats.reparsed, fresh, `seed ${seed} step ${step}: re-parsed only the new documents`);
    }
  }
});

test('an edit in one document keeps the objects of every other document, before and after it', () => {
  const docs = ['a', 'b', 'c', 'd'].map((n) => svc(n, n));
  const inc = new IncrementalManifest('f.yaml');
  const first = inc.update(docs.join('---\n'), DEFAULT_LOAD_OPTIONS).manifest.objects;
  // Longer and shorter edits: the documents after it are found `delta` characters further on or back.
  for (const app of ['bbbbbbbb', 'x', 'b']) {
    const text = docs.map((d, i) => (i === 1 ? svc('b', app) : d)).join('---\n');
    const res = inc.update(text, DEFAULT_LOAD_OPTIONS);
    assert.equal(res.stats.reparsed, 1);
    assert.equal(res.manifest.objects[0], first[0]);
    assert.equal(res.manifest.objects[2], first[2]);
    assert.equal(res.manifest.objects[3], first[3]);
    same(res, text, app);
  }
});

test('a cached document does not keep the whole text of the file version it was parsed from alive', () => {
  // Every edit re-parses one document of a 2 MB file: 40 edits must not hold 40 copies of the file.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const filler = `# ${'x'.repeat(2000)}\n`.repeat(1000);
  const docs = Array.from({ length: 40 }, (_, i) => svc(`s${i}`, 'web'));
  const inc = new IncrementalManifest('f.yaml');
  inc.update(filler + docs.map((d) => `---\n${d}`).join(''), DEFAULT_LOAD_OPTIONS);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < docs.length; i++) {
    docs[i] = svc(`s${i}`, `web${i}`);
    // A fresh string per version, as an editor's document gives.
    inc.update((filler + docs.map((d) => `---\n${d}`).join('')).split('').join(''), DEFAULT_LOAD_OPTIONS);
  }
  gc();
  const grown = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  assert.ok(grown < 20, `heap grew by ${grown.toFixed(1)} MB over 40 edits of a 2 MB file`);
  assert.equal(ownCopy('a\ud800b'), 'a\ud800b', 'an exact copy, lone surrogates included');
});
