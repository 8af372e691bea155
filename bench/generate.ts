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
