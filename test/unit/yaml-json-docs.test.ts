/**
 * One-line JSON documents read by JSON.parse (src/core/yaml/jsonDoc.ts) give what the YAML path gives:
 * the same values, document ranges, warnings and errors, and the same positions once a tree is asked
 * for; documents where the two could differ are declined to the YAML path.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { loadManifest, parseYaml, rangeOf, splitDocuments, type YamlParseResult } from '../../src/core';
import { jsonDocumentValue } from '../../src/core/yaml/jsonDoc';

const visible = (r: YamlParseResult) => ({ documents: r.documents.map((d) => ({ start: d.start, end: d.end, value: d.value })), errors: r.errors, warnings: r.warnings });
const taken = (text: string) => splitDocuments(text).map((p) => jsonDocumentValue(text, p.start, p.end, 64) !== undefined);

function sameAsYaml(text: string): void {
  assert.deepStrictEqual(visible(parseYaml(text, undefined, { trees: false })), visible(parseYaml(text, undefined, { fastPath: false })), text);
}

const service = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'ns', labels: { 'app.kubernetes.io/name': `a "quoted" \\ name ${i}`, empty: '' } }, spec: { clusterIP: `10.96.0.${i}`, ports: [{ name: 'http', port: 80 + i, targetPort: 'http' }], selector: { app: 'x' }, weight: 0.5, flags: [true, false, null], nested: [[], {}, [[1]]] } });

test('one-line JSON documents are taken and equal the YAML path (values, ranges, warnings)', () => {
  const texts = [
    service(1),
    [service(1), service(2), service(3)].join('\n---\n'),
    `---\n${service(4)}\n`,
    `${service(5)}\n\n---\n${service(6)}  \n`,
    '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"u"},"data":{"k":"\\u00e9\\ud83d\\ude00 \\/ \\t tab \\n nl","colon:in":"a: b, {c}"}}',
    '{"a":1.25,"b":-3,"c":0,"d":12345678901,"e":1.0,"f":100}',
  ];
  for (const text of texts) {
    assert.ok(taken(text).every(Boolean), `declined ${text}`);
    sameAsYaml(text);
    // The root's span, given without a tree, is the one the YAML path's tree has.
    const trees = parseYaml(text, undefined, { fastPath: false }).documents;
    parseYaml(text, undefined, { trees: false }).documents.forEach((d, i) => assert.deepEqual(d.span, { start: trees[i]!.root!.start, end: trees[i]!.root!.end }, text));
  }
});

test('JSON documents YAML could read differently are declined, and still equal the YAML path', () => {
  const texts = [
    '{"a":1,"a":2}', // duplicate key: YAML warns
    '{"a":{"b":1,"b":1}}',
    '{"<<":{"a":1},"b":2}', // merge key
    '{"__proto__":{"polluted":true}}',
    '{"a":1e-7}',
    '{"a":-0}',
    '{"a":12345678901234567890}',
    '{"a":1e400}',
    '{"a":"é"}', // not ASCII
    '{"a":1} # comment',
    '{"a":\n1}', // two lines
    '[1,2]',
    '"just a string"',
    '{"a":1,}', // not JSON (YAML reads it)
    `{"a":${'['.repeat(70)}${']'.repeat(70)}}`, // deeper than the limit: YAML's error
    'a: 1',
  ];
  for (const text of texts) {
    assert.ok(!taken(text).every(Boolean), `took ${text}`);
    sameAsYaml(text);
  }
  assert.ok(!Object.prototype.hasOwnProperty.call({}, 'polluted'));
});

test('loading JSON documents: objects, positions and diagnostics as the YAML path gives them', () => {
  const text = [service(1), '{"apiVersion":"v1","kind":"Service","metadata":{"name":"dup","name":"dup"},"spec":{"ports":[]}}', service(2)].join('\n---\n');
  const fast = loadManifest('a.yaml', text);
  assert.equal(fast.objects.length, 3);
  assert.deepEqual(
    fast.diagnostics.map((d) => [d.code, d.range.start.line]),
    [['KSD004', 2]],
  );
  for (const o of fast.objects) {
    for (const [path, want] of [[['metadata', 'name'], JSON.stringify(o.name)], [['spec', 'ports', 0, 'port'], String((o.object['spec'] as { ports: { port?: number }[] }).ports[0]?.port)]] as const) {
      if (want === 'undefined') continue;
      const r = rangeOf(o.source!, [...path], 'value')!;
      assert.equal(text.split('\n')[r.start.line]!.slice(r.start.character, r.end.character), want, `${o.name} ${path.join('.')}`);
    }
  }
});
