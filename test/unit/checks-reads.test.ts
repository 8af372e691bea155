/**
 * A check's `reads: 'object'` is what live checks rely on to keep its findings offline (src/live/prefer.ts):
 * such a finding must not change with the other objects around. Each object-only check is run on every
 * example file alone and within all the examples (planted mistakes, nodes, kube-proxy configuration), plus a
 * file whose objects break object-level rules next to pods, Services and Service CIDRs that could sway a
 * check that secretly read them; the findings for the file must be the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_CHECKS, buildClusterState, loadManifest, type ManifestFile } from '../../src/core';
import { loadPaths } from '../../src/node/loadPaths';

const BROKEN = `apiVersion: v1
kind: Service
metadata:
  name: Bad_Name
  namespace: shop
spec:
  type: ClusterIP
  clusterIP: 10.96.0.300
  sessionAffinity: Sticky
  externalName: db.example.com
  selector:
    app: "app=web"
  ports:
  - name: HTTP_port
    port: 80
    targetPort: "8080"
    nodePort: 30080
  - port: 80
    targetPort: 70000
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: metrics
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: webb
    spec:
      containers:
      - name: app
        image: app:1
        ports:
        - containerPort: 8080
          name: this-name-is-far-too-long
        readinessProbe:
          httpGet:
            port: metrics
`;

const AROUND = `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels:
    app: web
spec:
  containers:
  - name: app
    image: app:1
    ports:
    - containerPort: 8080
      name: metrics
---
apiVersion: v1
kind: Service
metadata:
  name: other
  namespace: shop
spec:
  type: NodePort
  clusterIP: 10.96.0.30
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30080
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata:
  name: extra
spec:
  cidrs:
  - 10.100.0.0/16
`;

test("checks marked reads: 'object' report the same for a file alone and among other objects", async () => {
  const { files } = await loadPaths(['examples']);
  const broken = loadManifest('/broken.yaml', BROKEN);
  const all: ManifestFile[] = [...files, broken, loadManifest('/around.yaml', AROUND)];
  const everything = buildClusterState(all.flatMap((f) => f.objects));
  const objectOnly = ALL_CHECKS.filter((c) => c.reads === 'object');
  assert.ok(objectOnly.length >= 10);
  let compared = 0;
  for (const file of [...files, broken]) {
    const alone = buildClusterState(file.objects);
    for (const check of objectOnly) {
      const key = (found: ReturnType<typeof check.run>) => JSON.stringify(found.filter((d) => d.file === file.file).map((d) => [d.code, d.range, d.message]));
      const a = key(check.run({ state: alone, files: [file] }, {}));
      const b = key(check.run({ state: everything, files: all }, {}));
      assert.equal(b, a, `${check.code} on ${file.file}`);
      compared += a === '[]' ? 0 : 1;
    }
  }
  // The comparison means something only if the object-only checks found things.
  assert.ok(compared >= 8, `only ${compared} non-empty comparisons`);
});

test('the broken file trips object-only checks and state checks alike (the fixture exercises both sides)', () => {
  const broken = loadManifest('/broken.yaml', BROKEN);
  const state = buildClusterState(broken.objects);
  const codes = new Set(ALL_CHECKS.flatMap((c) => c.run({ state, files: [broken] }, {}).map((d) => d.code)));
  for (const code of ['KSD104', 'KSD206', 'KSD103', 'KSD101']) assert.ok(codes.has(code), `${code} in ${[...codes].join(',')}`);
  // Among the objects around it, a state check answers differently: the pod web-1 matches Service web's selector.
  const all = [broken, loadManifest('/around.yaml', AROUND)];
  const among = buildClusterState(all.flatMap((f) => f.objects));
  const noMatch = (state: typeof among) => ALL_CHECKS.find((c) => c.code === 'KSD101')!.run({ state, files: all }, {}).filter((d) => d.message.startsWith('Selector app=web matches no pods'));
  assert.equal(noMatch(state).length, 1);
  assert.equal(noMatch(among).length, 0);
});
