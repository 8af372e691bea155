/** Synthetic but realistic manifests for the language-server benchmark. */

/** One app: a Deployment (with probes, resources, env) and its Service. About 50 lines. */
export function appManifests(i: number, ns: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${ns}
  labels:
    app: app-${i}
    tier: backend
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
        tier: backend
    spec:
      containers:
      - name: main
        image: registry.example/app-${i}:1.${i % 10}
        ports:
        - name: http
          containerPort: 8080
        - name: metrics
          containerPort: 9090
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: app-${i}
  namespace: ${ns}
spec:
  type: ${i % 10 === 0 ? 'NodePort' : 'ClusterIP'}
  selector:
    app: app-${i}
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: metrics
    port: 9090
    targetPort: metrics
`;
}

/** `apps` Deployment+Service pairs over `namespaces` namespaces, as one multi-document file. */
export function bigFile(apps: number, namespaces: number): string {
  const parts: string[] = [];
  for (let i = 0; i < apps; i++) parts.push(appManifests(i, `team-${i % namespaces}`));
  return parts.join('---\n');
}

/** Address n counted from 10.BASE.0.0 (the benches use base 96 for cluster IPs and 128 for pod IPs). */
export const ipOf = (base: number, n: number): string => `10.${base + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;

/**
 * A node-1 Node, then `services` Services (every 10th a NodePort; cluster IP `ipOf(96, s)`) in 50 namespaces,
 * each with an EndpointSlice of `endpoints` endpoints (`ipOf(128, ...)`, spread over node-0..node-2), as one
 * multi-document text of one-line JSON documents.
 */
export function serviceSliceManifests(services: number, endpoints: number): string {
  const docs: string[] = [
    JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] } }),
  ];
  for (let s = 0; s < services; s++) {
    const ns = `ns${s % 50}`;
    const name = `svc${s}`;
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { type: s % 10 === 0 ? 'NodePort' : 'ClusterIP', clusterIP: ipOf(96, s), ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }));
    const eps = [];
    for (let e = 0; e < endpoints; e++) eps.push({ addresses: [ipOf(128, s * endpoints + e)], nodeName: `node-${e % 3}` });
    docs.push(
      JSON.stringify({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: ns, name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: eps,
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      }),
    );
  }
  return docs.join('\n---\n');
}
