/**
 * After a label source changes, the Services re-checked for it are those whose selector (as matched against
 * templates) could match its old or new labels: found through their selector terms, plus those left with no
 * term (a selector of runtime labels only, which matches any labels). Others are not re-checked.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, updateClusterState } from '../../src/core';
import { affectedSubjects } from '../../src/server/workspace/affected';

const deploy = (app: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
        tier: front
    spec:
      containers:
      - name: main
        image: web
`;
const svc = (name: string, ns: string, selector: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
${selector}
  ports:
  - port: 80
`;

test('a template label edit re-checks the Services that could match old or new labels, and those with no template term', () => {
  const services = [
    svc('old-app', 'shop', '    app: web'),
    svc('new-app', 'other', '    app: web2'),
    svc('tier', 'shop', '    tier: front'),
    svc('two-terms', 'shop', '    app: web2\n    tier: back'),
    svc('runtime-only', 'shop', '    pod-template-hash: abc123'),
    svc('unrelated', 'shop', '    app: db'),
  ];
  const before = loadManifest('a.yaml', [deploy('web'), ...services].join('---\n')).objects;
  const after = loadManifest('a.yaml', [deploy('web2'), ...services].join('---\n')).objects;
  // The Services are the same objects in both lists (unchanged documents keep theirs).
  const objects = [after[0]!, ...before.slice(1)];
  const prev = buildClusterState(before);
  const next = updateClusterState(prev, objects, [before[0]!], [after[0]!]);
  const out = affectedSubjects({ removed: [before[0]!], added: [after[0]!], prev, next, options: {}, holders: () => [] });
  assert.notEqual(out, 'all');
  const names = [...(out as Set<{ kind: string; name: string }>)].filter((o) => o.kind === 'Service').map((o) => o.name).sort();
  assert.deepEqual(names, ['new-app', 'old-app', 'runtime-only', 'tier']);
});
