import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { LineIndex, loadManifest, parseYaml, rangeOf, splitDocuments } from '../../src/core';
import { implicitValue, plainValue } from '../../src/core/yaml/scalars';

test('positions: every object keeps file and field ranges', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n';
  const f = loadManifest('svc.yaml', text);
  assert.equal(f.objects.length, 1);
  const src = f.objects[0]!.source!;
  assert.deepEqual(rangeOf(src, ['spec', 'selector', 'app']), { start: { line: 6, character: 9 }, end: { line: 6, character: 12 } });
  assert.deepEqual(rangeOf(src, ['spec', 'selector', 'app'], 'key'), { start: { line: 6, character: 4 }, end: { line: 6, character: 7 } });
  assert.deepEqual(rangeOf(src, ['spec', 'ports', 0, 'port']), { start: { line: 8, character: 10 }, end: { line: 8, character: 12 } });
});

test('multi-document: a syntax error in one document keeps the others', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {}\n---\nkind: [oops\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {}\n';
  const f = loadManifest('x.yaml', text);
  assert.deepEqual(
    f.objects.map((o) => o.name),
    ['a', 'b'],
  );
  assert.equal(f.diagnostics.length, 1);
  assert.equal(f.diagnostics[0]!.code, 'KSD001');
  // At the unclosed "[" (line 6, 1-based), not where the parser gave up after it.
  assert.deepEqual([f.diagnostics[0]!.range.start.line, f.diagnostics[0]!.range.start.character], [5, 6]);
});

test('kind: List and JSON files load item by item with positions', () => {
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }] }, null, 2);
  const f = loadManifest('l.json', json);
  assert.equal(f.objects.length, 1);
  assert.equal(f.objects[0]!.kind, 'Service');
  const r = rangeOf(f.objects[0]!.source!, ['spec', 'ports', 0, 'port']);
  assert.equal(new LineIndex(json).lineText(r.start.line).trim(), '"port": 80');
});

test('alias bombs are refused with a located message', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  const r = parseYaml(lines.join('\n'));
  assert.equal(r.documents.length, 0);
  assert.match(r.errors[0]!.message, /YAML bomb/);
});

test('deep nesting is refused, not a stack overflow', () => {
  const r = parseYaml('['.repeat(5000) + ']'.repeat(5000));
  assert.equal(r.documents.length, 0);
  assert.equal(r.errors.length, 1);
});

test('Helm templates are skipped with an info', () => {
  const f = loadManifest('t.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "x.fullname" . }}\n');
  assert.equal(f.skipped, 'helm-template');
  assert.equal(f.objects.length, 0);
  assert.equal(f.diagnostics[0]!.severity, 'info');
});

test('a quoted Go template in an annotation is not a Helm template', () => {
  const f = loadManifest('t.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    fmt: "{{ .Status }}"\n');
  assert.equal(f.skipped, undefined);
  assert.equal(f.objects.length, 1);
});

test('files over the size limit are skipped with an info', () => {
  const f = loadManifest('big.yaml', 'a: b\n'.repeat(100), { maxBytes: 100 });
  assert.equal(f.skipped, 'too-large');
  assert.match(f.diagnostics[0]!.message, /limit/);
});

test('splitDocuments ignores comment-only and empty documents', () => {
  assert.equal(splitDocuments('# c\n---\n---\na: 1\n...\n').length, 1);
});

test('merge keys apply and hostile keys stay data', () => {
  const r = parseYaml('base: &b {x: 1}\nobj:\n  <<: *b\n  y: 2\n__proto__: {polluted: true}\n');
  const v = r.documents[0]!.value as Record<string, Record<string, number>>;
  assert.deepEqual({ ...v['obj'] }, { y: 2, x: 1 });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('LineIndex: lines break at \\n, \\r\\n and a lone \\r, with or without carriage returns in the text', () => {
  /** Line starts by the definition, one character at a time. */
  const reference = (t: string) => {
    const starts = [0];
    for (let i = 0; i < t.length; i++) if (t[i] === '\n' || (t[i] === '\r' && t[i + 1] !== '\n')) starts.push(i + 1);
    return starts;
  };
  for (const t of ['', 'a', 'a\n', '\n\n', 'a: 1\nb: 2', 'a\r\nb\r\n', 'a\rb\rc', 'a\r\n\rb\n\r', 'x\n\r\ny\rz\n', '\r', '\n']) {
    const idx = new LineIndex(t);
    const starts = reference(t);
    assert.equal(idx.lineCount, starts.length, JSON.stringify(t));
    starts.forEach((s, line) => assert.equal(idx.lineStart(line), s, `${JSON.stringify(t)} line ${line}`));
    for (let o = 0; o <= t.length; o++) {
      const line = starts.filter((s) => s <= o).length - 1;
      assert.deepEqual(idx.position(o), { line, character: o - starts[line]! }, `${JSON.stringify(t)} offset ${o}`);
    }
  }
});

test('plain scalars: decimal digits read as the core schema reads them (leading zeros, long, signed, suffixed)', () => {
  const cases = ['0', '7', '80', '8080', '007', '0000', '65535', '2147483648', '123456789012345', '1234567890123456', '12345678901234567890', '+5', '-5', '1e3', '0x1F', '0o17', '1_000', '100m', '128Mi', '1.5', '08', '1:20'];
  for (let n = 1; n <= 20; n++) cases.push('9'.repeat(n), '1' + '0'.repeat(n - 1));
  for (const t of cases) assert.deepEqual(plainValue(t), implicitValue(t), t);
  assert.equal(plainValue('8080'), 8080);
  assert.equal(plainValue('100m'), '100m');
});
