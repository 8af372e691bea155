import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, CompletionList, InsertReplaceEdit, TextEdit } from 'vscode-languageserver/node';
import { caret, TestClient } from './client';
import { DEPLOY, SVC } from './fixtures';

/** A Deployment whose pods carry a label value plain YAML would read as a boolean. */
const FLAGGED = DEPLOY.replace(/name: web/g, 'name: canary').replace(/app: web/g, 'app: canary').replace('tier: front', 'canary: "true"');

async function complete(c: TestClient, rel: string, marked: string): Promise<{ items: CompletionItem[]; text: string; line: number }> {
  const { text, line, character } = caret(marked);
  const uri = await c.open(rel, text);
  const r = await c.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
  await c.close(uri);
  return { items: Array.isArray(r) ? r : r.items, text, line };
}

/** The line after applying an item's edit (its replace range when it is an InsertReplaceEdit). */
function applied(text: string, line: number, item: CompletionItem): string {
  const e = item.textEdit!;
  const range = 'range' in e ? (e as TextEdit).range : (e as InsertReplaceEdit).replace;
  const l = text.split('\n')[line]!;
  return l.slice(0, range.start.character) + e.newText + l.slice(range.end.character);
}

const pick = (items: CompletionItem[], label: string) => items.find((i) => i.label === label)!;

describe('completion edits cover the whole word under the cursor (client without insertReplaceSupport)', () => {
  let c: TestClient;
  before(async () => {
    c = await TestClient.start({ files: { 'k8s/deploy.yaml': DEPLOY, 'k8s/canary.yaml': FLAGGED } });
  });
  after(() => c.stop());

  test('a selector value completed mid-word replaces the rest of the word, keeping a trailing comment', async () => {
    const r = await complete(c, 'v1.yaml', SVC.replace('    app: web', '    app: w|xyz # pick one'));
    const item = pick(r.items, 'web');
    assert.ok(item.textEdit && 'range' in item.textEdit, 'a plain TextEdit');
    assert.equal(applied(r.text, r.line, item), '    app: web # pick one');
  });

  test('a quoted selector value keeps its quotes', async () => {
    for (const q of ['"', "'"]) {
      const r = await complete(c, 'v2.yaml', SVC.replace('    app: web', `    app: ${q}w|eb-old${q}`));
      assert.equal(applied(r.text, r.line, pick(r.items, 'web')), `    app: ${q}web${q}`);
    }
  });

  test('a value plain YAML would not read as a string is quoted when written bare, not when already quoted', async () => {
    const bare = await complete(c, 'v3.yaml', SVC.replace('    app: web', '    app: canary\n    canary: t|'));
    assert.equal(applied(bare.text, bare.line, pick(bare.items, 'true')), '    canary: "true"');
    const quoted = await complete(c, 'v4.yaml', SVC.replace('    app: web', "    app: canary\n    canary: 't|'"));
    assert.equal(applied(quoted.text, quoted.line, pick(quoted.items, 'true')), "    canary: 'true'");
  });

  test('a targetPort name completed mid-word replaces the whole name', async () => {
    const r = await complete(c, 'p1.yaml', SVC.replace('targetPort: http', 'targetPort: ht|xx'));
    assert.equal(applied(r.text, r.line, pick(r.items, 'http')), '    targetPort: http');
    assert.equal(applied(r.text, r.line, pick(r.items, 'dns')), '    targetPort: dns');
  });

  test('a selector key completed mid-word before its colon does not add a second colon', async () => {
    const r = await complete(c, 'k1.yaml', SVC.replace('    app: web\n', '    app: web\n    ti|er: front\n'));
    assert.equal(applied(r.text, r.line, pick(r.items, 'tier')), '    tier: front');
    const fresh = await complete(c, 'k2.yaml', SVC.replace('    app: web\n', '    app: web\n    ti|\n'));
    assert.equal(applied(fresh.text, fresh.line, pick(fresh.items, 'tier')), '    tier: ');
  });
});

describe('completion edits for a client with insertReplaceSupport', () => {
  let c: TestClient;
  before(async () => {
    c = await TestClient.start({ files: { 'k8s/deploy.yaml': DEPLOY }, textDocument: { completion: { completionItem: { insertReplaceSupport: true } } } });
  });
  after(() => c.stop());

  test('items carry an InsertReplaceEdit: insert up to the cursor, replace the whole word', async () => {
    const r = await complete(c, 'ir.yaml', SVC.replace('    app: web', '    app: "w|xyz"'));
    const e = pick(r.items, 'web').textEdit as InsertReplaceEdit;
    assert.ok('insert' in e && 'replace' in e, 'an InsertReplaceEdit');
    assert.deepEqual(e.insert, { start: { line: r.line, character: 10 }, end: { line: r.line, character: 11 } });
    assert.deepEqual(e.replace, { start: { line: r.line, character: 10 }, end: { line: r.line, character: 14 } });
    assert.equal(applied(r.text, r.line, pick(r.items, 'web')), '    app: "web"');
  });
});
