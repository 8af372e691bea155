/** `--live`: a one-shot, read-only snapshot of one namespace of a cluster from the user's kubeconfig. */
import type { ClusterState } from '../core';
import { LiveCluster, LiveError } from '../live';
import { CliError } from './io';

export interface LiveFlags {
  context?: string;
  kubeconfig?: string;
  /** Seconds to wait for the API server (default 20). */
  timeoutSeconds?: number;
}

export async function loadLiveState(namespace: string, flags: LiveFlags): Promise<{ state: ClusterState; context: string }> {
  const timeoutMs = (flags.timeoutSeconds ?? 20) * 1000;
  try {
    const live = await LiveCluster.connect({
      kubeconfig: flags.kubeconfig ? { files: [flags.kubeconfig] } : undefined,
      context: flags.context,
      // A command the user runs is as trusted as their shell: kubectl runs credential plugins too.
      trusted: true,
      namespace,
      resources: ['services', 'endpointslices', 'pods', 'nodes', 'kube-proxy'],
      requestTimeoutMs: timeoutMs,
      reflector: { watch: false },
    });
    return { state: await live.snapshot(timeoutMs + 1000), context: live.context };
  } catch (e) {
    if (e instanceof LiveError) throw new CliError(e.message);
    throw e;
  }
}
