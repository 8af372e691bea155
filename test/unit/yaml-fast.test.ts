import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { generateCorpus } from '../../bench/corpus';
import { MUTATORS, pick, rng } from '../../bench/fuzz-mutators';
import { loadManifest, parseYaml, rangeOf, splitDocuments, type YamlParseResult } from '../../src/core';
import { fastParseDocument, plainKey } from '../../src/core/yaml/fastScan';
import { DECLINED_CASES, FAST_CASES } from './yaml-fast-cases';

const root = path.resolve(__dirname, '..', '..', '..');

/** What a caller can see: documents (range, tree, value), errors and warnings. */
const visible = (r: YamlParseResult) => ({ documents: r.documents.map((d) => ({ start: d.start, end: d.end, root: d.root, value: d.value })), errors: r.errors, warnings: r.warnings });

function sameAsReference(text: string, label: string): void {
  const reference = visible(parseYaml(text, undefined, { fastPath: false }));
  assert.deepStrictEqual(visible(parseYaml(text)), reference, label);
  // Without trees (as loading parses): the same values, ranges and warnings; fast documents have no root.
  const lean = parseYaml(text, undefined, { trees: false });
  const values = (r: ReturnType<typeof visible>) => ({ ...r, documents: r.documents.map((d) => ({ ...d, root: undefined })) });
  assert.deepStrictEqual(values(visible(lean)), values(reference), `${label} (values only)`);
  for (const d of lean.documents) if (d.fast) assert.equal(d.root, undefined);
  // Their root's offsets come without the tree, equal to the tree's.
  lean.documents.forEach((d, i) => {
    const ref = reference.documents[i]?.root;
    if (d.fast) assert.deepStrictEqual(d.span, ref && { start: ref.start, end: ref.end }, `${label} (root span of document ${i})`);
  });
}

/** Which of the text's documents the fast scanner takes. */
const taken = (text: string) => splitDocuments(text).map((p) => fastParseDocument(text, p.start, p.end, 64) !== undefined);

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = path.join(dir, e);
      return statSync(p).isDirectory() ? files(p) : /\.(ya?ml|json)$/.test(e) ? [p] : [];
    });
}

test('fast path: hand-written manifest YAML is taken and equals js-yaml (tree, offsets, values, warnings)', () => {
  for (const text of FAST_CASES) {
    assert.ok(taken(text).every(Boolean), `fast path declined ${JSON.stringify(text)}`);
    sameAsReference(text, text);
  }
});

test('fast path: anchors, tags, directives, multi-line scalars, tabs, CRLF and errors are declined to js-yaml', () => {
  for (const text of DECLINED_CASES) {
    assert.ok(taken(text).includes(false), `fast path took ${JSON.stringify(text)}`);
    sameAsReference(text, text);
  }
});

test('fast path: every example manifest equals js-yaml; every YAML example is taken', () => {
  for (const f of files(path.join(root, 'examples'))) {
    const text = readFileSync(f, 'utf8');
    sameAsReference(text, f);
    if (!f.endsWith('.json')) assert.ok(taken(text).every(Boolean), `fast path declined part of ${f}`);
  }
});

test('fast path: a generated corpus sample is taken whole and equals js-yaml', () => {
  for (const [name, text] of generateCorpus({ objects: 600, files: 6, seed: 3 })) {
    assert.ok(taken(text).every(Boolean), name);
    sameAsReference(text, name);
  }
});

test('fast path: 1,500 seeded mutations of the examples equal js-yaml (or are declined)', () => {
  const seeds = files(path.join(root, 'examples')).map((f) => readFileSync(f, 'utf8'));
  const r = rng(20261121);
  const names = Object.keys(MUTATORS);
  let fastDocs = 0;
  for (let i = 0; i < 1500; i++) {
    let text = pick(r, seeds);
    for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) text = MUTATORS[pick(r, names)]!(text, r);
    fastDocs += taken(text).filter(Boolean).length;
    sameAsReference(text, `mutation ${i}`);
  }
  assert.ok(fastDocs > 1000, `only ${fastDocs} mutated documents went through the fast path`);
});

test('a stream with a declined document goes to js-yaml whole, as before (a directive before `---`)', () => {
  const text = '%YAML 1.2\n---\na: 1\n---\nb: 2\n';
  assert.deepEqual(taken(text), [false, true, true]);
  sameAsReference(text, 'directive');
  const anchored = 'a: 1\n---\nb: &x 2\nc: *x\n';
  assert.deepEqual(taken(anchored), [true, false]);
  assert.deepEqual(
    parseYaml(anchored).documents.map((d) => [d.value, d.fast === true]),
    [
      [{ a: 1 }, false],
      [{ b: 2, c: 2 }, false],
    ],
  );
});

