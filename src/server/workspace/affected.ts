/**
 * Which check subjects an edit can affect. A subject is the object a finding is written in (a Service, a
 * workload, a Pod, an Ingress or route, an Endpoints object or EndpointSlice); the checks re-run with only
 * these in focus, and every other subject keeps its findings. The rules follow what each check reads:
 *  - a new or changed object is re-checked itself;
 *  - a changed label source (workload template or Pod, old and new labels) re-checks the Services whose
 *    selector could match either (in any namespace: KSD101 points at matching labels elsewhere), and the
 *    Services that match nothing (KSD101 names the nearest labels);
 *  - a changed Service (or one whose assigned addresses moved) re-checks the Services sharing one of its node
 *    ports or cluster IPs (KSD212, KSD302: first claim wins), every Ingress and route (KSD501/502 look
 *    across namespaces), and the Endpoints/EndpointSlices for it (KSD603 is written there);
 *  - an Endpoints object or EndpointSlice re-checks the Services it is for (old and new name or label)
 *    and their other Endpoints/EndpointSlices; a NetworkPolicy the Services of its namespace; a ReferenceGrant
 *    every route; a new or vanished namespace every Ingress and route;
 *  - Nodes, Namespaces, ServiceCIDRs and kube-proxy settings change what every Service gets: all.
 */
import { commonEnds, dig, effectiveSelector, str, type CheckOptions, type ClusterState, type LoadedObject, type PodModel, type ServiceModel } from '../../core';

export type Affected = Set<LoadedObject> | 'all';

const EVERYTHING = new Set(['Node', 'Namespace', 'ServiceCIDR', 'KubeProxyConfiguration']);
const ENDPOINTS = new Set(['Endpoints', 'EndpointSlice']);

/** Does this object change what every Service gets? */
function clusterWide(o: LoadedObject): boolean {
  if (EVERYTHING.has(o.kind)) return true;
  return o.kind === 'ConfigMap' && o.name === 'kube-proxy' && (o.namespace ?? 'default') === 'kube-system';
}

export interface AffectedInput {
  /** Objects that left the analysis and objects that entered it (by identity: unchanged documents keep theirs). */
  removed: readonly LoadedObject[];
  added: readonly LoadedObject[];
  prev: ClusterState | undefined;
  next: ClusterState;
  options: CheckOptions;
  /** Objects that hold a finding of this code now (KSD101 depends on every label source of its namespace). */
  holders: (code: string) => Iterable<LoadedObject>;
}

