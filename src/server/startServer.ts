/**
 * The language server, built from a connection the caller passes in (stdio for `ksd lsp --stdio` and the
 * extension's dist/server.js; in-memory streams in tests). Maps core results to LSP; computes nothing itself.
 */
import { CodeActionKind, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType, TextDocumentSyncKind, TextDocuments, type Connection, type InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../core';
import { LiveStatusNotification, RuleChainRequest, ServiceSummaryRequest, StatusNotification, type InitializationOptions, TraceRequest, type RuleChainParams, type RuleChainResult, type ServiceSummaryParams, type ServiceSummaryResult, type StatusParams, type TraceParams, type TraceResult } from '../protocol/lsp';
import { normalizeSettings, SETTINGS_SECTION, type KsdSettings } from '../protocol/settings';
import { Analysis } from './analysis';
import { quickFixes } from './features/codeActions';
import { ruleChain } from './features/ruleChain';
import { traceRequest } from './features/trace';
import { codeLenses } from './features/codeLens';
import { completions, type CompletionOptions } from './features/completion';
import { lspDiagnostic, toLspDiagnostic } from './features/convert';
import { hoverMarkdown } from './features/hover';
import { locate } from './features/locate';
import { definition, references } from './features/navigation';
import { serviceSummary } from './features/summary';
import { documentSymbols } from './features/symbols';
import { guard } from './guard';
import { LiveChecks } from './liveChecks';
import { Scheduler } from './scheduler';
import { tuneServerTiering } from './tiering';
import { TextChanges } from './workspace/textChange';
import { normalizeUri, uriToPath } from './workspace/uri';
import { WorkspaceIndex, type FileChange } from './workspace/workspaceIndex';

export interface ServerOptions {
  /** Edits arriving within this many ms of the last analysis are coalesced (default 75). */
  debounceMs?: number;
  /**
   * How long the first index waits for the client's answer to workspace/configuration (default 1500 ms). A
   * client that never answers gets the pushed or default settings; a late answer is applied when it comes.
   */
  configTimeoutMs?: number;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  // Before any analysis runs: V8's optimiser budget for a process that mostly runs big one-off analyses.
  tuneServerTiering();
  const log = { error: (m: string) => connection.console.error(m) };
  // Where each edit fell (offsets in the text before it), so re-reading a document splits only around it.
  const edited = new TextChanges();
  const documents = new TextDocuments({
    create: TextDocument.create,
    update: (doc, changes, version) => {
      const uri = normalizeUri(doc.uri);
      // One change at a time: each range is in the text the changes before it made.
      for (const c of changes) {
        if ('range' in c) {
          const length = doc.getText().length;
          edited.record(uri, length, doc.offsetAt(c.range.start), doc.offsetAt(c.range.end), c.text.length);
        } else edited.unknown(uri);
        doc = TextDocument.update(doc, [c], version);
      }
      return doc;
    },
  });
  let settings: KsdSettings = normalizeSettings(undefined);
  const index = new WorkspaceIndex(settings);
  // Open manifests checked against a live cluster (off unless set and trusted): see liveChecks.ts.
  let trusted = false;
  const openUris = () => documents.all().map((d) => normalizeUri(d.uri));
  const live = new LiveChecks({
    openFile: (uri) => (openUris().includes(uri) ? index.file(uri) : undefined),
    openUris,
    republish: (uri) => publish(uri, analysis.diagnosticsFor(uri)),
    status: (s) => void connection.sendNotification(LiveStatusNotification.method, s),
    log: (m) => connection.console.warn(m),
  });
  const publish = (uri: string, diags: readonly Diagnostic[]) => {
    const found = live.findings(uri, diags);
    const fromLive = found.live.map((d) => ({ ...toLspDiagnostic(d), source: 'ksd (live cluster)' }));
    void connection.sendDiagnostics({ uri, diagnostics: [...found.offline.map(lspDiagnostic), ...fromLive] });
  };
  const analysis = new Analysis(index, settings, publish);
  let folders: string[] = [];
  let canPullConfig = false;
  let canWatch = false;
  let canRegisterConfig = false;
  let canFolderEvents = false;
  let clientCommands: ReadonlySet<string> = new Set();
  let completionOptions: CompletionOptions = {};
  let ready: Promise<void> = Promise.resolve();
  let indexed = false;

  const status = (state: StatusParams['state'], message?: string) =>
    void connection.sendNotification(StatusNotification.method, { state, files: index.size, objects: analysis.state?.objects.length ?? 0, services: analysis.state?.services.length ?? 0, message } satisfies StatusParams);

  const scheduler = new Scheduler(
    (uris) => {
      const changes: FileChange[] = [];
      for (const docUri of uris) {
        const doc = documents.get(docUri);
        const uri = normalizeUri(docUri);
        if (doc && index.accepts(uri, doc.languageId)) changes.push(index.setText(uri, doc.getText(), edited.take(uri)));
      }
      if (changes.length) {
        analysis.update(changes, changes[0]!.uri);
        live.refresh(changes.map((c) => c.uri));
      }
    },
    options.debounceMs ?? 75,
    (e) => log.error(`ksd: analysis failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );

  async function loadSettings(pushed?: unknown): Promise<void> {
    let raw: unknown = pushed;
    if (canPullConfig) {
      const pulled = await pullSettings();
      if (pulled !== NO_ANSWER) raw = pulled;
    }
    applySettings(raw);
  }

  function applySettings(raw: unknown): void {
    settings = normalizeSettings(raw);
    live.configure(settings, trusted);
  }

  /**
   * The client's answer to workspace/configuration, or NO_ANSWER when it fails or does not come in time: a
   * client that never answers must not hold up the index (and every request waiting for it) forever.
   */
  async function pullSettings(): Promise<unknown> {
    const asked = connection.workspace.getConfiguration({ section: SETTINGS_SECTION });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof NO_ANSWER>((resolve) => (timer = setTimeout(() => resolve(NO_ANSWER), options.configTimeoutMs ?? 1500)));
    try {
      const answer = await Promise.race([asked, late]);
      if (answer === NO_ANSWER) {
        connection.console.warn(`ksd: the client did not answer workspace/configuration within ${options.configTimeoutMs ?? 1500} ms; using the settings from initializationOptions or didChangeConfiguration (or the defaults) until it does`);
        asked.then(
          (raw: unknown) => {
            ready = ready.then(
              guard(log, 'configuration', undefined, async () => {
                applySettings(raw);
                await rescan();
              }),
            );
          },
          () => undefined,
        );
      }
      return answer;
    } catch (e) {
      log.error(`ksd: could not read settings: ${String(e)}`);
      return NO_ANSWER;
    } finally {
      clearTimeout(timer);
    }
  }

  async function rescan(): Promise<void> {
    status('indexing');
    index.configure(settings);
    analysis.configure(settings);
    const problems = await index.scan(folders, (done, total) => status('indexing', `${done}/${total} files`));
    for (const p of problems) connection.console.warn(`ksd: ${p}`);
    // Open documents win over disk content.
    for (const doc of documents.all()) if (index.accepts(normalizeUri(doc.uri), doc.languageId)) index.setText(normalizeUri(doc.uri), doc.getText(), edited.take(normalizeUri(doc.uri)));
    analysis.update('all');
    indexed = true;
    status('ready');
  }

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    canPullConfig = !!caps.workspace?.configuration;
    canWatch = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    canRegisterConfig = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    canFolderEvents = !!caps.workspace?.workspaceFolders;
    completionOptions = { insertReplace: !!caps.textDocument?.completion?.completionItem?.insertReplaceSupport };
    const fromFolders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    const root = params.rootUri ? uriToPath(params.rootUri) : (params.rootPath ?? undefined);
    folders = fromFolders.length ? fromFolders : root ? [root] : [];
    const init = params.initializationOptions as InitializationOptions | undefined;
    trusted = init?.trusted === true;
    const initSettings = init?.settings ?? init?.[SETTINGS_SECTION];
    if (initSettings) settings = normalizeSettings(initSettings);
    clientCommands = new Set(Array.isArray(init?.clientCommands) ? init.clientCommands.filter((c): c is string => typeof c === 'string') : []);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        completionProvider: { triggerCharacters: [':', ' '] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'ksd', version: typeof __KSD_VERSION__ === 'string' ? __KSD_VERSION__ : undefined },
    };
  });

  connection.onInitialized(() => {
    // Set synchronously, so every request that arrives from now on waits for the first index.
    ready = guard(log, 'initialized', undefined, async () => {
      // Not awaited: the index must not wait for a client that is slow to answer (or never answers) a request.
      const registered = (what: string) => (e: unknown) => log.error(`ksd: could not register for ${what}: ${String(e)}`);
      if (canWatch) connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml,json}' }] }).catch(registered('file changes'));
      if (canRegisterConfig) connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch(registered('configuration changes'));
      // Any client that says it sends folder changes, whether it started with folders or not.
      if (canFolderEvents) {
        connection.workspace.onDidChangeWorkspaceFolders((e) => {
          const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
          folders = [...folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p)];
          ready = ready.then(guard(log, 'workspaceFolders', undefined, rescan));
        });
      }
      await loadSettings(settings);
      await rescan();
    })();
  });

  connection.onDidChangeConfiguration(
    guard(log, 'configuration', undefined, async (p) => {
      const pushed = (p.settings as Record<string, unknown> | undefined)?.[SETTINGS_SECTION];
      ready = ready.then(async () => {
        await loadSettings(pushed ?? settings);
        await rescan();
      });
      await ready;
    }),
  );

  documents.onDidChangeContent((e) => {
    // Before the first index is built, rescan() takes every open document; analysing earlier would
    // report Services as matching nothing only because the other files are not read yet.
    if (!indexed) return;
    const uri = normalizeUri(e.document.uri);
    if (index.accepts(uri, e.document.languageId)) scheduler.changed(uri, e.document.uri);
  });
  /** Disk reads after close and watched-file events, in order; requests wait for them. */
  let io: Promise<unknown> = Promise.resolve();
  const serially = (name: string, fn: () => Promise<void>) => (io = io.then(guard(log, name, undefined, fn)));

  documents.onDidOpen((e) => edited.unknown(normalizeUri(e.document.uri)));
  documents.onDidClose((e) => {
    scheduler.forget(e.document.uri);
    edited.forget(normalizeUri(e.document.uri));
    void serially('didClose', async () => {
      const change = await index.close(normalizeUri(e.document.uri));
      if (change) analysis.update([change]);
    });
  });

  connection.onDidChangeWatchedFiles((p) => {
    void serially('watchedFiles', async () => {
      await ready;
      const changes: FileChange[] = [];
      for (const c of p.changes) changes.push(...(await index.diskChanged(normalizeUri(c.uri), c.type === FileChangeType.Deleted)));
      if (changes.length) analysis.update(changes);
    });
  });

  /** Requests see the indexed workspace and every edit made so far (pending ones are applied first). */
  const fresh = async (docUri: string) => {
    await ready;
    await io;
    scheduler.flush();
    const uri = normalizeUri(docUri);
    const file = index.file(uri);
    return { uri, file, state: analysis.state };
  };

  connection.onHover(
    guard(log, 'hover', null, async (p) => {
      const { file, state } = await fresh(p.textDocument.uri);
      const at = file && state ? locate(file, p.position) : undefined;
      const md = at && state ? hoverMarkdown(state, at) : undefined;
      return md ? { contents: { kind: 'markdown' as const, value: md } } : null;
    }),
  );
  connection.onCodeLens(
    guard(log, 'codeLens', [], async (p) => {
      const { uri, file, state } = await fresh(p.textDocument.uri);
      return file && state ? codeLenses(state, file, uri, clientCommands) : [];
    }),
  );
  connection.onCodeAction(
    guard(log, 'codeAction', [], async (p) => {
      const { uri } = await fresh(p.textDocument.uri);
      return quickFixes([...analysis.diagnosticsFor(uri), ...live.publishedFor(uri)], p.context.diagnostics, p.context.only);
    }),
  );
  connection.onCompletion(
    guard(log, 'completion', [], async (p) => {
      const { state } = await fresh(p.textDocument.uri);
      const doc = documents.get(p.textDocument.uri);
      return doc && state ? completions(state, doc.getText(), p.position.line, p.position.character, completionOptions) : [];
    }),
  );
  connection.onDefinition(
    guard(log, 'definition', [], async (p) => {
      const { file, state } = await fresh(p.textDocument.uri);
      const at = file && state ? locate(file, p.position) : undefined;
      return at && state ? definition(state, at) : [];
    }),
  );
  connection.onReferences(
    guard(log, 'references', [], async (p) => {
      const { file, state } = await fresh(p.textDocument.uri);
      const at = file && state ? locate(file, p.position) : undefined;
      return at && state ? references(state, at, p.context.includeDeclaration) : [];
    }),
  );
  connection.onDocumentSymbol(
    guard(log, 'documentSymbol', [], async (p) => {
      const { file } = await fresh(p.textDocument.uri);
      return file ? documentSymbols(file) : [];
    }),
  );

  connection.onRequest(
    ServiceSummaryRequest.method,
    guard(log, ServiceSummaryRequest.method, { services: [] } as ServiceSummaryResult, async (p: ServiceSummaryParams | undefined): Promise<ServiceSummaryResult> => {
      await ready;
      await io;
      scheduler.flush();
      const state = analysis.state;
      const uri = typeof p?.uri === 'string' ? normalizeUri(p.uri) : undefined;
      return { services: state ? serviceSummary(state, (u) => analysis.diagnosticsFor(u), uri) : [] };
    }),
  );
  connection.onRequest(
    RuleChainRequest.method,
    guard(log, RuleChainRequest.method, { available: false, reason: 'internal error (see the server log)' } as RuleChainResult, async (p: RuleChainParams | undefined): Promise<RuleChainResult> => {
      // As every request: the edits made so far are applied first (a rule chain asked right after didOpen or
      // didChange answers for that text, not the one before).
      await ready;
      await io;
      scheduler.flush();
      const missing = unknownService(p?.service);
      if (missing || !p || !analysis.state) return { available: false, reason: missing ?? 'The workspace is not indexed.' };
      if (p.mode !== undefined && !['iptables', 'nftables', 'ipvs'].includes(p.mode)) return { available: false, reason: `Unknown proxy mode "${String(p.mode)}" (iptables, nftables or ipvs).` };
      if (p.node !== undefined && typeof p.node !== 'string') return { available: false, reason: '`node` must be a Node name (a string).' };
      return ruleChain(analysis.state, p, settings);
    }),
  );
  connection.onRequest(
    TraceRequest.method,
    guard(log, TraceRequest.method, { available: false, reason: 'internal error (see the server log)' } as TraceResult, async (p: TraceParams | undefined): Promise<TraceResult> => {
      await ready;
      await io;
      scheduler.flush();
      if (!p || typeof p.from !== 'string' || typeof p.to !== 'string') return { available: false, reason: 'A trace needs `from` (an IP, pod:NS/NAME or node:NAME) and `to` (IP:PORT or NS/NAME:PORT).' };
      if (p.mode !== undefined && !['iptables', 'nftables', 'ipvs'].includes(p.mode)) return { available: false, reason: `Unknown proxy mode "${String(p.mode)}" (iptables, nftables or ipvs).` };
      if (!analysis.state) return { available: false, reason: 'The workspace is not indexed.' };
      return traceRequest(analysis.state, p, settings);
    }),
  );

  function unknownService(ref: RuleChainParams['service'] | undefined): string | undefined {
    if (!ref || typeof ref.namespace !== 'string' || typeof ref.name !== 'string') return 'A service reference {namespace, name} is required.';
    const known = analysis.state?.services.some((s) => s.namespace === ref.namespace && s.name === ref.name);
    return known ? undefined : `No Service ${ref.namespace}/${ref.name} in the workspace.`;
  }

  connection.onShutdown(() => {
    scheduler.dispose();
    live.stop();
  });
  documents.listen(connection);
  connection.listen();
}

const NO_ANSWER: unique symbol = Symbol('no answer');

declare const __KSD_VERSION__: string | undefined;
