/** `--live`: a one-shot, read-only snapshot of a cluster (or one of its namespaces) from the user's kubeconfig. */
import type { ClusterState } from '../core';
import { LiveCluster, LiveError, type ResourceName } from '../live';
import { flagString, UsageError, type ParsedArgs } from './args';
import { CliError } from './io';

export interface LiveFlags {
  context?: string;
  kubeconfig?: string;
  /** Seconds to wait for the API server (default 20). */
  timeoutSeconds?: number;
}

/** The flags every `--live` command takes, for parseArgs. */
export const LIVE_FLAGS = { live: { value: false }, context: { value: true }, kubeconfig: { value: true } } as const;

/** --context and --kubeconfig only make sense with --live. */
export function liveFlags(args: ParsedArgs): LiveFlags | undefined {
  const live = args.flags.has('live');
  if (!live && (args.flags.has('context') || args.flags.has('kubeconfig'))) throw new UsageError('--context and --kubeconfig need --live');
  return live ? { context: flagString(args, 'context'), kubeconfig: flagString(args, 'kubeconfig') } : undefined;
}

export interface LiveSnapshot {
  state: ClusterState;
  context: string;
  /** The context's namespace (manifest objects without one would be applied there). */
  defaultNamespace: string;
}

/** One namespace (and the cluster-scoped objects), or the whole cluster when namespace is undefined. */
export async function loadLiveState(namespace: string | undefined, flags: LiveFlags): Promise<LiveSnapshot> {
  const timeoutMs = (flags.timeoutSeconds ?? 20) * 1000;
  const resources: ResourceName[] = ['services', 'endpointslices', 'pods', 'nodes', 'kube-proxy', 'kube-proxy-daemonset', 'kube-proxy-pods-component', 'kube-proxy-pods-k8s-app'];
  try {
    const live = await LiveCluster.connect({
      kubeconfig: flags.kubeconfig ? { files: [flags.kubeconfig] } : undefined,
      context: flags.context,
      // A command the user runs is as trusted as their shell: kubectl runs credential plugins too.
      trusted: true,
      namespace,
      // Cluster-wide, the namespace list is what a per-namespace fallback (403 on a cluster-wide list) walks.
      resources: namespace === undefined ? [...resources, 'namespaces'] : resources,
      requestTimeoutMs: timeoutMs,
      reflector: { watch: false },
    });
    return { state: await live.snapshot(timeoutMs + 1000), context: live.context, defaultNamespace: live.defaultNamespace };
  } catch (e) {
    if (e instanceof LiveError) throw new CliError(e.message);
    throw e;
  }
}
