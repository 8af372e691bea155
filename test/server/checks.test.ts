/** Diagnostics from the core checks over the wire: cross-file, incremental, with fixes and settings. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { TestClient } from './client';
import { DEPLOY } from './fixtures';

const SVC_TYPO = `apiVersion: v1
kind: Service
metadata:
  name: web   # the front door
spec:
  selector:
    app: webb # typo
  ports:
  - name: http
    port: 80
    targetPort: http
`;
const has101 = (d: Diagnostic[]) => d.some((x) => x.code === 'KSD101');

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}

test('a selector typo is found against a Deployment in another file, with related info, a docs link and a quick fix', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY } });
  try {
    const uri = await c.open('svc.yaml', SVC_TYPO);
    const diags = await c.diagnosticsFor(uri, has101, 'KSD101');
    const d = diags.find((x) => x.code === 'KSD101')!;
    assert.equal(d.range.start.line, 6);
    assert.equal(d.source, 'ksd');
    assert.match(d.codeDescription!.href, /README\.md#ksd101$/);
    assert.ok(d.relatedInformation?.some((r) => r.location.uri === c.uri('deploy/web.yaml')), JSON.stringify(d.relatedInformation));
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const fix = actions.find((a) => /Change the selector to app=web/.test(a.title));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, 'quickfix');
    const edits = fix.edit!.changes![uri]!;
    const fixed = apply(SVC_TYPO, edits);
    assert.equal(fixed, SVC_TYPO.replace('app: webb # typo', 'app: web # typo'));
    // Applying it clears the diagnostic.
    await c.edit(uri, fixed);
    await c.diagnosticsFor(uri, (x) => !has101(x), 'KSD101 to clear');
  } finally {
    await c.stop();
  }
});

test('editing a Deployment re-checks the Services of its namespace in other files', async () => {
  const c = await TestClient.start();
  try {
    const svc = await c.open('svc.yaml', SVC_TYPO.replace('app: webb', 'app: web'));
    const dep = await c.open('deploy.yaml', DEPLOY);
    await c.diagnosticsFor(svc, (d) => !has101(d), 'a clean Service');
    await c.edit(dep, DEPLOY.replace(/app: web/g, 'app: other'));
    await c.diagnosticsFor(svc, has101, 'KSD101 after the labels changed elsewhere');
    await c.edit(dep, DEPLOY);
    await c.diagnosticsFor(svc, (d) => !has101(d), 'KSD101 to clear again');
  } finally {
    await c.stop();
  }
});

test('per-check settings turn a check off or change its severity', async () => {
  const off = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY }, settings: { checks: { KSD101: 'off' } } });
  try {
    const uri = await off.open('svc.yaml', SVC_TYPO);
    const d = await off.diagnosticsFor(uri, () => off.published.some((p) => p.uri === uri), 'a publish');
    assert.ok(!has101(d), JSON.stringify(d));
  } finally {
    await off.stop();
  }
  const loud = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY }, settings: { checks: { KSD101: 'error' } } });
  try {
    const uri = await loud.open('svc.yaml', SVC_TYPO);
    const d = await loud.diagnosticsFor(uri, has101, 'KSD101');
    assert.equal(d.find((x) => x.code === 'KSD101')!.severity, 1);
  } finally {
    await loud.stop();
  }
});

test('a node port used twice in one multi-document file is reported on the later Service, as the CLI does', async () => {
  const svc = (name: string, pad: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${pad}spec:\n  type: NodePort\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, nodePort: 30080}\n`;
  // The first Service's nodePort sits further into its document than the second's: ordering by offsets
  // relative to each document would blame the first one.
  const text = `${svc('first', '  labels:\n    a: b\n    c: d\n')}---\n${svc('second', '')}`;
  const c = await TestClient.start({ files: {} });
  try {
    const uri = await c.open('ports.yaml', text);
    const diags = await c.diagnosticsFor(uri, (d) => d.some((x) => x.code === 'KSD212'), 'KSD212');
    const conflicts = diags.filter((x) => x.code === 'KSD212');
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0]!.range.start.line, text.split('\n').findIndex((l, i) => i > 12 && l.includes('nodePort: 30080')));
    assert.match(conflicts[0]!.message as string, /already used by Service default\/first/);
    // After edits the server re-parses documents one by one (offsets relative to each document): same answer.
    const edited = text.replace('a: b', 'a: bb').replace('name: second', 'name: second2');
    await c.edit(uri, edited);
    const again = await c.diagnosticsFor(uri, (d) => d.some((x) => x.code === 'KSD212' && /first/.test(x.message as string)) && !d.some((x) => x.code === 'KSD212' && x.range.start.line < 12), 'KSD212 after the edit');
    assert.equal(again.filter((x) => x.code === 'KSD212').length, 1);
  } finally {
    await c.stop();
  }
});
