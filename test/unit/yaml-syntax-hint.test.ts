import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { loadManifest } from '../../src/core';
import { unclosedBefore } from '../../src/core/yaml/syntaxHint';

const at = (text: string) => {
  const o = unclosedBefore(text, text.length);
  return o && [o.what, text.slice(0, o.offset).split('\n').length, o.offset - text.lastIndexOf('\n', o.offset - 1) - 1];
};

test('an unclosed quote or flow collection is found where it opens', () => {
  assert.deepEqual(at('a: 1\nb: "half\nc: 2\n'), ['quoted string', 2, 3]);
  assert.deepEqual(at("a: 'half\nc: 2\n"), ['quoted string', 1, 3]);
  assert.deepEqual(at('a:\n  - [1, 2\n  - 3\n'), ['flow sequence "["', 2, 4]);
  assert.deepEqual(at('a: {b: [1], c: 2\nd: 1\n'), ['flow mapping "{"', 1, 3]);
});

test('closed, escaped, plain-scalar and commented quotes and block scalars are not openers', () => {
  assert.equal(at('a: "multi\n  line"\nb: \'it\'\'s\'\nc: "esc \\" still"\n'), undefined);
  assert.equal(at("a: it's plain\nb: x[1\n# a \"comment\nc: 1 # [not flow\n"), undefined);
  assert.equal(at('script: |\n  echo "unbalanced\n  [x\nb: 1\n'), undefined);
  assert.deepEqual(at('script: >\n  "text\nb: [1\n'), ['flow sequence "["', 3, 3]);
});

test('KSD001 points at the unclosed quote, not at the next line where the parser stopped', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  selector:\n    app: "storef\n  ports:\n  - port: 80\n';
  const [d] = loadManifest('/x.yaml', text).diagnostics;
  assert.equal(d!.code, 'KSD001');
  assert.deepEqual([d!.range.start.line, d!.range.start.character], [6, 9]);
  assert.match(d!.message, /the quoted string opened here is not closed \(the parser stopped on the next line: deficient indentation\)/);
  // The same document after three others: the message reads the same (the server parses it on its own).
  const many = `${'kind: ConfigMap\n---\n'.repeat(3)}${text}`;
  assert.equal(loadManifest('/z.yaml', many).diagnostics[0]!.message, d!.message);
  const far = loadManifest('/w.yaml', 'a:\n  b: "open\n   c: 1\n   d: 2\nx: 1\n').diagnostics[0]!;
  assert.match(far.message, /not closed \(the parser stopped 3 lines below: deficient indentation\)/);
  // An error with nothing left open keeps the parser's own position and words.
  const [e] = loadManifest('/y.yaml', 'a: 1\nb: c: d\n').diagnostics;
  assert.deepEqual([e!.range.start.line, e!.message], [1, 'YAML syntax error: bad indentation of a mapping entry']);
});
