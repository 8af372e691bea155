/**
 * Manifests checked against a live cluster: the manifest objects plus the live ones, where the
 * manifest wins for every object it defines (same kind, namespace and name). Live EndpointSlices
 * of a Service the manifests define are left out, so its endpoints are computed from the live pods
 * with the manifest's selector and ports, which is what the manifest would get once applied.
 */
import { buildClusterState, runChecks, type CheckOptions, type ClusterOptions, type ClusterState, type Diagnostic, type LoadedObject, type ManifestFile } from '../core';
import { serviceDrift } from './drift';

const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ServiceCIDR', 'KubeProxyConfiguration', 'IngressClass', 'GatewayClass', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition']);

function identity(o: LoadedObject, defaultNamespace: string): string {
  const ns = CLUSTER_SCOPED.has(o.kind) ? '' : (o.namespace ?? defaultNamespace);
  return `${o.kind}|${ns}|${o.name}`;
}

export function mergeWithLive(manifest: readonly LoadedObject[], live: readonly LoadedObject[], defaultNamespace = 'default'): LoadedObject[] {
  const whole = manifest.filter((o) => !o.partial);
  const defined = new Set(whole.map((o) => identity(o, defaultNamespace)));
  const services = new Set(whole.filter((o) => o.kind === 'Service').map((o) => `${o.namespace ?? defaultNamespace}/${o.name}`));
  const kept = live.filter((o) => {
    if (defined.has(identity(o, defaultNamespace))) return false;
    if (o.kind === 'EndpointSlice') {
      const owner = ((o.object['metadata'] as Record<string, unknown> | undefined)?.['labels'] as Record<string, unknown> | undefined)?.['kubernetes.io/service-name'];
      if (typeof owner === 'string' && services.has(`${o.namespace ?? defaultNamespace}/${owner}`)) return false;
    }
    if (o.kind === 'Endpoints' && services.has(`${o.namespace ?? defaultNamespace}/${o.name}`)) return false;
    return true;
  });
  // Manifest objects without a namespace land in the context's namespace, as kubectl apply would put them.
  const placed = manifest.map((o) => (o.namespace === undefined && !CLUSTER_SCOPED.has(o.kind) && defaultNamespace !== 'default' ? { ...o, namespace: defaultNamespace } : o));
  return [...placed, ...kept];
}

export interface LiveCheckOptions extends ClusterOptions {
  /** The context's namespace (manifest objects without one go there). */
  defaultNamespace?: string;
  /** The context name, for messages. */
  context: string;
  /** Severities and ignored labels, as the offline analysis uses them. */
  checks?: CheckOptions;
}

export interface LiveCheckResult {
  state: ClusterState;
  diagnostics: Diagnostic[];
}

/**
 * Diagnostics for manifest files against a live cluster: every check on the merged state (only the
 * diagnostics in the given files), plus drift between each manifest Service and the live one.
 */
export function checkAgainstLive(files: readonly ManifestFile[], live: ClusterState, options: LiveCheckOptions): LiveCheckResult {
  const ns = options.defaultNamespace ?? 'default';
  const manifestObjects = files.flatMap((f) => f.objects);
  const state = buildClusterState(mergeWithLive(manifestObjects, live.objects, ns), options);
  const names = new Set(files.map((f) => f.file));
  const diagnostics = runChecks({ state, files }, options.checks).filter((d) => names.has(d.file));
  const severities = options.checks?.severities ?? {};
  for (const o of manifestObjects) {
    if (o.kind !== 'Service' || o.partial) continue;
    for (const d of serviceDrift(o, live, options.context, ns)) {
      // The user's per-code severity (or 'off') holds for drift as for every check.
      const override = severities[d.code];
      if (override !== 'off') diagnostics.push(override ? { ...d, severity: override } : d);
    }
  }
  return { state, diagnostics };
}