test('empty values sit at their document start whether js-yaml reads the stream whole or by document', () => {
  const text = 'a:\n---\nb:\n';
  const whole = parseYaml(text, undefined, { fastPath: false });
  const broken = parseYaml(text + '---\nc: [\n', undefined, { fastPath: false });
  const at = (r: YamlParseResult) => r.documents.map((d) => (d.root?.kind === 'map' ? d.root.pairs[0]!.value.start : -1));
  assert.deepEqual(at(whole), [0, 3]);
  assert.deepEqual(at(broken), [0, 3]);
  assert.equal(broken.errors.length, 1);
});

test('loaded objects build their node tree on first use, equal to the tree parsing gives', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {}}\n';
  const [svc, pod] = loadManifest('f.yaml', text).objects;
  const trees = parseYaml(text).documents.map((d) => d.root!);
  const own = Object.getOwnPropertyDescriptor(svc!.source!, 'node')!;
  assert.equal(typeof own.get, 'function', 'the Service source is lazy');
  assert.deepStrictEqual(svc!.source!.node, trees[0]);
  assert.equal(svc!.source!.node, svc!.source!.node, 'built once, then kept');
  assert.deepStrictEqual({ ...svc!.source! }.node, trees[0], 'spreading a source copies its tree');
  // A List keeps its tree: items are found by walking it.
  const items = trees[1]!.kind === 'map' ? trees[1]!.pairs[2]!.value : undefined;
  assert.equal(Object.getOwnPropertyDescriptor(pod!.source!, 'node')!.get, undefined);
  assert.deepStrictEqual(pod!.source!.node, items?.kind === 'seq' ? items.items[0] : undefined);
});

test('documents js-yaml parses (JSON, flow style) keep no tree after loading; the rebuilt tree equals the eager one', () => {
  const docs: string[] = [];
  for (let s = 0; s < 5; s++) docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: `svc${s}` }, spec: { clusterIP: `10.96.0.${s + 10}`, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }));
  docs.push('apiVersion: v1\nkind: Service\nmetadata: {name: anchored, labels: &l {a: b}}\nspec:\n  selector: *l\n  ports: [{port: 80,\n    targetPort: 8080}]\n');
  const text = docs.join('\n---\n');
  const loaded = loadManifest('x.yaml', text);
  const eager = parseYaml(text, undefined, { fastPath: false });
  assert.equal(loaded.objects.length, 6);
  loaded.objects.forEach((o, i) => {
    const lazy = typeof Object.getOwnPropertyDescriptor(o.source!, 'node')!.get === 'function';
    // A document with an anchor keeps its tree (aliases share nodes); the rest build theirs on demand.
    assert.equal(lazy, i < 5, `object ${i}`);
    assert.deepEqual(o.source!.node, eager.documents[i]!.root);
    assert.deepEqual(rangeOf(o.source!, ['spec', 'ports', 0, 'targetPort']), rangeOf({ ...o.source!, node: eager.documents[i]!.root! }, ['spec', 'ports', 0, 'targetPort']));
  });
});

test('fast path: plain keys kept between documents read as before (collisions, numbers, bools, null)', () => {
  // Keys of one length sharing first, middle and last characters share a slot: each must still read as itself.
  const keys = ['name', 'nime', 'nbme', 'true', 'True', 'null', '~', '80', '0x1F', '1.5', 'name', 'app', 'abp', 'a.p'];
  for (let round = 0; round < 3; round++) {
    for (const k of keys) {
      const text = `${k}: 1\nother: 2\n`;
      assert.deepStrictEqual(plainKey(text, 0, k.length), keyOf(k), k);
      sameAsReference(text, k);
    }
  }
  // A kept key is handed back only for the same characters.
  const a = 'selector: 1\n';
  const b = 'selectxr: 1\n';
  assert.equal(plainKey(a, 0, 8), 'selector');
  assert.equal(plainKey(b, 0, 8), 'selectxr');
  assert.equal(plainKey(a, 0, 8), 'selector');
});

/** The key js-yaml reads from `k: 1` (as the object's only key, with its value type). */
function keyOf(k: string): unknown {
  const doc = parseYaml(`${k}: 1\n`, undefined, { fastPath: false }).documents[0]!;
  const map = doc.root as { pairs: { key: { value: unknown } }[] };
  return map.pairs[0]!.key.value;
}
