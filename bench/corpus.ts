/**
 * A deterministic synthetic cluster for the core benchmark, about 10 MB for 20,000 objects: 50 Nodes,
 * 20 Namespaces and, per app, a Deployment, a Service (one in five NodePort), the EndpointSlice the
 * controller would write and 1-5 Pods of the Deployment's ReplicaSet (one pod-template-hash per app),
 * scheduled over the Nodes, about 5% not Ready. Objects are written as `kubectl get -o yaml` prints them,
 * without managedFields, uids and timestamps (which no check reads), in block style with the flow maps and
 * lists kubectl users write for labels and ports.
 */
import { rng, type Rng } from './fuzz-mutators';

export interface CorpusOptions {
  objects: number;
  files: number;
  seed: number;
}

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

interface PodSpec {
  name: string;
  ip: string;
  node: string;
  ready: boolean;
}

function yamlPod(app: string, ns: string, hash: string, p: PodSpec, i: number): string {
  const ready = p.ready ? '"True"' : '"False"';
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${p.name}
  namespace: ${ns}
  labels: {app: ${app}, pod-template-hash: ${hash}}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: ${app}-${hash}, controller: true}
spec:
  nodeName: ${p.node}
  containers:
  - name: ${app}
    image: registry.example.com/${app}:1.${i % 7}
    ports:
    - {name: http, containerPort: 8080}
    - {name: metrics, containerPort: 9090}
status:
  phase: Running
  podIP: ${p.ip}
  conditions:
  - {type: Ready, status: ${ready}}
`;
}

function yamlApp(r: Rng, app: string, ns: string, podIPs: string[], nodes: string[]): string[] {
  const docs: string[] = [];
  const type = r() < 0.2 ? 'NodePort' : 'ClusterIP';
  const hash = (Math.floor(r() * 1e9) + 1e9).toString(36).slice(0, 10);
  const pods: PodSpec[] = podIPs.map((ip, i) => ({
    name: `${app}-${hash}-${(Math.floor(r() * 1e7) + 1e7).toString(36).slice(-5)}`,
    ip,
    node: nodes[(i * 7 + app.length) % nodes.length]!,
    ready: r() < 0.95,
  }));
  docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels: {app: ${app}}
spec:
  replicas: ${pods.length}
  selector:
    matchLabels: {app: ${app}}
  template:
    metadata:
      labels: {app: ${app}}
    spec:
      containers:
      - name: ${app}
        image: registry.example.com/${app}:1.0
        ports:
        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9090}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
`);
  docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
  labels: {app: ${app}}
spec:
  type: ${type}
  selector: {app: ${app}}
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: metrics
    port: 9090
    targetPort: metrics
`);
  const eps = pods.map(
    (p, i) => `- addresses: [${p.ip}]
  conditions: {ready: ${p.ready}, serving: ${p.ready}, terminating: false}
  nodeName: ${p.node}
  zone: ${ZONES[((i * 7 + app.length) % nodes.length) % ZONES.length]}
  targetRef: {kind: Pod, namespace: ${ns}, name: ${p.name}}`,
  );
  docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${app}-${hash.slice(0, 5)}
  namespace: ${ns}
  labels:
    kubernetes.io/service-name: ${app}
    endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
addressType: IPv4
ports:
- {name: http, port: 8080, protocol: TCP}
- {name: metrics, port: 9090, protocol: TCP}
endpoints:
${eps.join('\n')}
`);
  pods.forEach((p, i) => docs.push(yamlPod(app, ns, hash, p, i)));
  return docs;
}

/** Returns file name -> YAML text. */
export function generateCorpus(o: CorpusOptions): Map<string, string> {
  const r = rng(o.seed);
  const docs: string[] = [];
  const nodeCount = 50;
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node-${i}`);
  nodes.forEach((n, i) =>
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: ${n}
  labels: {kubernetes.io/hostname: ${n}, topology.kubernetes.io/zone: ${ZONES[i % ZONES.length]}}
spec:
  podCIDR: 10.${64 + (i >> 8)}.${i & 255}.0/24
status:
  addresses:
  - {type: InternalIP, address: 192.168.${i >> 8}.${(i & 255) + 1}}
  conditions:
  - {type: Ready, status: "True"}
`),
  );
  const namespaces = Array.from({ length: 20 }, (_, i) => `team-${i}`);
  for (const ns of namespaces) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  let app = 0;
  let ipCounter = 0;
  while (docs.length < o.objects) {
    const pods = Math.min(1 + Math.floor(r() * 5), o.objects - docs.length - 3);
    if (pods < 0) break;
    const ips = Array.from({ length: pods }, () => {
      const n = ipCounter++;
      return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n & 255) || 1}`;
    });
    docs.push(...yamlApp(r, `app-${app}`, namespaces[app % namespaces.length]!, ips, nodes));
    app++;
  }
  // Fill up to the exact count when the last app did not fit.
  for (let i = 0; docs.length < o.objects; i++) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: spare-${i}\n`);
  docs.length = Math.min(docs.length, o.objects);
  const files = new Map<string, string>();
  const per = Math.ceil(docs.length / o.files);
  for (let f = 0; f < o.files; f++) {
    const part = docs.slice(f * per, (f + 1) * per);
    if (part.length) files.set(`part-${String(f).padStart(3, '0')}.yaml`, part.join('---\n'));
  }
  return files;
}
