import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { envName, serviceEnv } from '../../src/core';
import { service, stateOf } from './helpers';

const master = service({ name: 'kubernetes', selector: null, clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] });
const redis = service({
  name: 'redis-primary',
  ns: 'shop',
  clusterIP: '10.96.7.7',
  ports: [
    { port: 6379, targetPort: 6379 },
    { name: 'metrics', port: 9121, targetPort: 9121, protocol: 'TCP' },
    { name: 'gossip', port: 7000, targetPort: 7000, protocol: 'UDP' },
  ],
});

test('a Service gives exactly the variables kubelet writes, in its order', () => {
  const env = serviceEnv(stateOf(master + redis), 'shop');
  const vars = env.vars.filter((v) => v.service.name === 'redis-primary').map((v) => `${v.name}=${v.value}`);
  assert.deepEqual(vars, [
    'REDIS_PRIMARY_SERVICE_HOST=10.96.7.7',
    'REDIS_PRIMARY_SERVICE_PORT=6379',
    'REDIS_PRIMARY_SERVICE_PORT_METRICS=9121',
    'REDIS_PRIMARY_SERVICE_PORT_GOSSIP=7000',
    'REDIS_PRIMARY_PORT=tcp://10.96.7.7:6379',
    'REDIS_PRIMARY_PORT_6379_TCP=tcp://10.96.7.7:6379',
    'REDIS_PRIMARY_PORT_6379_TCP_PROTO=tcp',
    'REDIS_PRIMARY_PORT_6379_TCP_PORT=6379',
    'REDIS_PRIMARY_PORT_6379_TCP_ADDR=10.96.7.7',
    'REDIS_PRIMARY_PORT_9121_TCP=tcp://10.96.7.7:9121',
    'REDIS_PRIMARY_PORT_9121_TCP_PROTO=tcp',
    'REDIS_PRIMARY_PORT_9121_TCP_PORT=9121',
    'REDIS_PRIMARY_PORT_9121_TCP_ADDR=10.96.7.7',
    'REDIS_PRIMARY_PORT_7000_UDP=udp://10.96.7.7:7000',
    'REDIS_PRIMARY_PORT_7000_UDP_PROTO=udp',
    'REDIS_PRIMARY_PORT_7000_UDP_PORT=7000',
    'REDIS_PRIMARY_PORT_7000_UDP_ADDR=10.96.7.7',
  ]);
  assert.deepEqual(
    env.services.map((s) => `${s.namespace}/${s.name}`),
    ['default/kubernetes', 'shop/redis-primary'],
  );
  assert.equal(env.assumedMaster, false);
});

test('only the pod namespace counts; headless and ExternalName Services give nothing', () => {
  const yaml =
    master +
    redis +
    service({ name: 'other', ns: 'elsewhere', clusterIP: '10.96.8.8' }) +
    service({ name: 'db', ns: 'shop', clusterIP: 'None' }) +
    service({ name: 'ext', ns: 'shop', type: 'ExternalName', externalName: 'x.example.com', selector: null, ports: [] });
  const names = serviceEnv(stateOf(yaml), 'shop').vars.map((v) => v.name);
  assert.ok(names.includes('KUBERNETES_SERVICE_HOST'));
  assert.ok(names.includes('REDIS_PRIMARY_SERVICE_HOST'));
  assert.ok(!names.some((n) => n.startsWith('OTHER_') || n.startsWith('DB_') || n.startsWith('EXT_')));
});

test('enableServiceLinks: false keeps only the master Service variables', () => {
  const env = serviceEnv(stateOf(master + redis), 'shop', false);
  assert.deepEqual(
    [...new Set(env.vars.map((v) => v.service.name))],
    ['kubernetes'],
  );
  assert.deepEqual(
    env.vars.slice(0, 3).map((v) => `${v.name}=${v.value}`),
    ['KUBERNETES_SERVICE_HOST=10.96.0.1', 'KUBERNETES_SERVICE_PORT=443', 'KUBERNETES_SERVICE_PORT_HTTPS=443'],
  );
});

test('a Service named kubernetes in the pod namespace wins over the master one', () => {
  const env = serviceEnv(stateOf(master + service({ name: 'kubernetes', ns: 'shop', clusterIP: '10.96.9.9' })), 'shop');
  assert.equal(env.vars.find((v) => v.name === 'KUBERNETES_SERVICE_HOST')!.value, '10.96.9.9');
  assert.equal(serviceEnv(stateOf(master + service({ name: 'kubernetes', ns: 'shop', clusterIP: '10.96.9.9' })), 'shop', false).vars[0]!.value, '10.96.0.1');
});

test('the master Service is assumed when the manifests leave it out', () => {
  const env = serviceEnv(stateOf(redis), 'shop');
  assert.equal(env.assumedMaster, true);
  assert.equal(env.vars.find((v) => v.name === 'KUBERNETES_PORT')!.value, 'tcp://10.96.0.1:443');
});

test('IPv6 cluster IPs are bracketed in the URL variables only', () => {
  const env = serviceEnv(stateOf(service({ name: 'v6', clusterIP: 'fd00::10', ipFamilies: ['IPv6'], ports: [{ port: 80, targetPort: 80 }] })), 'default');
  const get = (n: string) => env.vars.find((v) => v.name === n)!.value;
  assert.equal(get('V6_SERVICE_HOST'), 'fd00::10');
  assert.equal(get('V6_PORT'), 'tcp://[fd00::10]:80');
  assert.equal(get('V6_PORT_80_TCP_ADDR'), 'fd00::10');
});

test('names two Services both produce are reported as conflicts, and container env shadows service variables', () => {
  const yaml = service({ name: 'app', clusterIP: '10.96.1.1', ports: [{ port: 80, targetPort: 80 }] }) + service({ name: 'app-service', clusterIP: '10.96.1.2', ports: [{ port: 81, targetPort: 81 }] });
  const spec = { containers: [{ name: 'main', env: [{ name: 'APP_SERVICE_HOST', value: 'x' }, { name: 'UNRELATED', value: 'y' }] }] };
  const env = serviceEnv(stateOf(yaml), 'default', true, spec);
  const c = env.conflicts.find((x) => x.name === 'APP_SERVICE_PORT');
  assert.deepEqual(
    c?.services.map((s) => s.name),
    ['app', 'app-service'],
  );
  assert.deepEqual(env.shadowed, [{ name: 'APP_SERVICE_HOST', container: 'main' }]);
  assert.equal(new Set(env.vars.map((v) => v.name)).size, env.vars.length);
});

test('envName upper-cases and turns dashes into underscores', () => {
  assert.equal(envName('my-svc-2'), 'MY_SVC_2');
});
