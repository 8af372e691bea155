/**
 * Follows the kubeconfig's current context: when a file changes (`kubectl config use-context`,
 * a cloud CLI adding a cluster), it is read again and the listener hears the new current context
 * and context list. Polls the files' modification times (fs.watch misses editors' atomic renames).
 */
import { statSync } from 'node:fs';
import { LiveError } from './errors';
import { kubeconfigFiles, loadKubeconfig, type Kubeconfig, type KubeconfigSource } from './kubeconfig';
import type { Disposable } from './types';

export interface KubeconfigChange {
  kubeconfig?: Kubeconfig;
  /** Set when the files can no longer be read or parsed. */
  error?: LiveError;
}

export function watchKubeconfig(source: KubeconfigSource, listener: (c: KubeconfigChange) => void, intervalMs = 1000): Disposable {
  const files = kubeconfigFiles(source);
  const stamp = () => files.map((f) => {
    try {
      const s = statSync(f);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return 'missing';
    }
  }).join('|');
  let last = stamp();
  let busy = false;
  const timer = setInterval(() => {
    const now = stamp();
    if (now === last || busy) return;
    last = now;
    busy = true;
    loadKubeconfig(source).then(
      (kubeconfig) => listener({ kubeconfig }),
      (e: unknown) => listener({ error: e instanceof LiveError ? e : new LiveError('bad-kubeconfig', String(e)) }),
    ).finally(() => (busy = false)).catch(() => undefined);
  }, intervalMs);
  timer.unref?.();
  return { dispose: () => clearInterval(timer) };
}