export function affectedSubjects(input: AffectedInput): Affected {
  const { removed, added, prev, next, options } = input;
  if (!prev) return 'all';
  for (const o of removed) if (clusterWide(o)) return 'all';
  for (const o of added) if (clusterWide(o)) return 'all';
  if (!sameGlobals(prev, next)) return 'all';

  inheritEndpointTable(prev, next, removed, added);
  const out = new Set<LoadedObject>();
  for (const o of added) if (!o.partial) out.add(o);
  const changed = new Set<LoadedObject>([...removed, ...added]);

  // Label sources whose labels changed, as (namespace, labels).
  // Pods find their owner by namespace and name, so a workload or Pod that shares those with a changed one counts too.
  const labelSets: { ns: string; labels: Record<string, string> }[] = [];
  const names = new Set<string>();
  for (const state of [prev, next]) {
    for (const w of state.workloads) if (w.loaded && changed.has(w.loaded)) names.add(`${w.namespace}/${w.name}`);
    for (const p of state.pods) if (givenPod(p) && changed.has(p.loaded)) names.add(`${p.namespace}/${p.name}`);
  }
  if (names.size) {
    // By bare name first: no key string is built for the thousands of others.
    const bare = new Set([...names].map((n) => n.slice(n.indexOf('/') + 1)));
    for (const state of [prev, next]) {
      for (const w of state.workloads) if (bare.has(w.name) && names.has(`${w.namespace}/${w.name}`)) labelSets.push({ ns: w.namespace, labels: w.templateLabels });
      for (const p of state.pods) if (bare.has(p.name) && givenPod(p) && names.has(`${p.namespace}/${p.name}`)) labelSets.push({ ns: p.namespace, labels: p.labels });
    }
  }
  // Pods whose address or node moved (addresses are handed out in order, so an edit can shift others).
  for (const p of movedPods(prev, next)) labelSets.push({ ns: p.namespace, labels: p.labels });

  const servicesIn = (ns: string) => next.services.filter((s) => s.namespace === ns);
  if (labelSets.length) {
    // Any namespace: a Service matching nothing at home is told about matching labels elsewhere (KSD101).
    // Only a Service with a term some label set carries (or with no term at all) can match one.
    const terms = selectorTerms(next.services, options);
    const candidates = new Set<ServiceModel>(terms.empty);
    for (const l of labelSets) for (const k in l.labels) for (const s of terms.byTerm.get(`${k}\0${l.labels[k]}`) ?? []) candidates.add(s);
    for (const svc of candidates) {
      if (!svc.loaded) continue;
      const sel = effectiveSelector(svc, options, true);
      const keys = Object.keys(sel);
      if (labelSets.some((l) => keys.every((k) => l.labels[k] === sel[k]))) out.add(svc.loaded);
    }
    // KSD101 names the nearest labels, in its namespace or ("a Service selects pods only in its own") any other.
    for (const o of input.holders('KSD101')) out.add(o);
  }

  // Services that came, went, changed or got other addresses.
  const services = changedServices(prev.services, next.services, changed);
  if (services.length) {
    const ports = new Set<number>();
    const ips = new Set<string>();
    for (const s of services) {
      for (const p of s.ports) if (p.nodePort) ports.add(p.nodePort);
      if (s.healthCheckNodePort) ports.add(s.healthCheckNodePort);
      for (const ip of writtenIPs(s)) ips.add(ip);
      for (const ip of s.clusterIPs) ips.add(ip);
    }
    for (const s of next.services) {
      if (!s.loaded || out.has(s.loaded)) continue;
      if (s.ports.some((p) => p.nodePort && ports.has(p.nodePort)) || s.clusterIPs.some((ip) => ips.has(ip)) || writtenIPs(s).some((ip) => ips.has(ip))) out.add(s.loaded);
    }
    for (const s of services) if (s.loaded && next.services.some((n) => n.loaded === s.loaded)) out.add(s.loaded);
    for (const o of [...next.ingresses, ...next.routes]) out.add(o);
  }

  // The Services an Endpoints object or EndpointSlice is for (by its old and new name or label).
  const served: string[] = [];
  for (const o of changed) {
    if (o.partial) continue;
    if (o.kind === 'NetworkPolicy') for (const s of servicesIn(nsOf(o))) if (s.loaded) out.add(s.loaded);
    if (ENDPOINTS.has(o.kind)) {
      const key = servedKey(o);
      if (key !== undefined) served.push(key);
    }
    if (o.kind === 'ReferenceGrant') for (const r of next.routes) out.add(r);
  }
  if (prev.namespaces.join('\0') !== next.namespaces.join('\0')) for (const o of [...next.ingresses, ...next.routes]) out.add(o);

  // Changed Services by every name they had (a renamed one's Endpoints and slices lose it).
  for (const s of services) served.push(`${s.namespace}/${s.name}`);
  for (const o of changed) if (o.kind === 'Service') served.push(`${nsOf(o)}/${o.name}`);
  addCompanions(out, next, served);
  return out;
}

interface SelectorTerms {
  ignored: CheckOptions['ignoredLabels'];
  /** `key\0value` of each term of a Service's selector (as matched against templates) -> those Services. */
  byTerm: Map<string, ServiceModel[]>;
  /** Services with a selector that has no term left (it matches any labels). */
  empty: ServiceModel[];
}

/** Per Services list (states are not edited once built; a workload edit keeps the list). */
const termsOf = new WeakMap<readonly ServiceModel[], SelectorTerms>();

function selectorTerms(services: readonly ServiceModel[], options: CheckOptions): SelectorTerms {
  let t = termsOf.get(services);
  if (t && t.ignored === options.ignoredLabels) return t;
  t = { ignored: options.ignoredLabels, byTerm: new Map(), empty: [] };
  for (const svc of services) {
    if (!svc.loaded || !svc.selector) continue;
    const sel = effectiveSelector(svc, options, true);
    let any = false;
    for (const k in sel) {
      any = true;
      const key = `${k}\0${sel[k]}`;
      const list = t.byTerm.get(key);
      if (list) list.push(svc);
      else t.byTerm.set(key, [svc]);
    }
    if (!any) t.empty.push(svc);
  }
  termsOf.set(services, t);
  return t;
}

