import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { DocumentSymbol } from 'vscode-languageserver/node';
import { loadManifest } from '../../src/core';
import { TestClient } from './client';
import { DEPLOY, SVC } from './fixtures';

/** DEPLOY with an unclosed `[` (and two more lines): it no longer parses. */
const BROKEN = DEPLOY.replace('  replicas: 2\n', '  replicas: [2\n\n\n');

/** Waits until every notification sent before now has arrived (one request round trip). */
async function settle(c: TestClient, uri: string): Promise<void> {
  await c.request('textDocument/documentSymbol', { textDocument: { uri } });
}

function codes(c: TestClient, uri: string): string[] {
  return (c.diagnostics.get(uri) ?? []).map((d) => String(d.code));
}

test('a Deployment that does not parse keeps its last good objects in the analysis until it parses again', async () => {
  const c = await TestClient.start();
  try {
    const deploy = await c.open('app/deploy.yaml', DEPLOY);
    const svc = await c.open('app/svc.yaml', SVC);
    await c.until(() => c.diagnostics.has(svc) && c.diagnostics.has(deploy), 'both files analysed');
    await settle(c, svc);
    assert.deepEqual(codes(c, svc), []);

    await c.edit(deploy, BROKEN);
    const diags = await c.diagnosticsFor(deploy, (d) => d.some((x) => x.code === 'KSD001'), 'the syntax error');
    // Where core loading of the whole text puts it, and only that.
    const expected = loadManifest('x', BROKEN).diagnostics.filter((d) => d.code === 'KSD001');
    assert.equal(expected.length, 1);
    assert.deepEqual(
      diags.map((d) => [d.code, d.range.start.line, d.range.start.character]),
      [['KSD001', expected[0]!.range.start.line, expected[0]!.range.start.character]],
    );
    assert.equal(diags[0]!.range.start.line, BROKEN.split('\n').findIndex((l) => l.includes('[2')), 'reported at the unclosed [');
    await settle(c, svc);
    assert.deepEqual(codes(c, svc), [], 'the Service still selects the last good Deployment');

    // Still broken, differently: still the last good version.
    await c.edit(deploy, BROKEN.replace('name: web', 'name: web2'));
    await settle(c, deploy);
    assert.deepEqual(codes(c, deploy), ['KSD001']);
    assert.deepEqual(codes(c, svc), []);

    // Fixed, with another label: the new objects replace the old ones.
    await c.edit(deploy, DEPLOY.replace(/app: web/g, 'app: api'));
    await c.diagnosticsFor(svc, (d) => d.some((x) => x.code === 'KSD101'), 'KSD101 for the new label');
    assert.ok(!codes(c, deploy).includes('KSD001'));

    // Broken again: the last good version is now the one labelled api.
    await c.edit(deploy, BROKEN.replace(/app: web/g, 'app: api'));
    await c.diagnosticsFor(deploy, (d) => d.some((x) => x.code === 'KSD001'), 'the syntax error again');
    await settle(c, svc);
    assert.ok(codes(c, svc).includes('KSD101'));
    await c.edit(deploy, DEPLOY);
    await c.diagnosticsFor(svc, (d) => !d.some((x) => x.code === 'KSD101'), 'KSD101 to clear');
  } finally {
    await c.stop();
  }
});

