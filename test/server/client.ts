/** A real LSP client (vscode-jsonrpc message connection) talking to startServer over in-memory streams. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createConnection, createMessageConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type MessageConnection, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from '../../src/server/startServer';

export interface ClientOptions {
  files?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Client capabilities to leave out (to test degraded clients). */
  noConfiguration?: boolean;
  server?: ServerOptions;
  /** Sent as initialize's initializationOptions (e.g. {trusted: true} for live checks). */
  initializationOptions?: unknown;
  /** Extra textDocument client capabilities (e.g. completion.completionItem.insertReplaceSupport). */
  textDocument?: Record<string, unknown>;
}

/** `text` with one `|` marking the cursor: the text without it and the cursor's line/character. */
export function caret(marked: string): { text: string; line: number; character: number } {
  const at = marked.indexOf('|');
  if (at < 0) throw new Error('fixture has no | cursor');
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const before = marked.slice(0, at).split('\n');
  return { text, line: before.length - 1, character: before[before.length - 1]!.length };
}

export class TestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams['diagnostics']>();
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  readonly status: unknown[] = [];
  /** ksd/liveStatus notifications. */
  readonly liveStatus: { state: string; context?: string; message?: string }[] = [];
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  settings: Record<string, unknown>;
  private versions = new Map<string, number>();

  private constructor(
    readonly conn: MessageConnection,
    readonly root: string,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
  }

  static async start(opts: ClientOptions = {}): Promise<TestClient> {
    const root = mkdtempSync(path.join(tmpdir(), 'ksd-lsp-'));
    for (const [rel, text] of Object.entries(opts.files ?? {})) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    const up = new PassThrough();
    const down = new PassThrough();
    const server = createConnection(ProposedFeatures.all, new StreamMessageReader(up), new StreamMessageWriter(down));
    startServer(server, { debounceMs: 10, ...opts.server });
    const conn = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
    const client = new TestClient(conn, root, opts.settings ?? {});
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.published.push(p);
      client.diagnostics.set(p.uri, p.diagnostics);
    });
    conn.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
    });
    conn.onNotification('ksd/status', (p: unknown) => {
      client.status.push(p);
    });
    conn.onNotification('ksd/liveStatus', (p: { state: string }) => {
      client.liveStatus.push(p);
    });
    conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => client.settings));
    conn.onRequest('client/registerCapability', (p: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      client.registrations.push(...p.registrations);
      return null;
    });
    conn.listen();
    const rootUri = pathToFileURL(root).href;
    await conn.sendRequest('initialize', {
      processId: null,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      initializationOptions: opts.initializationOptions,
      capabilities: {
        workspace: { configuration: !opts.noConfiguration, didChangeWatchedFiles: { dynamicRegistration: true }, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true }, ...opts.textDocument },
      },
    });
    await conn.sendNotification('initialized', {});
    await client.until(() => client.status.some((s) => (s as { state: string }).state === 'ready'), 'indexing to finish');
    return client;
  }

  uri(rel: string): string {
    return pathToFileURL(path.join(this.root, rel)).href;
  }

  async open(rel: string, text: string): Promise<string> {
    const uri = this.uri(rel);
    this.versions.set(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return uri;
  }

  /** Replaces a range (or the whole text) as an incremental change. */
  async edit(uri: string, text: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [range ? { range, text } : { text }] });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  /** Polls a condition with a time budget (never a fixed sleep). */
  /** Waits for `cond`; the budget is generous because these tiers also run on 2 shared, loaded cores. */
  async until(cond: () => boolean, what: string, budgetMs = 20_000): Promise<void> {
    const end = Date.now() + budgetMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async diagnosticsFor(uri: string, cond: (d: PublishDiagnosticsParams['diagnostics']) => boolean, what = 'diagnostics'): Promise<PublishDiagnosticsParams['diagnostics']> {
    await this.until(() => cond(this.diagnostics.get(uri) ?? []), `${what} on ${uri}`);
    return this.diagnostics.get(uri) ?? [];
  }

  async stop(): Promise<void> {
    await this.conn.sendRequest('shutdown');
    this.conn.dispose();
  }
}
