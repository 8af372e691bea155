import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });

const dir = mkdtempSync(path.join(tmpdir(), 'ksd-dns-'));
const file = path.join(dir, 'db.yaml');
writeFileSync(
  file,
  `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      enableServiceLinks: false
      containers:
      - name: pg
        image: postgres
        ports: [{name: pg, containerPort: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: pg, port: 5432, targetPort: pg}]
---
apiVersion: v1
kind: Pod
metadata: {name: box, namespace: data}
spec:
  hostNetwork: true
  containers: [{name: c, image: busybox}]
`,
);

test('ksd --help lists dns and env', () => {
  const r = ksd('--help');
  assert.match(r.stdout, /ksd dns NAME PATHS/);
  assert.match(r.stdout, /ksd env NAMESPACE\/POD PATHS/);
});

test('ksd dns resolves a short name through the search list (text)', () => {
  const r = ksd('dns', 'webserver', 'examples', '--namespace', 'web');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ANSWER\s+webserver\.web\.svc\.cluster\.local\./);
  assert.match(r.stdout, /webserver\.web\.svc\.cluster\.local\.\tA\t10\.\d+\.\d+\.\d+\t; Service web\/webserver, cluster IP assigned by ksd/);
});

test('ksd dns --json: StatefulSet pods by name through their headless Service', () => {
  const r = ksd('dns', 'db-1.db', file, '--namespace', 'data', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { attempts: { outcome: string }[]; answer: { records: { type: string; value: string; pod: string }[] } };
  assert.deepEqual(
    out.attempts.map((a) => a.outcome),
    ['answer'],
  );
  assert.equal(out.answer.records.length, 1);
  assert.equal(out.answer.records[0]!.pod, 'db-1');
  const srv = JSON.parse(ksd('dns', '_pg._tcp.db', file, '--namespace', 'data', '--json').stdout) as { answer: { records: { value: string; port: number }[] } };
  assert.deepEqual(srv.answer.records.map((x) => x.value).sort(), ['db-0.db.data.svc.cluster.local.', 'db-1.db.data.svc.cluster.local.']);
});

test('ksd dns exits 1 when cluster DNS has no answer, and 0 when the name leaves the cluster', () => {
  let r = ksd('dns', 'nope.default.svc.cluster.local.', 'examples');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /NXDOMAIN nope\.default\.svc\.cluster\.local\.\s+\(no Service "nope" in namespace default\)/);
  r = ksd('dns', 'example.com', 'examples');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /example\.com\. leaves the cluster/);
});

test('ksd dns --pod uses the pod resolver: hostNetwork without ClusterFirstWithHostNet never reaches cluster DNS', () => {
  const r = ksd('dns', 'db', file, '--pod', 'data/box');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /note: hostNetwork with dnsPolicy ClusterFirst uses the node's resolver/);
  assert.match(r.stdout, /the node's resolver answers it/);
});

test('ksd dns rejects bad arguments clearly', () => {
  let r = ksd('dns', 'x');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /needs a NAME and at least one PATH/);
  r = ksd('dns', 'x', 'examples', '--type', 'MX');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--type must be one of A, AAAA, SRV, PTR/);
  r = ksd('dns', 'x', 'examples', '--cluster-domain', 'bad domain');
  assert.equal(r.status, 2);
  r = ksd('dns', 'x', 'examples', '--pod', 'default/ghost');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no pod or workload default\/ghost/);
});

test('ksd env prints the variables; enableServiceLinks false keeps only the master ones', () => {
  let r = ksd('env', 'web/webserver', 'examples');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^WEBSERVER_SERVICE_PORT_HTTP=80$/m);
  assert.match(r.stdout, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  r = ksd('env', 'data/db-0', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { enableServiceLinks: boolean; vars: { name: string; service: string }[]; assumedMaster: boolean };
  assert.equal(out.enableServiceLinks, false);
  assert.deepEqual([...new Set(out.vars.map((v) => v.service))], ['default/kubernetes']);
  assert.equal(out.assumedMaster, true);
});
