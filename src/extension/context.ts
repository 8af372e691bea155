/** What every command and view shares: built once in activate. */
import * as vscode from 'vscode';
import type { ClusterState } from '../core';
import type { ServerClient } from './client';
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
}

/** The workspace state, loading it first if needed. */
export async function stateOf(ctx: Ctx): Promise<ClusterState> {
  await ctx.model.ready();
  const s = ctx.model.state;
  if (!s) throw new Error('The workspace manifests could not be read.');
  return s;
}