/**
 * A Service and the Endpoints/EndpointSlices for it are checked together (KSD603 is written in the latter;
 * the checks find them by the Service's namespace and name: an Endpoints object's name, a slice's
 * kubernetes.io/service-name label): adds to `out` those for its Services, Endpoints and EndpointSlices
 * (and for the `namespace/name` keys in `services`), and the Services they are for. Subjects added to a
 * focus set after `affectedSubjects` (findings whose place was lost) need the same.
 */
export function addCompanions(out: Set<LoadedObject>, next: ClusterState, services: Iterable<string> = []): void {
  const wanted = new Set<string>(services);
  for (const o of out) {
    const key = o.kind === 'Service' ? `${nsOf(o)}/${o.name}` : servedKey(o);
    if (key !== undefined) wanted.add(key);
  }
  if (!wanted.size) return;
  const byKey = companionTables(next);
  for (const key of wanted) {
    for (const o of byKey.endpoints.get(key) ?? []) out.add(o);
    for (const o of byKey.services.get(key) ?? []) out.add(o);
  }
}

interface CompanionTables {
  /** `namespace/name` of the Service -> the (non-partial) Endpoints objects and EndpointSlices for it. */
  endpoints: Map<string, LoadedObject[]>;
  /** `namespace/name` -> the loaded Services of that name. */
  services: Map<string, LoadedObject[]>;
}

/** Per objects list and per Services list (states are not edited once built). */
const endpointTables = new WeakMap<readonly LoadedObject[], Map<string, LoadedObject[]>>();
const serviceTables = new WeakMap<readonly ServiceModel[], Map<string, LoadedObject[]>>();

function companionTables(state: ClusterState): CompanionTables {
  let endpoints = endpointTables.get(state.objects);
  if (!endpoints) {
    endpoints = new Map();
    for (const o of state.objects) {
      if (o.partial || !ENDPOINTS.has(o.kind)) continue;
      const key = servedKey(o);
      if (key !== undefined) push(endpoints, key, o);
    }
    endpointTables.set(state.objects, endpoints);
  }
  let services = serviceTables.get(state.services);
  if (!services) {
    services = new Map();
    for (const s of state.services) if (s.loaded) push(services, `${s.namespace}/${s.name}`, s.loaded);
    serviceTables.set(state.services, services);
  }
  return { endpoints, services };
}

/**
 * `next.objects` holds the same Endpoints objects and EndpointSlices as `prev.objects` when none was removed
 * or added (an unchanged document keeps its objects): its table is the previous one.
 */
function inheritEndpointTable(prev: ClusterState, next: ClusterState, removed: readonly LoadedObject[], added: readonly LoadedObject[]): void {
  if (endpointTables.has(next.objects)) return;
  const table = endpointTables.get(prev.objects);
  if (!table || removed.some((o) => ENDPOINTS.has(o.kind)) || added.some((o) => ENDPOINTS.has(o.kind))) return;
  endpointTables.set(next.objects, table);
}

function push(m: Map<string, LoadedObject[]>, key: string, o: LoadedObject): void {
  const list = m.get(key);
  if (list) list.push(o);
  else m.set(key, [o]);
}

function nsOf(o: LoadedObject): string {
  return o.namespace ?? 'default';
}

/** `namespace/name` of the Service an Endpoints object or EndpointSlice is for (read as the model reads it). */
function servedKey(o: LoadedObject): string | undefined {
  if (o.kind === 'Endpoints') return `${nsOf(o)}/${o.name}`;
  if (o.kind !== 'EndpointSlice') return undefined;
  const name = str(dig(o.object, 'metadata', 'labels', 'kubernetes.io/service-name'));
  return name === undefined ? undefined : `${nsOf(o)}/${name}`;
}

/**
 * A Pod written in the manifests (not one simulated from a workload's template). A Pod without status is
 * marked `simulated` too (assumed running), so that flag does not tell them apart.
 */
function givenPod(p: PodModel): p is PodModel & { loaded: LoadedObject } {
  return p.loaded?.kind === 'Pod';
}

