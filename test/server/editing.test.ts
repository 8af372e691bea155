import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { CodeLens, CompletionItem, CompletionList, DocumentSymbol, Location } from 'vscode-languageserver/node';
import { caret, TestClient } from './client';
import { DEPLOY, NOT_READY_POD, SVC } from './fixtures';
import { RULE_CHAIN_COMMAND, TRACE_COMMAND } from '../../src/protocol/lsp';

let c: TestClient;
before(async () => {
  // As the extension starts the server: it runs the Trace and Rule chain lens commands.
  c = await TestClient.start({ files: { 'k8s/deploy.yaml': DEPLOY, 'k8s/pod.yaml': NOT_READY_POD }, initializationOptions: { clientCommands: [TRACE_COMMAND, RULE_CHAIN_COMMAND] } });
});
after(() => c.stop());

async function complete(rel: string, marked: string): Promise<CompletionItem[]> {
  const { text, line, character } = caret(marked);
  const uri = await c.open(rel, text);
  const r = await c.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
  await c.close(uri);
  return Array.isArray(r) ? r : r.items;
}

test('code lenses above each Service: pod counts, Trace and Rule chain with the service reference', async () => {
  const uri = await c.open('lens.yaml', `# two services\n${SVC}---\n${SVC.replace('name: web', 'name: api').replace('app: web', 'app: api')}`);
  const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
    [
      [1, '2 pods, 2 ready', ''],
      [1, 'Trace', 'kubeServiceDebugger.traceRequest'],
      [1, 'Rule chain', 'kubeServiceDebugger.showRuleChain'],
      [13, '1 pod, 0 ready, 1 without port http', ''],
      [13, 'Trace', 'kubeServiceDebugger.traceRequest'],
      [13, 'Rule chain', 'kubeServiceDebugger.showRuleChain'],
    ],
  );
  assert.deepEqual(lenses[1]!.command!.arguments, [{ namespace: 'default', name: 'web', uri }]);
  // A file without Services has no lenses.
  const none = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: c.uri('k8s/deploy.yaml') } });
  assert.deepEqual(none, []);
});

test('completion of selector keys from known pod and template labels (minus ones already written)', async () => {
  const items = await complete('c1.yaml', SVC.replace('    app: web\n', '    app: web\n    ti|\n'));
  assert.deepEqual(items.map((i) => i.label), ['tier']);
  assert.match(items[0]!.detail!, /Deployment web/);
  assert.equal(items[0]!.textEdit && 'range' in items[0]!.textEdit ? items[0]!.textEdit.newText : '', 'tier: ');
  const all = await complete('c2.yaml', SVC.replace('    app: web\n', '    |\n'));
  assert.deepEqual(all.map((i) => i.label).sort(), ['app', 'tier']);
});

test('completion of selector values, while the rest of the file is half-typed', async () => {
  const items = await complete('c3.yaml', SVC.replace('    app: web', '    app: |') + '---\nkind: [\n');
  assert.deepEqual(items.map((i) => i.label).sort(), ['api', 'web']);
});

test('completion of targetPort names from the matched pods, the protocol match first', async () => {
  const items = await complete('c4.yaml', SVC.replace('targetPort: http', 'targetPort: |'));
  assert.deepEqual(items.map((i) => i.label), ['http', 'dns']);
  assert.ok(items[0]!.sortText! < items[1]!.sortText!);
  assert.match(items[0]!.detail!, /containerPort 8080\/TCP in container main \(Deployment web\)/);
  // Not offered outside targetPort, nor in a Deployment.
  assert.deepEqual(await complete('c5.yaml', SVC.replace('    port: 80', '    port: |')), []);
  assert.deepEqual(await complete('c6.yaml', DEPLOY.replace('      app: web\n  template', '      app: |\n  template')), []);
});

test('go to definition from a selector key to the template labels, and from a named targetPort to the containerPort', async () => {
  const { text, line, character } = caret(SVC.replace('    app: web', '    a|pp: web'));
  const uri = await c.open('def.yaml', text);
  const defs = await c.request<Location[]>('textDocument/definition', { textDocument: { uri }, position: { line, character } });
  assert.deepEqual(defs, [{ uri: c.uri('k8s/deploy.yaml'), range: { start: { line: 12, character: 8 }, end: { line: 12, character: 11 } } }]);
  const t = caret(SVC.replace('targetPort: http', 'targetPort: ht|tp'));
  const uri2 = await c.open('def2.yaml', t.text);
  const port = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri2 }, position: { line: t.line, character: t.character } });
  assert.deepEqual(port, [{ uri: c.uri('k8s/deploy.yaml'), range: { start: { line: 20, character: 25 }, end: { line: 20, character: 29 } } }]);
});

test('go to definition from a named targetPort whose container port has another protocol: to that port\'s name (KSD202)', async () => {
  // The pods declare dns only as 5353/UDP; this Service port is TCP.
  const t = caret(SVC.replace('targetPort: http', 'targetPort: d|ns'));
  const uri = await c.open('def3.yaml', t.text);
  const port = await c.request<Location[]>('textDocument/definition', { textDocument: { uri }, position: { line: t.line, character: t.character } });
  assert.deepEqual(port, [{ uri: c.uri('k8s/deploy.yaml'), range: { start: { line: 21, character: 16 }, end: { line: 21, character: 19 } } }]);
  // A name no container port has: nowhere to go.
  const n = caret(SVC.replace('targetPort: http', 'targetPort: n|one'));
  const uri2 = await c.open('def4.yaml', n.text);
  assert.deepEqual(await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri2 }, position: { line: n.line, character: n.character } }), []);
});

test('find references from template labels to the Services selecting them', async () => {
  await c.open('refs-svc.yaml', SVC);
  const t = caret(DEPLOY.replace('        app: web\n        tier', '        a|pp: web\n        tier'));
  const uri = await c.open('k8s/deploy.yaml', t.text);
  const refs = await c.request<Location[]>('textDocument/references', { textDocument: { uri }, position: { line: t.line, character: t.character }, context: { includeDeclaration: false } });
  const svcUris = refs.map((r) => r.uri);
  assert.ok(svcUris.includes(c.uri('refs-svc.yaml')), JSON.stringify(refs));
  const one = refs.find((r) => r.uri === c.uri('refs-svc.yaml'))!;
  assert.deepEqual(one.range, { start: { line: 6, character: 4 }, end: { line: 6, character: 7 } });
  // The tier label is selected by no Service.
  const t2 = caret(DEPLOY.replace('        tier: front', '        ti|er: front'));
  await c.edit(uri, t2.text);
  const none = await c.request<Location[]>('textDocument/references', { textDocument: { uri }, position: { line: t2.line, character: t2.character }, context: { includeDeclaration: false } });
  assert.deepEqual(none, []);
});

test('document symbols list every object of a multi-document file', async () => {
  const uri = await c.open('sym.yaml', `${DEPLOY}---\n${SVC}---\n# only a comment\n---\n${NOT_READY_POD.replace('name: api-0', 'name: api-0\n  namespace: prod')}`);
  const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(
    syms.map((s) => [s.name, s.detail, s.range.start.line, s.selectionRange.start.line]),
    [
      ['web', 'Deployment', 0, 3],
      ['web', 'Service', 25, 28],
      ['prod/api-0', 'Pod', 39, 42],
    ],
  );
});
