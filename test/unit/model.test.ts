import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, cidrContains, loadManifest, parseCIDR, serviceEndpoints } from '../../src/core';
import { MAX_SIMULATED_PER_WORKLOAD } from '../../src/core/model/simulate';
import { node, pod, service, stateOf } from './helpers';

const deployment = (name: string, replicas: number | string | undefined, extra: Record<string, unknown> = {}, ns = 'default') =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra } },
    },
  }) + '\n---\n';

test('Service defaulting: type, protocol, targetPort, sessionAffinity, policies, families', () => {
  const state = stateOf(service({ name: 'web', ports: [{ port: 80 }, { name: 'dns', port: 53, targetPort: 0, protocol: 'UDP' }] }));
  const s = state.services[0]!;
  assert.equal(s.type, 'ClusterIP');
  assert.deepEqual(
    s.ports.map((p) => [p.protocol, p.targetPort, p.targetPortDefaulted]),
    [
      ['TCP', 80, true],
      ['UDP', 53, true],
    ],
  );
  assert.equal(s.sessionAffinity, 'None');
  assert.equal(s.affinityTimeoutSeconds, 10800);
  assert.equal(s.externalTrafficPolicy, 'Cluster');
  assert.equal(s.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(s.ipFamilies, ['IPv4']);
  assert.equal(s.ipFamilyPolicy, 'SingleStack');
  assert.equal(s.publishNotReadyAddresses, false);
});

test('wrong-typed fields never throw and read as absent', () => {
  const text = `apiVersion: v1
kind: Service
metadata: {name: odd, labels: [1, 2]}
spec:
  type: [NodePort]
  selector: "app=web"
  ports: [{port: "80", targetPort: {a: 1}, protocol: 7, nodePort: "x"}, "junk", null]
  clusterIPs: {a: 1}
  externalIPs: 5
  sessionAffinityConfig: {clientIP: {timeoutSeconds: "abc"}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: "x", deletionTimestamp: null}
spec: {containers: "nope", initContainers: [{restartPolicy: Always, ports: [{containerPort: "x"}]}], readinessGates: [1, {conditionType: 2}]}
status: {podIPs: "10.0.0.1", podIP: 5, conditions: [null, {type: Ready}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: "many", selector: [], template: {metadata: {labels: 3}, spec: 4}}
---
apiVersion: v1
kind: Node
metadata: {name: n}
status: {addresses: [{type: InternalIP, address: 12}, "x"], conditions: "bad"}
`;
  const f = loadManifest('odd.yaml', text);
  const state = buildClusterState(f.objects);
  const s = state.services.find((x) => x.name === 'odd')!;
  assert.equal(s.type, 'ClusterIP');
  assert.equal(s.ports.length, 3);
  assert.equal(s.ports[0]!.port, 80);
  assert.equal(s.ports[0]!.protocol, 'TCP');
  for (const svc of state.services) serviceEndpoints(state, svc);
  const p = state.pods.find((x) => x.name === 'p')!;
  assert.equal(p.terminating, false);
  assert.deepEqual(p.labels, {});
});

test('simulated pods: replicas, deterministic names and IPs inside the node pod CIDRs, marked simulated', () => {
  const yaml = deployment('web', 3) + node('n1', { podCIDR: '10.244.1.0/24' }) + node('n2', { podCIDR: '10.244.2.0/24' });
  const a = stateOf(yaml);
  const b = stateOf(yaml);
  const pods = a.pods.filter((p) => p.owner?.name === 'web');
  assert.equal(pods.length, 3);
  assert.ok(pods.every((p) => p.simulated && p.phase === 'Running' && p.labels['pod-template-hash']));
  assert.deepEqual(
    pods.map((p) => [p.name, p.ip, p.nodeName]),
    b.pods.filter((p) => p.owner?.name === 'web').map((p) => [p.name, p.ip, p.nodeName]),
  );
  assert.equal(new Set(pods.map((p) => p.ip)).size, 3);
  for (const p of pods) {
    const node = a.nodes.find((n) => n.name === p.nodeName)!;
    assert.ok(cidrContains(parseCIDR(node.podCIDRs[0]!)!, p.ip), `${p.ip} in ${node.podCIDRs[0]}`);
  }
  assert.equal(stateOf(deployment('web', undefined)).pods.length, 1, 'replicas default to 1');
  assert.equal(stateOf(deployment('web', 0)).pods.length, 0);
  assert.equal(stateOf(deployment('web', 3), { simulatePods: false }).pods.length, 0);
});

test('real pods win: a workload whose selector matches a given pod is not simulated', () => {
  const state = stateOf(deployment('web', 3) + pod({ name: 'web-real', labels: { app: 'web' }, ip: '10.244.0.9' }));
  assert.deepEqual(
    state.pods.map((p) => p.name),
    ['web-real'],
  );
});

test('StatefulSet pods get ordinal names, hostname and the governing Service as subdomain', () => {
  const sts = JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const state = stateOf(sts);
  assert.deepEqual(
    state.pods.map((p) => [p.name, p.hostname, p.subdomain, p.labels['statefulset.kubernetes.io/pod-name']]),
    [
      ['db-0', 'db-0', 'db', 'db-0'],
      ['db-1', 'db-1', 'db', 'db-1'],
    ],
  );
});

test('simulated hostNetwork pods have their node address; dual-stack pod networks give two addresses', () => {
  const hostNet = stateOf(deployment('agent', 1, { hostNetwork: true }) + node('n1', { podCIDR: '10.244.1.0/24' }).replace('"status":{', '"status":{"addresses":[{"type":"InternalIP","address":"192.168.0.11"}],'));
  assert.deepEqual(hostNet.pods[0]!.ips, ['192.168.0.11']);
  const dual = stateOf(deployment('web', 1) + '{"apiVersion":"kubeproxy.config.k8s.io/v1alpha1","kind":"KubeProxyConfiguration","clusterCIDR":"10.244.0.0/16,fd00:244::/56"}\n');
  const ips = dual.pods[0]!.ips;
  assert.equal(ips.length, 2);
  assert.ok(cidrContains(parseCIDR('10.244.0.0/16')!, ips[0]!));
  assert.ok(cidrContains(parseCIDR('fd00:244::/56')!, ips[1]!));
});

test('a Pod manifest without status is taken as running and ready, marked simulated; one with status is as written', () => {
  const bare = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bare","labels":{"app":"web"}},"spec":{"readinessGates":[{"conditionType":"x"}],"containers":[{"name":"c","image":"i"}]}}\n---\n';
  const state = stateOf(bare + pod({ name: 'written', ready: false, ip: '10.244.0.50' }));
  const b = state.pods.find((p) => p.name === 'bare')!;
  assert.equal(b.simulated, true);
  assert.ok(b.ip);
  assert.deepEqual(
    b.conditions.map((c) => `${c.type}=${c.status}`),
    ['Ready=True', 'x=True'],
  );
  const w = state.pods.find((p) => p.name === 'written')!;
  assert.equal(w.simulated, false);
  assert.equal(w.ip, '10.244.0.50');
});

test('address assignment: deterministic, in the Service CIDR, explicit values honoured and never reused, marked assigned', () => {
  const yaml =
    service({ name: 'a' }) +
    service({ name: 'b', clusterIP: '10.96.100.100' }) +
    service({ name: 'np', type: 'NodePort', ports: [{ name: 'x', port: 80, targetPort: 80 }, { name: 'y', port: 81, targetPort: 81, nodePort: 30081 }] }) +
    service({ name: 'twin', type: 'NodePort', ports: [{ name: 'tcp', port: 53, targetPort: 53 }, { name: 'udp', port: 53, targetPort: 53, protocol: 'UDP' }] }) +
    service({ name: 'h', clusterIP: 'None' });
  const s1 = stateOf(yaml);
  const s2 = stateOf(yaml);
  const get = (st: typeof s1, n: string) => st.services.find((s) => s.name === n)!;
  assert.equal(get(s1, 'a').clusterIP, get(s2, 'a').clusterIP);
  assert.equal(get(s1, 'a').clusterIPAssigned, true);
  assert.ok(cidrContains(parseCIDR('10.96.0.0/12')!, get(s1, 'a').clusterIP));
  assert.notEqual(get(s1, 'a').clusterIP, '10.96.0.1', '.1 belongs to default/kubernetes');
  assert.equal(get(s1, 'b').clusterIP, '10.96.100.100');
  assert.equal(get(s1, 'b').clusterIPAssigned, false);
  const np = get(s1, 'np').ports;
  assert.ok(np[0]!.nodePort >= 30000 && np[0]!.nodePort <= 32767 && np[0]!.nodePortAssigned);
  assert.deepEqual([np[1]!.nodePort, np[1]!.nodePortAssigned], [30081, false]);
  const twin = get(s1, 'twin').ports;
  assert.equal(twin[0]!.nodePort, twin[1]!.nodePort, 'same port number across protocols shares the node port');
  assert.equal(get(s1, 'h').clusterIP, 'None');
  // The order of files does not change what is assigned.
  const reversed = stateOf(yaml.split('\n---\n').filter(Boolean).reverse().join('\n---\n'));
  assert.equal(get(reversed, 'a').clusterIP, get(s1, 'a').clusterIP);
});

test('ServiceCIDR objects and PreferDualStack: both families on a dual-stack cluster', () => {
  const cidrs = '{"apiVersion":"networking.k8s.io/v1","kind":"ServiceCIDR","metadata":{"name":"kubernetes"},"spec":{"cidrs":["10.100.0.0/16","fd00:100::/112"]}}\n---\n';
  const state = stateOf(cidrs + service({ name: 'p', ipFamilyPolicy: 'PreferDualStack' }) + service({ name: 's' }));
  assert.deepEqual(state.serviceCIDRs, ['10.100.0.0/16', 'fd00:100::/112']);
  const p = state.services.find((s) => s.name === 'p')!;
  assert.deepEqual(p.ipFamilies, ['IPv4', 'IPv6']);
  assert.equal(p.clusterIPs.length, 2);
  assert.ok(cidrContains(parseCIDR('fd00:100::/112')!, p.clusterIPs[1]!));
  assert.equal(state.services.find((s) => s.name === 's')!.clusterIPs.length, 1);
  const single = stateOf(service({ name: 'p', ipFamilyPolicy: 'PreferDualStack' }));
  assert.deepEqual(single.services[0]!.ipFamilies, ['IPv4']);
});

test('kube-proxy settings from KubeProxyConfiguration or the kube-system/kube-proxy ConfigMap', () => {
  const cm = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\nclusterCIDR: 10.32.0.0/12\n' },
  });
  const state = stateOf(cm);
  assert.equal(state.proxy.mode, 'ipvs');
  assert.deepEqual(state.proxy.clusterCIDRs, ['10.32.0.0/12']);
  assert.equal(state.proxy.detectLocalMode, 'ClusterCIDR');
  const dflt = stateOf(service({ name: 'x' }));
  assert.equal(dflt.proxy.mode, 'iptables');
  assert.equal(dflt.proxy.masqueradeBit, 14);
});