/** Settings every check reads that come from the whole set of objects. */
function sameGlobals(a: ClusterState, b: ClusterState): boolean {
  return (
    a.serviceCIDRs.join() === b.serviceCIDRs.join() &&
    a.serviceCIDRsDefaulted === b.serviceCIDRsDefaulted &&
    a.nodePortRange.min === b.nodePortRange.min &&
    a.nodePortRange.max === b.nodePortRange.max &&
    a.nodes.length === b.nodes.length &&
    a.nodes.every((n, i) => n === b.nodes[i]) &&
    (a.proxy === b.proxy || JSON.stringify(a.proxy) === JSON.stringify(b.proxy))
  );
}

function writtenIPs(s: ServiceModel): string[] {
  const spec = s.loaded?.object['spec'];
  if (!spec || typeof spec !== 'object') return [];
  const rec = spec as Record<string, unknown>;
  const list = Array.isArray(rec['clusterIPs']) ? rec['clusterIPs'] : [rec['clusterIP']];
  return list.filter((x): x is string => typeof x === 'string');
}

/** Service models (old and new) that were added, removed or re-parsed, or whose assigned addresses differ. */
function changedServices(a: readonly ServiceModel[], b: readonly ServiceModel[], changed: ReadonlySet<LoadedObject>): ServiceModel[] {
  // The same models (a state derived from the previous one for a workload edit): no address moved.
  if (a === b) return a.filter((s) => s.loaded && changed.has(s.loaded));
  // The same Services in the same order (a state derived or rebuilt after an in-place edit): pairwise.
  if (a.length === b.length && a.every((s, i) => s === b[i] || (s.namespace === b[i]!.namespace && s.name === b[i]!.name))) {
    const out: ServiceModel[] = [];
    a.forEach((s, i) => {
      const n = b[i]!;
      if (s === n) return;
      if ((s.loaded && changed.has(s.loaded)) || (n.loaded && changed.has(n.loaded))) out.push(s, n);
      else if (!sameAddresses(s, n)) out.push(n);
    });
    return out;
  }
  const out: ServiceModel[] = [];
  const before = new Map<string, ServiceModel>();
  for (const s of a) {
    before.set(`${s.namespace}/${s.name}`, s);
    if (s.loaded && changed.has(s.loaded)) out.push(s);
  }
  for (const s of b) {
    if (s.loaded && changed.has(s.loaded)) {
      out.push(s);
      continue;
    }
    const old = before.get(`${s.namespace}/${s.name}`);
    if (!old || !sameAddresses(old, s)) out.push(s);
  }
  return out;
}

function sameAddresses(a: ServiceModel, b: ServiceModel): boolean {
  if (a.healthCheckNodePort !== b.healthCheckNodePort || a.clusterIPs.length !== b.clusterIPs.length || a.ports.length !== b.ports.length) return false;
  for (let i = 0; i < a.clusterIPs.length; i++) if (a.clusterIPs[i] !== b.clusterIPs[i]) return false;
  for (let i = 0; i < a.ports.length; i++) if (a.ports[i]!.port !== b.ports[i]!.port || a.ports[i]!.nodePort !== b.ports[i]!.nodePort) return false;
  return true;
}

/**
 * Pods (new versions, and old ones that are gone) whose addresses or node differ between two states. Pods
 * that are the same objects in both did not change (states are not edited once built), so only the pods
 * between the lists' common head and tail are compared, by namespace and name; a name given twice there
 * counts every pod there as moved.
 */
function movedPods(prev: ClusterState, next: ClusterState): PodModel[] {
  const a = prev.pods;
  const b = next.pods;
  if (a === b) return [];
  const [head, tail] = commonEnds(a, b);
  const oldMid = a.slice(head, a.length - tail);
  const newMid = b.slice(head, b.length - tail);
  const before = new Map<string, PodModel>();
  for (const p of oldMid) {
    const key = `${p.namespace}/${p.name}`;
    if (before.has(key)) return [...oldMid, ...newMid];
    before.set(key, p);
  }
  const out: PodModel[] = [];
  const seen = new Set<string>();
  for (const p of newMid) {
    const key = `${p.namespace}/${p.name}`;
    if (seen.has(key)) return [...oldMid, ...newMid];
    seen.add(key);
    const old = before.get(key);
    if (!old || old.nodeName !== p.nodeName || old.ips.length !== p.ips.length || old.ips.some((ip, i) => ip !== p.ips[i]) || old.phase !== p.phase || old.terminating !== p.terminating) out.push(p);
  }
  for (const [key, p] of before) if (!seen.has(key)) out.push(p);
  return out;
}
