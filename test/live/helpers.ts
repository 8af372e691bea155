/** Shared by the live tests: kubeconfig files, object builders, and a guard against unhandled rejections. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Obj = Record<string, unknown>;

export const unhandled: unknown[] = [];
let hooked = false;
/** Every live test fails if anything rejects unhandled (checked by assertNoUnhandled). */
export function hookUnhandled(): void {
  if (hooked) return;
  hooked = true;
  process.on('unhandledRejection', (reason) => unhandled.push(reason));
}

export function assertNoUnhandled(): void {
  if (unhandled.length) throw new Error(`unhandled rejections: ${unhandled.map((u) => (u instanceof Error ? u.stack : String(u))).join('\n')}`);
}

export interface KubeconfigContext {
  name: string;
  server: string;
  namespace?: string;
  token?: string;
  /** A credential plugin for the user. */
  exec?: { command: string; args?: string[] };
  /** PEM: the cluster's CA (certificate-authority-data, instead of insecure-skip-tls-verify) and the user's client certificate. */
  tls?: { ca: string; cert?: string; key?: string };
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/** Writes a kubeconfig (as YAML, as kubectl would) and returns its path. */
export function writeKubeconfig(contexts: KubeconfigContext[], currentContext: string | undefined, dir = mkdtempSync(join(tmpdir(), 'ksd-kube-'))): string {
  const lines: string[] = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of contexts) lines.push(`- name: ${c.name}-cluster`, '  cluster:', `    server: ${c.server}`, c.tls ? `    certificate-authority-data: ${b64(c.tls.ca)}` : '    insecure-skip-tls-verify: true');
  lines.push('users:');
  for (const c of contexts) {
    lines.push(`- name: ${c.name}-user`, '  user:');
    if (c.token) lines.push(`    token: ${c.token}`);
    if (c.tls?.cert && c.tls.key) lines.push(`    client-certificate-data: ${b64(c.tls.cert)}`, `    client-key-data: ${b64(c.tls.key)}`);
    if (c.exec) {
      lines.push('    exec:', '      apiVersion: client.authentication.k8s.io/v1beta1', `      command: ${c.exec.command}`, '      interactiveMode: Never');
      if (c.exec.args) lines.push('      args:', ...c.exec.args.map((a) => `      - ${JSON.stringify(a)}`));
    }
    if (!c.token && !c.exec && !c.tls?.cert) lines.push('    {}');
  }
  lines.push('contexts:');
  for (const c of contexts) {
    lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`);
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  if (currentContext) lines.push(`current-context: ${currentContext}`);
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export function namespace(name: string): Obj {
  return { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, status: { phase: 'Active' } };
}

export function node(name: string, ip: string, ready = true): Obj {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': 'zone-a' } },
    spec: { podCIDR: '10.244.0.0/24' },
    status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

export function pod(ns: string, name: string, labels: Record<string, string>, ip: string, opts: { ready?: boolean; node?: string; port?: number; portName?: string } = {}): Obj {
  const ready = opts.ready ?? true;
  return {
    metadata: {
      name,
      namespace: ns,
      labels,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}', keep: 'me' },
      managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:metadata': {} } }],
    },
    spec: {
      nodeName: opts.node ?? 'node-a',
      containers: [{ name: 'app', image: 'registry.example/app:1.0', env: [{ name: 'A', value: 'x'.repeat(200) }], ports: [{ containerPort: opts.port ?? 8080, name: opts.portName ?? 'http', protocol: 'TCP' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [app]' }) }],
      containerStatuses: [{ name: 'app', ready, restartCount: 0, image: 'registry.example/app:1.0' }],
    },
  };
}

export function service(ns: string, name: string, selector: Record<string, string> | undefined, clusterIP: string, opts: { port?: number; targetPort?: number | string; type?: string } = {}): Obj {
  return {
    metadata: { name, namespace: ns },
    spec: {
      type: opts.type ?? 'ClusterIP',
      ...(selector ? { selector } : {}),
      clusterIP,
      clusterIPs: [clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: opts.port ?? 80, targetPort: opts.targetPort ?? 8080, protocol: 'TCP' }],
    },
    status: { loadBalancer: {} },
  };
}

export function endpointSlice(ns: string, service: string, name: string, endpoints: { ip: string; pod: string; ready: boolean; node?: string }[], port = 8080): Obj {
  return {
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      nodeName: e.node ?? 'node-a',
      targetRef: { kind: 'Pod', namespace: ns, name: e.pod },
    })),
  };
}

/** Polls until check() returns a value (or throws after timeoutMs). */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The live source may only get, list and watch: every request must be a GET of a known collection or object. */
export function assertReadOnly(server: { requests: { method: string; path: string; watch: boolean }[] }): void {
  for (const r of server.requests) {
    assert.equal(r.method, 'GET', `non-GET request ${r.method} ${r.path}`);
    const known = /^\/(api\/v1|apis\/discovery\.k8s\.io\/v1)(\/namespaces\/[^/]+)?\/(pods|services|endpointslices|nodes|namespaces|configmaps)(\/[^/]+)?$/;
    // The kube-proxy DaemonSet is read in kube-system only.
    const kubeProxyDs = /^\/apis\/apps\/v1\/namespaces\/kube-system\/daemonsets(\/kube-proxy)?$/;
    assert.ok(known.test(r.path) || kubeProxyDs.test(r.path), `unexpected path ${r.path}`);
  }
}
