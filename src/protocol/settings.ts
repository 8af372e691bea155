/**
 * The `kubeServiceDebugger` settings section, read by the language server through workspace/configuration.
 * SETTINGS_SCHEMA is what package.json `contributes.configuration.properties` should hold (the extension
 * owns package.json; keep the two in step). Every field is optional in user settings; DEFAULT_SETTINGS fills in.
 */
export type SeverityName = 'error' | 'warning' | 'info' | 'hint';

export interface KsdSettings {
  proxy: {
    /** "" = from a KubeProxyConfiguration in the workspace, else iptables. A mode set here overrides the file. */
    mode: '' | 'iptables' | 'nftables' | 'ipvs';
    /** kube-proxy version whose rule layout to reproduce, `X.Y` ("" = the cluster's, else each mode's default). */
    version: string;
  };
  /** Pod network CIDRs; empty = from a KubeProxyConfiguration in the workspace, else 10.244.0.0/16. */
  clusterCIDRs: string[];
  /** Service CIDRs; empty = from ServiceCIDR objects, else 10.96.0.0/12. */
  serviceCIDRs: string[];
  /** `MIN-MAX`, as the API server's --service-node-port-range. */
  nodePortRange: string;
  /** Per check (code `KSD101` or id), a severity or `off`. */
  checks: Record<string, SeverityName | 'off'>;
  /** Glob patterns (workspace-relative, `**` and `*`) of files the index skips. node_modules and .git are always skipped. */
  ignoredPaths: string[];
  /** Label keys ignored when comparing selectors with pod labels. */
  ignoredLabels: string[];
  /** Files larger than this many bytes are skipped with an info diagnostic. */
  maxFileSize: number;
  /**
   * Open manifests checked against a live cluster (src/server/liveChecks): only when this is on AND the
   * client said the workspace is trusted (initializationOptions.trusted).
   */
  live: {
    checkManifests: boolean;
    /** kubeconfig context; "" = the current context. */
    context: string;
    /** kubeconfig file; "" = $KUBECONFIG or ~/.kube/config. */
    kubeconfig: string;
  };
}

export const SETTINGS_SECTION = 'kubeServiceDebugger';

export const DEFAULT_SETTINGS: KsdSettings = {
  proxy: { mode: '', version: '' },
  clusterCIDRs: [],
  serviceCIDRs: [],
  nodePortRange: '30000-32767',
  checks: {},
  ignoredPaths: [],
  ignoredLabels: [],
  maxFileSize: 2 * 1024 * 1024,
  live: { checkManifests: false, context: '', kubeconfig: '' },
};

type JsonSchema = { type: string; default: unknown; description: string; enum?: string[]; items?: { type: string }; additionalProperties?: unknown; minimum?: number; pattern?: string; scope?: string };

