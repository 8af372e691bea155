/** The BUILT server over real stdio, driven as Neovim or Helix would: `ksd lsp --stdio` and dist/server.js. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver/node';
import { DEPLOY, SVC } from './fixtures';
import { initializeParams, spawnServer } from './spawnServer';

const root = path.resolve(__dirname, '../../..');

for (const [label, args] of [
  ['ksd lsp --stdio', [path.join(root, 'bin/ksd.js'), 'lsp', '--stdio']],
  ['dist/server.js --stdio', [path.join(root, 'dist/server.js'), '--stdio']],
] as const) {
  test(`${label}: initialize, didOpen, publishDiagnostics, hover, shutdown and exit`, async () => {
    assert.ok(existsSync(path.join(root, 'dist/server.js')), 'run npm run build first');
    const dir = mkdtempSync(path.join(tmpdir(), 'ksd-stdio-'));
    writeFileSync(path.join(dir, 'deploy.yaml'), DEPLOY);
    const s = spawnServer(process.execPath, [...args]);
    try {
    const init = (await s.conn.sendRequest('initialize', initializeParams(pathToFileURL(dir).href))) as { capabilities: Record<string, unknown>; serverInfo: { name: string } };
    assert.equal(init.serverInfo.name, 'ksd');
    for (const cap of ['hoverProvider', 'codeLensProvider', 'codeActionProvider', 'completionProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider']) assert.ok(init.capabilities[cap], cap);
    await s.conn.sendNotification('initialized', {});
    const uri = pathToFileURL(path.join(dir, 'svc.yaml')).href;
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: `${SVC}---\nkind: [\n` } });
    const pub = await s.waitFor(() => s.published.find((p) => p.params.uri === uri), 'publishDiagnostics');
    const codes = pub.params.diagnostics.map((d) => d.code);
    assert.ok(codes.includes('KSD001'), codes.join());
    // The Deployment on disk was indexed before the first analysis: no "selector matches nothing".
    assert.ok(!codes.includes('KSD101'), codes.join());
    const h = (await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 6 } })) as Hover;
    assert.match((h.contents as { value: string }).value, /Deployment web/);
    assert.equal(await s.stop(), 0);
    assert.equal(s.stderr.join(''), '');
    } finally {
      s.child.kill();
    }
  });
}

test('ksd lsp without --stdio is a usage error', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), 'lsp'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /ksd lsp needs --stdio/);
  assert.equal(r.stdout, '');
});