test('a KubeProxyConfiguration file has no metadata and is still read (the example cluster config)', () => {
  const f = loadManifest('kube-proxy.yaml', 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\nclusterCIDR: 10.200.0.0/16\n');
  assert.equal(f.objects[0]!.partial, false);
  const state = buildClusterState(f.objects);
  assert.equal(state.proxy.mode, 'nftables');
  assert.deepEqual(state.proxy.clusterCIDRs, ['10.200.0.0/16']);
  // Other kinds without a name stay fragments.
  assert.equal(loadManifest('x.yaml', 'apiVersion: v1\nkind: Service\nspec: {ports: [{port: 1}]}\n').objects[0]!.partial, true);
});

test('huge replica counts are simulated up to a bound instead of hanging; counts the API server rejects run no pods', () => {
  const state = stateOf(deployment('web', 99999999999999999999 as number) + deployment('api', 2147483647));
  assert.equal(state.pods.filter((p) => p.owner?.name === 'web').length, 0, 'beyond int32: rejected, so no pods (KSD403)');
  assert.equal(state.pods.filter((p) => p.owner?.name === 'api').length, MAX_SIMULATED_PER_WORKLOAD);
  assert.equal(state.workloads.find((w) => w.name === 'api')!.replicas, 2147483647, 'the written count is kept');
});