test('the other documents of a file with a broken document keep their objects, positions and findings', async () => {
  const c = await TestClient.start();
  try {
    const lonely = SVC.replace('name: web', 'name: lonely').replace('app: web', 'app: nothing');
    const text = `${SVC}---\n${DEPLOY}---\n${lonely}`;
    const uri = await c.open('app/all.yaml', text);
    const before = await c.diagnosticsFor(uri, (d) => d.some((x) => x.code === 'KSD101'), 'KSD101 on the lonely Service');
    assert.deepEqual(before.map((d) => d.code), ['KSD101']);
    const lonelyLine = before[0]!.range.start.line;
    assert.ok(lonelyLine > text.split('\n').indexOf('  name: lonely'), 'in the third document');

    const broken = `${SVC}---\n${BROKEN}---\n${lonely}`;
    await c.edit(uri, broken);
    const diags = await c.diagnosticsFor(uri, (d) => d.some((x) => x.code === 'KSD001'), 'the syntax error');
    const syntax = loadManifest('x', broken).diagnostics.filter((d) => d.code === 'KSD001');
    assert.deepEqual(
      diags.map((d) => [d.code, d.range.start.line]),
      [
        ['KSD001', syntax[0]!.range.start.line],
        // The lonely Service moved down two lines; its finding moved with it. The first Service still matches.
        ['KSD101', lonelyLine + 2],
      ],
    );
    const symbols = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    // The file's own objects (outline, hover, completion) are what parses now: no Deployment, the rest in place.
    assert.deepEqual(
      symbols.map((s) => [s.name, s.range.start.line]),
      [
        ['web', 0],
        ['lonely', broken.split('\n').indexOf('  name: lonely') - 3],
      ],
    );
  } finally {
    await c.stop();
  }
});

test('closing a document that does not parse falls back to the disk version', async () => {
  const c = await TestClient.start({ files: { 'app/deploy.yaml': BROKEN, 'app/svc.yaml': SVC } });
  try {
    const svc = c.uri('app/svc.yaml');
    const deploy = await c.open('app/deploy.yaml', DEPLOY);
    await c.diagnosticsFor(deploy, (d) => !d.some((x) => x.code === 'KSD001'), 'the editor text analysed');
    await c.diagnosticsFor(svc, (d) => !d.some((x) => x.code === 'KSD101'), 'the Service matching');
    await c.edit(deploy, BROKEN);
    await c.diagnosticsFor(deploy, (d) => d.some((x) => x.code === 'KSD001'), 'the syntax error');
    await settle(c, svc);
    assert.ok(!codes(c, svc).includes('KSD101'));
    await c.close(deploy);
    await c.diagnosticsFor(svc, (d) => d.some((x) => x.code === 'KSD101'), 'KSD101 once the broken disk version is used');
  } finally {
    await c.stop();
  }
});

const CONFIG = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n';

test('the last good objects survive documents being added or removed while one does not parse', async () => {
  const c = await TestClient.start();
  try {
    const svc = await c.open('app/svc.yaml', SVC);
    const both = await c.open('app/both.yaml', [CONFIG, DEPLOY].join('---\n'));
    await c.until(() => c.diagnostics.has(svc) && c.diagnostics.has(both), 'both files analysed');
    await settle(c, svc);
    assert.deepEqual(codes(c, svc), []);

    // One edit breaks the Deployment and appends a document: the count changes, the Deployment is kept.
    await c.edit(both, [CONFIG, BROKEN, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: more\n'].join('---\n'));
    await c.diagnosticsFor(both, (d) => d.some((x) => x.code === 'KSD001'), 'the syntax error');
    await settle(c, svc);
    assert.deepEqual(codes(c, svc), [], 'the Service still selects the last good Deployment');

    // The `---` before the broken Deployment is deleted: two documents become one broken one.
    await c.edit(both, [CONFIG + BROKEN, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: more\n'].join('---\n'));
    await c.diagnosticsFor(both, (d) => d.some((x) => x.code === 'KSD001'), 'the syntax error, joined');
    await settle(c, svc);
    assert.deepEqual(codes(c, svc), [], 'still the last good Deployment');

    // Fixed with another label: the last good copy is gone, the new Deployment counts.
    await c.edit(both, [CONFIG, DEPLOY.replace(/app: web/g, 'app: api')].join('---\n'));
    await c.diagnosticsFor(svc, (d) => d.some((x) => x.code === 'KSD101'), 'KSD101 for the new label');
  } finally {
    await c.stop();
  }
});
