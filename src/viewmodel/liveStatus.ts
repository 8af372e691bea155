/**
 * The status bar item for live manifest checks (the server's ksd/liveStatus), as plain data: hidden when the
 * setting is off, a warning look when the checks are not current (untrusted, reconnecting, forbidden, error).
 */
import type { LiveStatusParams } from '../protocol/lsp';

export interface LiveStatusView {
  text: string;
  tooltip: string;
  /** Not current: shown with a warning background. */
  warning: boolean;
}

export function liveStatusView(p: LiveStatusParams, now = Date.now()): LiveStatusView | undefined {
  if (p.state === 'off' || p.state === 'stopped') return undefined;
  const ctx = p.context ?? 'current context';
  const icon = p.state === 'synced' ? '$(cloud)' : p.state === 'connecting' || p.state === 'syncing' ? '$(sync~spin)' : '$(warning)';
  const stale = p.staleSince !== undefined ? ` Data from ${Math.max(0, Math.round((now - p.staleSince) / 1000))} s ago.` : '';
  const where = p.server ? ` (${p.server})` : '';
  const tooltip =
    p.state === 'untrusted'
      ? 'Open manifests are not checked against a live cluster: the workspace is not trusted.'
      : `Open manifests are checked against the live cluster of context ${ctx}${where}: ${p.state}${p.message ? ` (${p.message})` : ''}.${stale} Read-only.`;
  return { text: `${icon} ksd live: ${p.state === 'untrusted' ? 'untrusted' : `${ctx} ${p.state}`}`, tooltip, warning: p.state !== 'synced' && p.state !== 'connecting' && p.state !== 'syncing' };
}
