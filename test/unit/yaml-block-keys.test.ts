import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { bigFile } from '../../bench/generate';
import { generateCorpus } from '../../bench/corpus';
import { MUTATORS, pick, rng } from '../../bench/fuzz-mutators';
import { LineIndex, loadManifest, rangeOf, splitDocuments, type YNode } from '../../src/core';
import { lazySource } from '../../src/core/manifest/source';
import { blockKeyRange } from '../../src/core/yaml/blockKeys';
import { fastParseDocument } from '../../src/core/yaml/fastScan';
import { walk, type PathSegment } from '../../src/core/yaml/nodes';
import { FAST_CASES } from './yaml-fast-cases';

const root = path.resolve(__dirname, '..', '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = path.join(dir, e);
      return statSync(p).isDirectory() ? files(p) : /\.ya?ml$/.test(e) ? [p] : [];
    });
}

/** Every path of mapping keys in a tree (through maps only), with the key's offsets, plus missing ones. */
function keyPaths(node: YNode, prefix: string[] = []): string[][] {
  if (node.kind !== 'map') return [];
  const out: string[][] = [];
  for (const p of node.pairs) {
    if (p.key.kind !== 'scalar') continue;
    const k = String(p.key.value);
    out.push([...prefix, k], [...prefix, `${k}x`], [...prefix, k, 'missing']);
    out.push(...keyPaths(p.value, [...prefix, k]));
  }
  return out;
}

/** Checks every key path of every document the fast scanner takes; returns how many of those there it answered. */
function agreesWithTree(text: string, label: string): { asked: number; answered: number } {
  let asked = 0;
  let answered = 0;
  for (const part of splitDocuments(text)) {
    const tree = fastParseDocument(text, part.start, part.end, 64);
    if (!tree) continue;
    for (const p of keyPaths(tree)) {
      const there = walk(tree, p).complete;
      if (there) asked++;
      const fast = blockKeyRange(text, part.start, part.end, p);
      if (!fast) continue;
      answered++;
      const r = walk(tree, p);
      assert.ok(r.complete && r.key, `${label}: ${p.join('.')} found by lines but not in the tree`);
      assert.deepStrictEqual(fast, { start: r.key.start, end: r.key.end }, `${label}: ${p.join('.')}`);
    }
  }
  return { asked, answered };
}

test('block keys: found from lines where the tree has them, at the same offsets (examples, cases, corpus, bench file)', () => {
  const texts: [string, string][] = [
    ...files(path.join(root, 'examples')).map((f) => [f, readFileSync(f, 'utf8')] as [string, string]),
    ...FAST_CASES.map((t) => [JSON.stringify(t), t] as [string, string]),
    ...generateCorpus({ objects: 300, files: 3, seed: 7 }),
    ['bench', bigFile(60, 10)],
  ];
  let asked = 0;
  let answered = 0;
  for (const [label, text] of texts) {
    const r = agreesWithTree(text, label);
    asked += r.asked;
    answered += r.answered;
  }
  // Most paths that exist are answered without the tree (missing ones never are).
  assert.ok(answered > asked / 2, `answered ${answered} of ${asked}`);
});

test('block keys: 800 seeded mutations of the examples never disagree with the tree', () => {
  const seeds = files(path.join(root, 'examples')).map((f) => readFileSync(f, 'utf8'));
  const r = rng(20261122);
  const names = Object.keys(MUTATORS);
  for (let i = 0; i < 800; i++) {
    let text = pick(r, seeds);
    for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) text = MUTATORS[pick(r, names)]!(text, r);
    agreesWithTree(text, `mutation ${i}`);
  }
});

test('block keys: answers plain block keys, declines what only the tree can say', () => {
  const at = (text: string, p: PathSegment[]) => blockKeyRange(text, 0, text.length, p);
  const svc = 'kind: Service\nspec:\n  # c\n  type: ClusterIP\n  selector :\n    app: x\n  ports:\n  - port: 80\n';
  assert.deepStrictEqual(at(svc, ['spec', 'selector']), { start: svc.indexOf('selector'), end: svc.indexOf('selector') + 8 });
  assert.deepStrictEqual(at(svc, ['spec', 'selector', 'app']), { start: svc.indexOf('app:'), end: svc.indexOf('app:') + 3 });
  assert.equal(at(svc, ['spec', 'ports', 'port']), undefined, 'a sequence on the way');
  assert.equal(at(svc, ['spec', 'selectorx']), undefined);
  assert.equal(at(svc, ['selector']), undefined, 'not at the root');
  assert.equal(at(svc, [0]), undefined);
  assert.equal(at(svc, []), undefined);
  const leading = '---\n  spec:\n    selector: {}\n';
  assert.deepStrictEqual(at(leading, ['spec', 'selector']), { start: leading.indexOf('selector'), end: leading.indexOf('selector') + 8 });
  // Declined: the tree decides.
  assert.equal(at('spec:\n  selector: 1\n  selector: 2\n', ['spec', 'selector']), undefined, 'written twice');
  assert.equal(at('spec:\n  "selector": 1\n', ['spec', 'selector']), undefined, 'a quoted key');
  assert.equal(at('spec:\n  <<: {selector: 1}\n  selector: 2\n', ['spec', 'selector']), undefined, 'a merge key');
  assert.equal(at('spec: {selector: 1}\n', ['spec', 'selector']), undefined, 'a flow value');
  assert.equal(at('spec: |\n  selector: 1\n', ['spec', 'selector']), undefined, 'a block scalar');
  assert.equal(at('a: |\n  spec:\n    selector: 1\nb: 2\n', ['spec', 'selector']), undefined, 'text inside a block scalar');
  assert.equal(at('spec:\n- selector: 1\n', ['spec', 'selector']), undefined, 'a sequence at the key column');
  assert.equal(at('spec:\n  true: 1\n', ['spec', 'true']), undefined, 'a key that is not a string');
});

test('block keys: rangeOf a key leaves a lazy source tree unbuilt and equals the tree range', () => {
  const text = bigFile(3, 10);
  const file = loadManifest('file:///x.yaml', text);
  const svc = file.objects.find((o) => o.kind === 'Service')!;
  const part = splitDocuments(text).find((p) => p.start <= text.indexOf('kind: Service') && text.indexOf('kind: Service') < p.end)!;
  let builds = 0;
  const build = () => {
    builds++;
    return fastParseDocument(text, part.start, part.end, 64)!;
  };
  const index = new LineIndex(text);
  const lazy = lazySource('file:///x.yaml', index, build, undefined, { text, start: part.start, end: part.end });
  const withTree = { file: 'file:///x.yaml', index, node: build() };
  builds = 0;
  for (const p of [['spec', 'selector'], ['metadata', 'name'], ['spec', 'ports']]) assert.deepStrictEqual(rangeOf(lazy, p, 'key'), rangeOf(withTree, p, 'key'), p.join('.'));
  assert.equal(builds, 0, 'no tree built for keys found from lines');
  // The loader's own source agrees too.
  assert.deepStrictEqual(rangeOf(svc.source!, ['spec', 'selector'], 'key'), rangeOf(withTree, ['spec', 'selector'], 'key'));
  // A value range still needs the tree; a key the lines cannot place falls back to it.
  assert.deepStrictEqual(rangeOf(lazy, ['spec', 'selector'], 'value'), rangeOf(withTree, ['spec', 'selector'], 'value'));
  assert.equal(builds, 1);
  assert.deepStrictEqual(rangeOf(lazy, ['spec', 'ports', 0, 'name'], 'key'), rangeOf(withTree, ['spec', 'ports', 0, 'name'], 'key'));
});
