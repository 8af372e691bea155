/**
 * `ksd lsp --stdio` driven as editors other than VS Code drive it: clients that leave out VS Code's
 * capabilities, that never answer the server's requests, that start without folders and add one later.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { DEPLOY, SVC } from './fixtures';

const root = path.resolve(__dirname, '../../..');

interface Editor {
  conn: ReturnType<typeof createMessageConnection>;
  published: PublishDiagnosticsParams[];
  serverRequests: string[];
  logs: string[];
  waitFor<T>(pick: () => T | undefined, what: string, budgetMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Spawns the built `ksd lsp --stdio`; server requests are answered with `answer` (never, when undefined). */
function editor(answer?: (method: string, params: unknown) => unknown): Editor {
  assert.ok(existsSync(path.join(root, 'dist/cli.js')), 'run npm run build first');
  const child = spawn(process.execPath, [path.join(root, 'bin/ksd.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const serverRequests: string[] = [];
  const logs: string[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => void published.push(p));
  conn.onNotification('window/logMessage', (p: { message: string }) => void logs.push(p.message));
  conn.onRequest((method: string, params: unknown) => {
    serverRequests.push(method);
    return answer ? answer(method, params) : new Promise(() => undefined);
  });
  conn.listen();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    conn,
    published,
    serverRequests,
    logs,
    async waitFor<T>(pick: () => T | undefined, what: string, budgetMs = 15000): Promise<T> {
      const end = Date.now() + budgetMs;
      for (;;) {
        const v = pick();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; server requests: ${serverRequests.join(', ')}; log: ${logs.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      child.kill();
      await exited;
      conn.dispose();
    },
  };
}

function workspace(): { dir: string; uri: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-editor-'));
  writeFileSync(path.join(dir, 'deploy.yaml'), DEPLOY);
  return { dir, uri: pathToFileURL(dir).href };
}

test('a client that never answers the server requests still gets diagnostics and answers', async () => {
  const ws = workspace();
  const e = editor();
  try {
    await e.conn.sendRequest('initialize', {
      processId: null,
      rootUri: ws.uri,
      workspaceFolders: [{ uri: ws.uri, name: 'ws' }],
      // Everything that makes the server ask the client something.
      capabilities: { workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true }, didChangeConfiguration: { dynamicRegistration: true } } },
    });
    await e.conn.sendNotification('initialized', {});
    const uri = pathToFileURL(path.join(ws.dir, 'svc.yaml')).href;
    await e.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: SVC.replace('app: web', 'app: wbe') } });
    const pub = await e.waitFor(() => e.published.find((p) => p.uri === uri), 'diagnostics');
    // The Deployment on disk was indexed: the selector typo is found against its labels.
    assert.match(String(pub.diagnostics.find((d) => d.code === 'KSD101')?.message), /Did you mean app=web/);
    const symbols = (await e.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as unknown[];
    assert.equal(symbols.length, 1);
    assert.ok(e.serverRequests.includes('workspace/configuration'), e.serverRequests.join());
    assert.ok(e.serverRequests.includes('client/registerCapability'), e.serverRequests.join());
    assert.ok(e.logs.some((l) => /did not answer workspace\/configuration/.test(l)), e.logs.join('\n'));
  } finally {
    await e.stop();
  }
});

test('a client with a rootUri, workspace/configuration and no folder events is indexed; a late configuration answer is applied', async () => {
  const ws = workspace();
  let release: (v: unknown) => void = () => undefined;
  const answered = new Promise((r) => (release = r));
  const e = editor((method) => (method === 'workspace/configuration' ? answered : null));
  try {
    await e.conn.sendRequest('initialize', { processId: null, rootUri: ws.uri, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
    await e.conn.sendNotification('initialized', {});
    const uri = pathToFileURL(path.join(ws.dir, 'svc.yaml')).href;
    await e.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: SVC.replace('app: web', 'app: nothing') } });
    await e.waitFor(() => e.published.find((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'KSD101')), 'KSD101 under the default settings');
    release([{ checks: { KSD101: 'off' } }]);
    await e.waitFor(() => (e.published.at(-1)?.uri === uri && !e.published.at(-1)!.diagnostics.some((d) => d.code === 'KSD101') ? true : undefined), 'KSD101 switched off by the late settings');
    assert.ok(!e.logs.some((l) => /failed/.test(l)), e.logs.join('\n'));
  } finally {
    await e.stop();
  }
});

