/**
 * A deterministic synthetic cluster for the core benchmark: Namespaces, Nodes, and per app a Deployment,
 * its ReplicaSet, a Service, an EndpointSlice and Pods with status, as `kubectl get -o yaml` prints them.
 */
import { rng, type Rng } from './fuzz-mutators';

export interface CorpusOptions {
  objects: number;
  files: number;
  seed: number;
}

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

function yamlPod(r: Rng, app: string, ns: string, i: number, node: string, ip: string): string {
  const ready = r() < 0.95;
  const hash = (Math.floor(r() * 1e9) + 1e9).toString(36).slice(0, 10);
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${app}-${hash}-${i.toString(36).padStart(5, 'x')}
  namespace: ${ns}
  labels: {app: ${app}, tier: backend, pod-template-hash: ${hash}}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: ${app}-${hash}, controller: true}
spec:
  nodeName: ${node}
  containers:
  - name: ${app}
    image: registry.example.com/${app}:1.${i % 7}
    ports:
    - {name: http, containerPort: 8080, protocol: TCP}
    - {name: metrics, containerPort: 9090}
status:
  phase: Running
  podIP: ${ip}
  podIPs: [{ip: ${ip}}]
  conditions:
  - {type: Ready, status: "${ready ? 'True' : 'False'}"}
  - {type: ContainersReady, status: "${ready ? 'True' : 'False'}"}
  - {type: PodScheduled, status: "True"}
`;
}

function yamlApp(r: Rng, app: string, ns: string, pods: number, podIPs: string[], nodes: string[]): string[] {
  const docs: string[] = [];
  const type = r() < 0.2 ? 'NodePort' : 'ClusterIP';
  docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels: {app: ${app}}
spec:
  replicas: ${pods}
  selector:
    matchLabels: {app: ${app}}
  template:
    metadata:
      labels: {app: ${app}, tier: backend}
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
  const eps = podIPs.map(
    (ip, i) => `- addresses: [${ip}]
  conditions: {ready: true, serving: true, terminating: false}
  nodeName: ${nodes[i % nodes.length]}
  zone: ${ZONES[i % ZONES.length]}
  targetRef: {kind: Pod, namespace: ${ns}, name: ${app}-pod-${i}}`,
  );
  docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${app}-abcde
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
  podIPs.forEach((ip, i) => docs.push(yamlPod(r, app, ns, i, nodes[i % nodes.length]!, ip)));
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
    const pods = Math.min(2 + Math.floor(r() * 8), o.objects - docs.length - 3);
    if (pods < 0) break;
    const ips = Array.from({ length: pods }, () => {
      const n = ipCounter++;
      return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n & 255) || 1}`;
    });
    docs.push(...yamlApp(r, `app-${app}`, namespaces[app % namespaces.length]!, pods, ips, nodes));
    app++;
  }
  docs.length = Math.min(docs.length, o.objects);
  const files = new Map<string, string>();
  const per = Math.ceil(docs.length / o.files);
  for (let f = 0; f < o.files; f++) {
    const part = docs.slice(f * per, (f + 1) * per);
    if (part.length) files.set(`part-${String(f).padStart(3, '0')}.yaml`, part.join('---\n'));
  }
  return files;
}
