/**
 * Keeps only the fields the analyses read. managedFields and kubectl's last-applied-configuration
 * annotation are dropped everywhere; pods lose everything but identity, labels, ports, probes,
 * readiness and addresses (images, env, volumes and resources are most of a pod's bytes).
 */
type Obj = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick(src: unknown, keys: readonly string[]): Obj | undefined {
  if (!isObj(src)) return undefined;
  const out: Obj = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

export function slimMetadata(meta: unknown): Obj {
  if (!isObj(meta)) return {};
  const out: Obj = {};
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'managedFields') continue;
    if (k === 'annotations' && isObj(v)) {
      if (v[LAST_APPLIED] === undefined) out[k] = v;
      else {
        const rest = { ...v };
        delete rest[LAST_APPLIED];
        if (Object.keys(rest).length) out[k] = rest;
      }
      continue;
    }
    out[k] = v;
  }
  return out;
}

export function slimGeneric(obj: Obj): Obj {
  return { ...obj, metadata: slimMetadata(obj['metadata']) };
}

const CONTAINER_KEYS = ['name', 'ports', 'readinessProbe', 'livenessProbe', 'startupProbe', 'restartPolicy'] as const;
const POD_META_KEYS = ['name', 'namespace', 'uid', 'resourceVersion', 'labels', 'annotations', 'ownerReferences', 'deletionTimestamp', 'creationTimestamp'] as const;
const POD_SPEC_KEYS = ['nodeName', 'hostNetwork', 'hostname', 'subdomain', 'enableServiceLinks', 'readinessGates'] as const;
const POD_STATUS_KEYS = ['phase', 'conditions', 'podIP', 'podIPs', 'hostIP', 'hostIPs', 'reason', 'message'] as const;

function containers(v: unknown): Obj[] | undefined {
  return Array.isArray(v) ? v.map((c) => pick(c, CONTAINER_KEYS) ?? {}) : undefined;
}

export function slimPod(obj: Obj): Obj {
  const spec = pick(obj['spec'], POD_SPEC_KEYS) ?? {};
  const rawSpec = isObj(obj['spec']) ? obj['spec'] : {};
  const cs = containers(rawSpec['containers']);
  if (cs) spec['containers'] = cs;
  const init = containers(rawSpec['initContainers']);
  if (init) spec['initContainers'] = init;
  const out: Obj = { apiVersion: obj['apiVersion'], kind: obj['kind'], metadata: slimMetadata(pick(obj['metadata'], POD_META_KEYS)), spec };
  const status = pick(obj['status'], POD_STATUS_KEYS);
  if (status) out['status'] = status;
  return out;
}

/** A kube-proxy Pod: what slimPod keeps, plus its containers' images (the release, from the tag; a few pods per cluster). */
export function slimKubeProxyPod(obj: Obj): Obj {
  const out = slimPod(obj);
  const raw = dig(obj, 'spec', 'containers');
  const spec = out['spec'] as Obj;
  if (Array.isArray(raw) && Array.isArray(spec['containers'])) {
    spec['containers'] = (spec['containers'] as Obj[]).map((c, i) => {
      const image = isObj(raw[i]) ? raw[i]['image'] : undefined;
      return typeof image === 'string' ? { ...c, image } : c;
    });
  }
  return out;
}

export function slimNode(obj: Obj): Obj {
  const status = pick(obj['status'], ['addresses', 'conditions']);
  // The kubelet's version: which kube-proxy release's rules to show when no DaemonSet says (proxyVersion.ts).
  const kubelet = dig(obj, 'status', 'nodeInfo', 'kubeletVersion');
  if (status && typeof kubelet === 'string') status['nodeInfo'] = { kubeletVersion: kubelet };
  const out: Obj = { apiVersion: obj['apiVersion'], kind: obj['kind'], metadata: slimMetadata(obj['metadata']) };
  const spec = pick(obj['spec'], ['podCIDR', 'podCIDRs', 'unschedulable', 'taints', 'providerID']);
  if (spec) out['spec'] = spec;
  if (status) out['status'] = status;
  return out;
}

/** Only the kube-proxy configuration text matters. */
export function slimConfigMap(obj: Obj): Obj {
  const data = isObj(obj['data']) ? obj['data'] : {};
  const keep: Obj = {};
  if (typeof data['config.conf'] === 'string') keep['config.conf'] = data['config.conf'];
  return { apiVersion: obj['apiVersion'], kind: obj['kind'], metadata: slimMetadata(obj['metadata']), data: keep };
}

/**
 * The kube-proxy DaemonSet: only its containers' names and images (the release, from the tag) and its
 * nodeSelector. Its selector is dropped on purpose: without one the model never simulates its pods (in a
 * namespace-restricted session kube-system's pods are not listed).
 */
export function slimKubeProxyDaemonSet(obj: Obj): Obj {
  const podSpec = dig(obj, 'spec', 'template', 'spec');
  const containers = isObj(podSpec) && Array.isArray(podSpec['containers']) ? podSpec['containers'].map((c) => pick(c, ['name', 'image']) ?? {}) : [];
  const spec: Obj = { containers };
  if (isObj(podSpec) && isObj(podSpec['nodeSelector'])) spec['nodeSelector'] = podSpec['nodeSelector'];
  return { apiVersion: obj['apiVersion'], kind: obj['kind'], metadata: slimMetadata(obj['metadata']), spec: { template: { spec } } };
}

function dig(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) cur = isObj(cur) ? cur[k] : undefined;
  return cur;
}
