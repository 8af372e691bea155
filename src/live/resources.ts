/** The API resources a live source reads, where they live, and the fields the analyses keep. */
import { slimConfigMap, slimGeneric, slimKubeProxyDaemonSet, slimKubeProxyPod, slimNode, slimPod } from './slim';

export type ResourceName =
  | 'namespaces'
  | 'nodes'
  | 'services'
  | 'endpointslices'
  | 'pods'
  | 'kube-proxy'
  | 'kube-proxy-daemonset'
  | 'kube-proxy-pods-component'
  | 'kube-proxy-pods-k8s-app';

/**
 * kube-proxy's own objects in kube-system (its ConfigMap: mode and CIDRs; its DaemonSet, or its pods where it
 * runs as a static pod (GKE: component=kube-proxy; kOps: k8s-app=kube-proxy): the release, from the image
 * tag). Optional: unreadable (RBAC) or absent, the analyses fall back to defaults.
 */
export const KUBE_PROXY_RESOURCES: ReadonlySet<ResourceName> = new Set<ResourceName>(['kube-proxy', 'kube-proxy-daemonset', 'kube-proxy-pods-component', 'kube-proxy-pods-k8s-app']);

export interface ResourceDef {
  name: ResourceName;
  kind: string;
  apiVersion: string;
  /** URL prefix: /api/v1 or /apis/GROUP/VERSION. */
  prefix: string;
  plural: string;
  namespaced: boolean;
  /** Only this namespace (the kube-proxy ConfigMap lives in kube-system). */
  fixedNamespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Only some objects of the kind are read (the kube-proxy DaemonSet): the live source does not answer for the kind. */
  partialKind?: boolean;
  /** What is read, in the user's words, where the resource name is ours (kube-proxy's objects): "the kube-proxy DaemonSet in kube-system". */
  words?: string;
  /** Drops what no analysis reads, so 50,000 pods stay small. */
  slim(obj: Record<string, unknown>): Record<string, unknown>;
}

export const RESOURCES: readonly ResourceDef[] = [
  { name: 'namespaces', kind: 'Namespace', apiVersion: 'v1', prefix: '/api/v1', plural: 'namespaces', namespaced: false, slim: slimGeneric },
  { name: 'nodes', kind: 'Node', apiVersion: 'v1', prefix: '/api/v1', plural: 'nodes', namespaced: false, slim: slimNode },
  { name: 'services', kind: 'Service', apiVersion: 'v1', prefix: '/api/v1', plural: 'services', namespaced: true, slim: slimGeneric },
  {
    name: 'endpointslices',
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    prefix: '/apis/discovery.k8s.io/v1',
    plural: 'endpointslices',
    namespaced: true,
    slim: slimGeneric,
  },
  { name: 'pods', kind: 'Pod', apiVersion: 'v1', prefix: '/api/v1', plural: 'pods', namespaced: true, slim: slimPod },
  {
    name: 'kube-proxy',
    kind: 'ConfigMap',
    apiVersion: 'v1',
    prefix: '/api/v1',
    plural: 'configmaps',
    namespaced: true,
    fixedNamespace: 'kube-system',
    fieldSelector: 'metadata.name=kube-proxy',
    words: 'the kube-proxy ConfigMap in kube-system',
    slim: slimConfigMap,
  },
  {
    name: 'kube-proxy-daemonset',
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    prefix: '/apis/apps/v1',
    plural: 'daemonsets',
    namespaced: true,
    fixedNamespace: 'kube-system',
    fieldSelector: 'metadata.name=kube-proxy',
    partialKind: true,
    words: 'the kube-proxy DaemonSet in kube-system',
    slim: slimKubeProxyDaemonSet,
  },
  // The kube-proxy Pods, by either label kube-proxy's pods carry (a selector cannot say "either"): their image
  // tags name the release where no DaemonSet runs on the node. Pods read cluster-wide come twice (there without
  // images): LiveCluster keeps this copy.
  ...(['component', 'k8s-app'] as const).map(
    (label): ResourceDef => ({
      name: `kube-proxy-pods-${label}`,
      kind: 'Pod',
      apiVersion: 'v1',
      prefix: '/api/v1',
      plural: 'pods',
      namespaced: true,
      fixedNamespace: 'kube-system',
      labelSelector: `${label}=kube-proxy`,
      partialKind: true,
      words: `kube-proxy Pods in kube-system (label ${label}=kube-proxy)`,
      slim: slimKubeProxyPod,
    }),
  ),
];

export function resourceDef(name: ResourceName): ResourceDef {
  return RESOURCES.find((r) => r.name === name)!;
}

/**
 * A resource (and the namespace read, if any) in words for status lines and messages: the API's plural for
 * the kinds read as such ("pods in shop"), what is read for kube-proxy's own objects.
 */
export function resourceWords(name: ResourceName, namespace?: string): string {
  const def = RESOURCES.find((r) => r.name === name);
  if (def?.words) return def.words;
  return namespace ? `${name} in ${namespace}` : name;
}

/** The collection path: cluster-wide when namespace is undefined. */
export function collectionPath(def: ResourceDef, namespace: string | undefined): string {
  return namespace === undefined ? `${def.prefix}/${def.plural}` : `${def.prefix}/namespaces/${encodeURIComponent(namespace)}/${def.plural}`;
}
