// Prints how long `ksd check` work takes (load + cluster state + every check) for generated apps of growing size.
// Each app: a Deployment, a Service (one in ten with a typo'd selector, one in ten with a missing named port),
// an Ingress rule and a NetworkPolicy per namespace. Run after `npm run compile-tests`:
//   node bench/checks.mjs [sizes...]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
const require = createRequire(import.meta.url);
const { loadManifest, buildClusterState, runChecks, ALL_CHECKS } = require('../out/src/core/index.js');

function app(i) {
  const ns = `team-${i % 20}`;
  const name = `svc-${i}`;
  const sel = i % 10 === 3 ? `${name}x` : name;
  const target = i % 10 === 7 ? 'htp' : 'http';
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}, tier: web}}
    spec:
      containers:
      - name: main
        image: example/app:1
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        readinessProbe: {httpGet: {path: /ready, port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {app: ${sel}}
  ports:
  - {name: http, port: 80, targetPort: ${target}}
  - {name: metrics, port: 9090, targetPort: metrics}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: ${ns}}
spec:
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}
`;
}

function policies() {
  let s = '';
  for (let t = 0; t < 20; t++) s += `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: team-${t}}\nspec:\n  podSelector: {matchLabels: {tier: web}}\n  ingress:\n  - ports: [{port: http}, {port: 9090}]\n`;
  return s;
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length ? sizes : [100, 1000, 3000]) {
  const files = [];
  for (let i = 0; i < n; i += 50) {
    let text = '';
    for (let j = i; j < Math.min(n, i + 50); j++) text += (text ? '---\n' : '') + app(j);
    files.push([`apps-${i}.yaml`, text]);
  }
  files.push(['policies.yaml', policies()]);
  const bytes = files.reduce((s, [, t]) => s + t.length, 0);
  const runs = [];
  let diags = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const loaded = files.map(([f, t]) => loadManifest(f, t));
    const t1 = performance.now();
    const state = buildClusterState(loaded.flatMap((f) => f.objects));
    const t2 = performance.now();
    diags = runChecks({ state, files: loaded });
    const t3 = performance.now();
    runs.push([t1 - t0, t2 - t1, t3 - t2]);
  }
  const best = (k) => Math.min(...runs.map((x) => x[k])).toFixed(0);
  const byCode = {};
  for (const d of diags) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
  console.log(`${n} Services (${(bytes / 1024 / 1024).toFixed(1)} MB, ${ALL_CHECKS.length} checks): load ${best(0)} ms, state ${best(1)} ms, checks ${best(2)} ms (best of 3); ${diags.length} diagnostics ${JSON.stringify(byCode)}`);
}
