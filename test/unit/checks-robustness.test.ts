import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { check } from './checks-helpers';

/** Values of every wrong type, put in every field the checks read. */
const JUNK = ['null', '7', '"text"', 'true', '[1, {a: b}]', '{x: [1]}', '""', '-1', '99999999999', '"--"'];

const TEMPLATES: ((v: string) => string)[] = [
  (v) => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n  selector: {app: ${v}}\n  clusterIP: ${v}\n  clusterIPs: ${v}\n  ipFamilies: ${v}\n  ipFamilyPolicy: ${v}\n  externalIPs: ${v}\n  sessionAffinity: ${v}\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: ${v}}}\n  ports:\n  - {name: ${v}, port: ${v}, targetPort: ${v}, nodePort: ${v}, protocol: ${v}}\n  - ${v}\n`,
  (v) => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: ${v}\n  ports: ${v}\n  externalName: ${v}\n  loadBalancerSourceRanges: ${v}\n  healthCheckNodePort: ${v}\n`,
  (v) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: ${v}, matchExpressions: ${v}}\n  template:\n    metadata: {labels: ${v}}\n    spec:\n      containers:\n      - name: ${v}\n        ports: ${v}\n        readinessProbe: {httpGet: {port: ${v}}, tcpSocket: ${v}}\n      - ${v}\n      initContainers: ${v}\n`,
  (v) => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  defaultBackend: {service: {name: ${v}, port: ${v}}}\n  rules:\n  - http: {paths: [{backend: {service: ${v}}}, ${v}]}\n  - ${v}\n`,
  (v) => `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n  - backendRefs: [{name: ${v}, port: ${v}, namespace: ${v}}, ${v}]\n  - ${v}\n`,
  (v) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  podSelector: ${v}\n  policyTypes: ${v}\n  ingress: [{ports: [{port: ${v}, endPort: ${v}, protocol: ${v}}]}, ${v}]\n`,
  (v) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: x}}\nspec:\n  containers: [{name: c, ports: [{containerPort: ${v}, name: ${v}}]}]\nstatus:\n  podIP: ${v}\n  conditions: ${v}\n`,
];

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  selector: {app: x}\n  ports: [{port: 80}]\n';

test('wrong-typed fields in every object the checks read never make a check throw', () => {
  for (const t of TEMPLATES) {
    for (const v of JUNK) {
      const diags = check({ 'a.yaml': t(v), 'b.yaml': SERVICE });
      const internal = diags.filter((d) => d.code === 'KSD000');
      assert.deepEqual(internal, [], `${t(v)}`);
    }
  }
});

test('400 Services, half with a typo in the selector: each typo reported once, with a fix', () => {
  let text = '';
  for (let i = 0; i < 400; i++) {
    text += `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}}\nspec:\n  selector: {matchLabels: {app: a${i}}}\n  template:\n    metadata: {labels: {app: a${i}}}\n    spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 80}]}]}\n`;
    text += `---\napiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec:\n  selector: {app: a${i}${i % 2 ? 'x' : ''}}\n  ports: [{port: 80, targetPort: http}]\n`;
  }
  const diags = check(text);
  // Half the selectors carry a typo; each is reported once, with a fix.
  const typos = diags.filter((d) => d.code === 'KSD101');
  assert.equal(typos.length, 200);
  assert.ok(typos.every((d) => d.fixes?.length));
});
