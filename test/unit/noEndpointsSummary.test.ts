// The panel's "No endpoints ... Why:" sentence: counted in words ("16 pods", "1 matched pod", no "pod(s)"),
// and for a selector typo it names the closest pods' owner as the hover and KSD101 do (before, the panel
// said only "matches none of the 16 pod(s)" while the hover said "app=storefront, not storefrnt").
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { endpointsReport, findService } from '../../src/live/features';

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: storefront, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: storefront}}
  template:
    metadata: {labels: {app: storefront, tier: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
`;
const svc = (selector: string) => `---
apiVersion: v1
kind: Service
metadata: {name: storefront, namespace: shop}
spec:
  selector: {${selector}}
  ports: [{port: 80, targetPort: http}]
`;

function summary(selector: string): string | undefined {
  const state = buildClusterState(loadManifest('/ws/a.yaml', DEPLOY + svc(selector)).objects);
  return endpointsReport(state, findService(state, 'shop', 'storefront')!).summary;
}

test('no endpoints, selector typo: the pods are counted in words and the closest workload is named with the pair it misses', () => {
  assert.equal(summary('app: storefrnt'), 'the selector app=storefrnt matches none of the 2 pods in namespace shop; closest: Deployment storefront (app=storefront, not storefrnt)');
});

test('no endpoints, nothing close: no closest hint', () => {
  assert.equal(summary('app: payments-backend'), 'the selector app=payments-backend matches none of the 2 pods in namespace shop');
  assert.equal(summary('role: db'), 'the selector role=db matches none of the 2 pods in namespace shop');
});

test('endpoints: no summary', () => {
  assert.equal(summary('app: storefront'), undefined);
});
