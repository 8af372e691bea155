/** The extension's output channel ("Kubernetes Service Debugger"), with levels and timestamps. */
import * as vscode from 'vscode';

export const OUTPUT_NAME = 'Kubernetes Service Debugger';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_NAME, { log: true });
  }
  info(message: string): void {
    this.channel.info(message);
  }
  warn(message: string): void {
    this.channel.warn(message);
  }
  error(message: string, e?: unknown): void {
    this.channel.error(e === undefined ? message : `${message}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