test('a client without workspace/configuration that starts without folders and adds one gets it indexed', async () => {
  const ws = workspace();
  const e = editor(() => null);
  try {
    await e.conn.sendRequest('initialize', { processId: null, rootUri: null, workspaceFolders: null, capabilities: { workspace: { workspaceFolders: true } } });
    await e.conn.sendNotification('initialized', {});
    const uri = pathToFileURL(path.join(ws.dir, 'svc.yaml')).href;
    await e.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: SVC } });
    // Alone, the Service's selector matches nothing.
    await e.waitFor(() => e.published.find((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'KSD101')), 'KSD101 before the folder');
    await e.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: ws.uri, name: 'ws' }], removed: [] } });
    await e.waitFor(() => (e.published.at(-1)?.uri === uri && !e.published.at(-1)!.diagnostics.some((d) => d.code === 'KSD101') ? true : undefined), 'the Deployment in the added folder');
    assert.deepEqual(e.serverRequests, [], 'a client without those capabilities is asked nothing');
  } finally {
    await e.stop();
  }
});

test('another editor gets the pod-count lens only; Trace and Rule chain lenses go to a client that runs those commands', async () => {
  const ws = workspace();
  for (const [init, titles] of [
    [undefined, ['2 pods, 2 ready']],
    [{ clientCommands: ['kubeServiceDebugger.traceRequest'] }, ['2 pods, 2 ready', 'Trace']],
    [{ clientCommands: ['kubeServiceDebugger.traceRequest', 'kubeServiceDebugger.showRuleChain'] }, ['2 pods, 2 ready', 'Trace', 'Rule chain']],
  ] as const) {
    const e = editor(() => null);
    try {
      await e.conn.sendRequest('initialize', { processId: null, rootUri: ws.uri, capabilities: {}, initializationOptions: init });
      await e.conn.sendNotification('initialized', {});
      const uri = pathToFileURL(path.join(ws.dir, 'svc.yaml')).href;
      await e.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: SVC } });
      const lenses = (await e.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as { command?: { title: string } }[];
      assert.deepEqual(
        lenses.map((l) => l.command?.title),
        titles,
        JSON.stringify(init),
      );
    } finally {
      await e.stop();
    }
  }
});

test('settings in initializationOptions keyed by section, as Helix sends its config, are applied', async () => {
  const ws = workspace();
  const e = editor(() => null);
  try {
    await e.conn.sendRequest('initialize', { processId: null, rootUri: ws.uri, capabilities: {}, initializationOptions: { kubeServiceDebugger: { checks: { KSD101: 'off' } } } });
    await e.conn.sendNotification('initialized', {});
    const uri = pathToFileURL(path.join(ws.dir, 'svc.yaml')).href;
    // Two findings on this Service: KSD101 (switched off) and KSD311 (an invalid name).
    await e.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: SVC.replace('app: web', 'app: nothing').replace('name: web', 'name: Web') } });
    const pub = await e.waitFor(() => e.published.find((p) => p.uri === uri), 'diagnostics');
    assert.deepEqual(pub.diagnostics.map((d) => d.code), ['KSD311']);
  } finally {
    await e.stop();
  }
});

test('a client offering only utf-8 positions gets UTF-16 (the default every client supports), edits included', async () => {
  const e = editor(() => null);
  try {
    const init = (await e.conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: { general: { positionEncodings: ['utf-8'] } } })) as { capabilities: { positionEncoding?: string } };
    // No positionEncoding in the answer means utf-16, which the server then must use throughout.
    assert.equal(init.capabilities.positionEncoding, undefined);
    await e.conn.sendNotification('initialized', {});
    const uri = 'file:///nowhere/emoji.yaml';
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {x: "😀", app: "a b"}\n  ports:\n  - port: 80\n';
    await e.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const invalid = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'KSD104').map((d) => [d.range.start.line, d.range.start.character, d.range.end.character]);
    const first = await e.waitFor(() => e.published.find((p) => p.uri === uri), 'diagnostics');
    // "😀" is two UTF-16 code units (four UTF-8 bytes): the quoted values span 16-20 and 27-32.
    assert.deepEqual(invalid(first), [[5, 16, 20], [5, 27, 32]]);
    // Two range edits in one notification, each in the text the one before it left: the emoji value
    // becomes "ok😀" and a comment line goes on top.
    const count = e.published.length;
    await e.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 5, character: 17 }, end: { line: 5, character: 19 } }, text: 'ok😀' },
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# c\n' },
      ],
    });
    const second = await e.waitFor(() => e.published.slice(count).find((p) => p.uri === uri), 'diagnostics after the edit');
    assert.deepEqual(invalid(second), [[6, 16, 22], [6, 29, 34]]);
  } finally {
    await e.stop();
  }
});
