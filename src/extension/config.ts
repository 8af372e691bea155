/** Typed reads of the extension's own settings (section `kubeServiceDebugger`). */
import * as vscode from 'vscode';
import type { ClusterOptions } from '../core';
import { parseNodePortRange } from '../protocol/settings';

export const SECTION = 'kubeServiceDebugger';

export interface ExtensionConfig {
  /** Start the language server (diagnostics, hover, code lens). */
  serverEnabled: boolean;
  /** Glob of manifest files the Services tree and panel read. */
  include: string;
  /** Globs left out of the workspace scan. */
  exclude: string[];
  /** Upper bound on files read for the tree, so a huge monorepo cannot stall the extension host. */
  maxFiles: number;
  /** Proxy mode to show ("" = a KubeProxyConfiguration in the workspace decides, else iptables). */
  proxyMode: '' | 'iptables' | 'nftables' | 'ipvs';
  /** kube-proxy version "X.Y" ("" for the cluster's, else each mode's default: see resolveProxyVersion). */
  kubeProxyVersion: string;
  /** Cluster-state options shared with the language server's settings (CIDRs, node-port range). */
  cluster: ClusterOptions;
}

export const DEFAULTS: ExtensionConfig = {
  serverEnabled: true,
  include: '**/*.{yaml,yml,json}',
  exclude: ['**/node_modules/**', '**/.git/**'],
  maxFiles: 5000,
  proxyMode: '',
  kubeProxyVersion: '',
  cluster: {},
};

export function readConfig(scope?: vscode.ConfigurationScope): ExtensionConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const mode = c.get<string>('proxy.mode');
  const maxFiles = c.get<number>('workspace.maxFiles');
  const exclude = c.get<unknown>('workspace.exclude');
  return {
    serverEnabled: c.get<boolean>('server.enabled') !== false,
    include: nonEmpty(c.get<string>('workspace.include')) ?? DEFAULTS.include,
    exclude: Array.isArray(exclude) ? exclude.filter((e): e is string => typeof e === 'string' && e !== '') : DEFAULTS.exclude,
    maxFiles: typeof maxFiles === 'number' && maxFiles > 0 ? Math.floor(maxFiles) : DEFAULTS.maxFiles,
    proxyMode: mode === 'nftables' || mode === 'ipvs' || mode === 'iptables' ? mode : '',
    kubeProxyVersion: nonEmpty(c.get<string>('proxy.version')) ?? '',
    cluster: {
      clusterCIDRs: strings(c.get<unknown>('clusterCIDRs')),
      serviceCIDRs: strings(c.get<unknown>('serviceCIDRs')),
      nodePortRange: parseNodePortRange(c.get<string>('nodePortRange') ?? ''),
      proxyMode: mode === 'nftables' || mode === 'ipvs' || mode === 'iptables' ? mode : undefined,
    },
  };
}

function strings(v: unknown): string[] | undefined {
  const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
  return list.length ? list : undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}
