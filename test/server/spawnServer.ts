/** Drives a language server process over real stdio, the way another editor does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, type PublishDiagnosticsParams } from 'vscode-languageserver/node';

export interface ServerProcess {
  child: ChildProcess;
  conn: MessageConnection;
  stderr: string[];
  /** Every publishDiagnostics, with the time it arrived (performance.now()). */
  published: { at: number; params: PublishDiagnosticsParams }[];
  notifications: { method: string; params: unknown }[];
  waitFor<T>(pick: () => T | undefined, what: string, budgetMs?: number): Promise<T>;
  stop(): Promise<number | null>;
}

export function spawnServer(command: string, args: string[], settings: Record<string, unknown> = {}, cwd?: string): ServerProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const published: ServerProcess['published'] = [];
  const notifications: ServerProcess['notifications'] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push({ at: performance.now(), params: p });
  });
  conn.onNotification((method: string, params: unknown) => {
    notifications.push({ method, params });
  });
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section ? (settings[i.section] ?? null) : settings)));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    conn,
    stderr,
    published,
    notifications,
    async waitFor<T>(pick: () => T | undefined, what: string, budgetMs = 20000): Promise<T> {
      const end = Date.now() + budgetMs;
      for (;;) {
        const v = pick();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr.join('')}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    async stop() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch {
        child.kill();
      }
      const code = await exited;
      conn.dispose();
      return code;
    },
  };
}

export function initializeParams(rootUri: string | null) {
  return {
    processId: process.pid,
    rootUri,
    workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
    capabilities: {
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
      textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown', 'plaintext'] }, synchronization: { dynamicRegistration: false } },
    },
  };
}