/** The contributes.configuration properties, keyed by full setting name. */
export const SETTINGS_SCHEMA: Record<string, JsonSchema> = {
  'kubeServiceDebugger.proxy.mode': { type: 'string', enum: ['', 'iptables', 'nftables', 'ipvs'], default: '', description: 'kube-proxy mode to simulate. Empty: the mode of a KubeProxyConfiguration in the workspace, else iptables. A mode set here overrides the file.' },
  'kubeServiceDebugger.proxy.version': { type: 'string', default: '', pattern: '^(\\d+\\.\\d+)?$', description: "kube-proxy version (X.Y) whose rules to reproduce; empty for the cluster's (the kube-proxy DaemonSet's image tag, else the kube-proxy Pod's on the node, else the node's kubeletVersion; a release a mode does not model is shown in the nearest layout, with a note), else each mode's default layout (iptables and IPVS: the current one; nftables: 1.36). The README's section on which version's rules has the details." },
  'kubeServiceDebugger.clusterCIDRs': { type: 'array', items: { type: 'string' }, default: [], description: 'Pod network CIDRs. Empty: from a KubeProxyConfiguration in the workspace, else 10.244.0.0/16.' },
  'kubeServiceDebugger.serviceCIDRs': { type: 'array', items: { type: 'string' }, default: [], description: 'Service CIDRs used to assign missing cluster IPs. Empty: from ServiceCIDR objects, else 10.96.0.0/12.' },
  'kubeServiceDebugger.nodePortRange': { type: 'string', default: '30000-32767', pattern: '^\\d+-\\d+$', description: 'Node port range (MIN-MAX), as the API server flag --service-node-port-range.' },
  'kubeServiceDebugger.checks': { type: 'object', default: {}, additionalProperties: { type: 'string', enum: ['error', 'warning', 'info', 'hint', 'off'] }, description: 'Per check code (KSD101) or id: a severity, or "off" to disable it.' },
  'kubeServiceDebugger.ignoredPaths': { type: 'array', items: { type: 'string' }, default: [], description: 'Glob patterns of workspace files to leave out of the index (node_modules and .git are always skipped).' },
  'kubeServiceDebugger.ignoredLabels': { type: 'array', items: { type: 'string' }, default: [], description: 'Label keys ignored when comparing Service selectors with pod labels.' },
  'kubeServiceDebugger.maxFileSize': { type: 'number', minimum: 1024, default: 2 * 1024 * 1024, description: 'Manifest files larger than this many bytes are skipped (with an info diagnostic).' },
  'kubeServiceDebugger.live.checkManifests': {
    type: 'boolean',
    default: false,
    scope: 'machine-overridable',
    description: 'Check open manifests against a live cluster (its pods, nodes and kube-proxy configuration) and report drift from the live Services (KSD801, KSD802). Read-only; off in Restricted Mode.',
  },
  'kubeServiceDebugger.live.context': { type: 'string', default: '', scope: 'machine-overridable', description: 'kubeconfig context whose cluster open manifests are checked against (empty: the current context). Not read in Restricted Mode.' },
  'kubeServiceDebugger.live.kubeconfig': { type: 'string', default: '', scope: 'machine-overridable', description: 'Path to the kubeconfig file (empty: $KUBECONFIG or ~/.kube/config). Not read in Restricted Mode.' },
};

/** Normalises whatever the client sent (any shape) into complete settings; wrong types fall back to defaults. */
export function normalizeSettings(raw: unknown): KsdSettings {
  const r = isObj(raw) ? raw : {};
  const proxy = isObj(r['proxy']) ? r['proxy'] : {};
  const mode = proxy['mode'];
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : []);
  const checks: KsdSettings['checks'] = {};
  if (isObj(r['checks'])) {
    for (const [k, v] of Object.entries(r['checks'])) if (v === 'error' || v === 'warning' || v === 'info' || v === 'hint' || v === 'off') checks[k] = v;
  }
  const version = typeof proxy['version'] === 'string' && /^\d+\.\d+$/.test(proxy['version']) ? proxy['version'] : '';
  const range = typeof r['nodePortRange'] === 'string' && parseNodePortRange(r['nodePortRange']) ? r['nodePortRange'] : DEFAULT_SETTINGS.nodePortRange;
  const max = r['maxFileSize'];
  const live = isObj(r['live']) ? r['live'] : {};
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  return {
    proxy: { mode: mode === 'nftables' || mode === 'ipvs' || mode === 'iptables' ? mode : DEFAULT_SETTINGS.proxy.mode, version },
    clusterCIDRs: strings(r['clusterCIDRs']),
    serviceCIDRs: strings(r['serviceCIDRs']),
    nodePortRange: range,
    checks,
    ignoredPaths: strings(r['ignoredPaths']),
    ignoredLabels: strings(r['ignoredLabels']),
    maxFileSize: typeof max === 'number' && Number.isFinite(max) && max >= 1024 ? Math.floor(max) : DEFAULT_SETTINGS.maxFileSize,
    live: { checkManifests: live['checkManifests'] === true, context: text(live['context']), kubeconfig: text(live['kubeconfig']) },
  };
}

export function parseNodePortRange(text: string): { min: number; max: number } | undefined {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = Number(m[2]);
  return min >= 1 && max <= 65535 && min <= max ? { min, max } : undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
