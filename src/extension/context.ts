/** What every command and view shares: built once in activate. */
import * as vscode from 'vscode';
import type { ClusterState } from '../core';
import type { ServiceRef } from '../protocol/webview';
import type { ServerClient } from './client';
import type { ImportStore } from './importStore';
import type { LiveSources } from './liveSources';
import type { Log } from './log';
import type { RuleDocumentProvider } from './ruleDocuments';
import type { ServiceTreeProvider } from './views/serviceTree';
import type { WorkspaceModel } from './workspaceModel';

export interface Ctx {
  extension: vscode.ExtensionContext;
  log: Log;
  model: WorkspaceModel;
  tree: ServiceTreeProvider;
  rules: RuleDocumentProvider;
  client: ServerClient;
  live: LiveSources;
  /** Node rules imported in this window (Import Node Rules), for the panel's traces. */
  imports: ImportStore;
}

/** The state a Service is analysed on: its live cluster's for a live Service, else the workspace's. */
export async function stateFor(ctx: Ctx, ref: ServiceRef | null | undefined): Promise<ClusterState> {
  return ref?.context !== undefined ? ctx.live.stateFor(ref) : stateOf(ctx);
}

/** The workspace state, loading it first if needed. */
export async function stateOf(ctx: Ctx): Promise<ClusterState> {
  await ctx.model.ready();
  const s = ctx.model.state;
  if (!s) throw new Error('The workspace manifests could not be read.');
  return s;
}
