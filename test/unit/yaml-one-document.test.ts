/**
 * IncrementalManifest splits a file once and loads each part with `oneDocument` (no second split): a part
 * cut by splitDocuments must split back into itself, and loading it with or without the option must give
 * the same result.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_YAML_LIMITS, loadManifest, parseYaml, splitDocuments } from '../../src/core';
import { bigFile } from '../../bench/generate';
import { DECLINED_CASES, FAST_CASES } from './yaml-fast-cases';

const root = path.resolve(__dirname, '../../..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(n) ? [p] : [];
  });
}

/** Streams with every kind of separator: markers with comments, `...`, directives, CRLF, empty parts. */
const STREAMS = [
  'a: 1\n---\nb: 2\n...\n---\nc: 3\n',
  '# head\n--- # c\nx: 1\n... # end\n# between\n--- !!map\ny: 2\n',
  '%YAML 1.2\n---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n',
  'a: 1\r\n---\r\nb: 2\r\n...\r\nc: 3\r\n',
  '---\n---\n\n---\na: |\n  ---x\n  ...y\nb: "---"\n---x: 1\n...z: 2\n',
  'a: 1\n...\nb: 2\n...\n',
  '--- a scalar\n--- [1, 2]\n---\t{x: 1}\n',
  'a: [1,\n---\nb: 2\n',
];

function corpus(): string[] {
  const files = [...yamlFiles(path.join(root, 'examples')), ...yamlFiles(path.join(root, 'test/fixtures'))].map((f) => readFileSync(f, 'utf8'));
  return [...STREAMS, ...FAST_CASES, ...DECLINED_CASES, FAST_CASES.join('---\n'), DECLINED_CASES.join('\n---\n'), ...files, bigFile(40, 3)];
}

test('a part cut by splitDocuments splits back into itself', () => {
  let parts = 0;
  for (const text of corpus()) {
    for (const p of splitDocuments(text)) {
      const slice = text.slice(p.start, p.end);
      assert.deepEqual(splitDocuments(slice), [{ start: 0, end: slice.length }], JSON.stringify(slice));
      parts++;
    }
  }
  assert.ok(parts > 200, `${parts} parts`);
});

test('oneDocument loads a part exactly as splitting it again would', () => {
  for (const text of corpus()) {
    for (const p of splitDocuments(text)) {
      const slice = text.slice(p.start, p.end);
      for (const trees of [true, false]) assert.deepEqual(parseYaml(slice, DEFAULT_YAML_LIMITS, { trees, oneDocument: true }), parseYaml(slice, DEFAULT_YAML_LIMITS, { trees }), JSON.stringify(slice));
      const once = loadManifest('f.yaml', slice, { oneDocument: true });
      const twice = loadManifest('f.yaml', slice);
      assert.deepEqual(once.diagnostics, twice.diagnostics);
      assert.deepEqual(
        once.objects.map((o) => [o.object, o.partial, o.source?.node]),
        twice.objects.map((o) => [o.object, o.partial, o.source?.node]),
      );
    }
  }
});

test('oneDocument does not split: given a whole stream it reads one part from offset 0', () => {
  const text = '# notes\n---\na: 1\n';
  assert.equal(parseYaml(text).documents[0]!.start, 8);
  assert.equal(parseYaml(text, DEFAULT_YAML_LIMITS, { oneDocument: true }).documents[0]!.start, 0);
});
