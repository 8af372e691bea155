/**
 * The language client: starts dist/server.js (our language server) over IPC, restarts it when it crashes
 * (at most MAX_RESTARTS times in RESTART_WINDOW_MS, then asks the user), and logs to the output channel.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, TransportKind, type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LiveStatusNotification, RULE_CHAIN_COMMAND, TRACE_COMMAND, type InitializationOptions, type LiveStatusParams } from '../protocol/lsp';
import { SECTION } from './config';
import type { Log } from './log';
import { MAX_RESTARTS, RESTART_WINDOW_MS, RestartPolicy } from './restartPolicy';

export class ServerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly policy = new RestartPolicy();
  private readonly liveEmitter = new vscode.EventEmitter<LiveStatusParams>();
  /** The server's live manifest checks: connecting, synced, reconnecting... (kubeServiceDebugger.live.checkManifests). */
  readonly onLiveStatus = this.liveEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  get running(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  /** Starts the server; resolves once it is up (or failed, which is logged). */
  async start(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/server.js');
    if (!fs.existsSync(module)) {
      this.log.warn(`The language server (dist/server.js) is not in this build: no diagnostics, hover or code lens. The Services tree and panel still work.`);
      return;
    }
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'untitled', language: 'yaml' },
        { scheme: 'file', language: 'json' },
      ],
      synchronize: { configurationSection: SECTION },
      outputChannel: this.log.channel,
      // The server reads the kubeconfig (live checks) only when told the workspace is trusted; granting trust restarts it.
      // The Trace and Rule chain lenses run the extension's commands; other editors do not get them.
      initializationOptions: { trusted: vscode.workspace.isTrusted, clientCommands: [TRACE_COMMAND, RULE_CHAIN_COMMAND] } satisfies InitializationOptions,
      errorHandler: this.errorHandler(),
    };
    this.client = new LanguageClient('kubeServiceDebugger', 'Kubernetes Service Debugger', serverOptions, clientOptions);
    const t0 = performance.now();
    try {
      this.client.onNotification(LiveStatusNotification.method, (p: LiveStatusParams) => this.liveEmitter.fire(p));
      await this.client.start();
      this.log.info(`Language server started in ${(performance.now() - t0).toFixed(0)} ms.`);
    } catch (e) {
      this.log.error('The language server failed to start', e);
    }
  }

  async restart(): Promise<void> {
    if (this.client) {
      await this.client.stop().catch((e: unknown) => this.log.error('Stopping the language server', e));
      this.client = undefined;
    }
    await this.start();
  }

  private errorHandler(): ErrorHandler {
    return {
      error: (error, _message, count): ErrorHandlerResult => {
        this.log.error(`Language server connection error (${count ?? 0})`, error);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
      },
      closed: (): CloseHandlerResult => {
        if (this.policy.shouldRestart(Date.now())) {
          this.log.warn('The language server stopped unexpectedly; restarting it.');
          return { action: CloseAction.Restart };
        }
        this.log.error(`The language server crashed ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60000} minutes; it will not be restarted.`);
        void vscode.window.showErrorMessage('The Kubernetes Service Debugger language server keeps crashing. See the output channel for details.', 'Show Output', 'Restart').then((pick) => {
          if (pick === 'Show Output') this.log.channel.show();
          if (pick === 'Restart') void this.restart();
        });
        return { action: CloseAction.DoNotRestart };
      },
    };
  }

  async dispose(): Promise<void> {
    this.liveEmitter.dispose();
    await this.client?.stop().catch(() => undefined);
  }
}
