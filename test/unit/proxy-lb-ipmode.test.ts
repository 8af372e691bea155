/**
 * Load-balancer ingress ipMode by release, and what a trace says about destinations no rule matches.
 * Upstream: pkg/proxy/util IsVIPMode (true for every ingress while the LoadBalancerIPMode gate is off:
 * alpha/off in 1.29, beta/on from 1.30 per its feature-gate page; then ipMode unset or VIP only),
 * pkg/proxy/serviceport.go (LB VIPs: ingress IPs with IsVIPMode), pkg/proxy/iptables/proxier.go
 * syncProxyRules (LB IP rules in KUBE-SERVICES, KUBE-PROXY-FIREWALL drops, the KUBE-FW chain's source
 * rules with the LB IPs as sources when a range holds the node IP), TestLoadBalancerIngressRouteTypeProxy.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isVIPMode, rulesRenderer, unmatchedDestinationNotes } from '../../src/core';
import { stateOf } from './helpers';

const yaml = readFileSync(path.resolve(__dirname, '../../../test/fixtures/proxy/lb-local-ranges.yaml'), 'utf8');
const rules = (version: string, mode = 'iptables', format?: string) => rulesRenderer(mode).render({ state: stateOf(yaml), node: 'n1', version, format });

test('isVIPMode: ipMode is ignored before 1.30, then only unset or VIP', () => {
  assert.equal(isVIPMode('Proxy', 29), true);
  assert.equal(isVIPMode('Proxy', 30), false);
  assert.equal(isVIPMode('Proxy', undefined), false);
  assert.equal(isVIPMode('VIP', 34), true);
  assert.equal(isVIPMode(undefined, 34), true);
});

test('iptables: an ipMode Proxy ingress IP gets the VIP rules on 1.29 only', () => {
  const lines = (v: string) => rules(v).split('\n').filter((l) => l.includes('5.6.7.8'));
  assert.deepEqual(lines('1.29'), [
    '-A KUBE-PROXY-FIREWALL -m comment --comment "default/lb:http traffic not accepted by KUBE-FW-JSLCNGWSGB5JPS5Q" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP',
    '-A KUBE-SERVICES -m comment --comment "default/lb:http loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-JSLCNGWSGB5JPS5Q',
    '-A KUBE-FW-JSLCNGWSGB5JPS5Q -m comment --comment "default/lb:http loadbalancer IP" -s 5.6.7.8 -j KUBE-EXT-JSLCNGWSGB5JPS5Q',
  ]);
  for (const v of ['1.30', '1.34']) assert.deepEqual(lines(v), []);
  // The VIP-mode ingress keeps its rules, and 192.168.0.0/16 holds the node IP: the LB IP is allowed as a source.
  assert.match(rules('1.34'), /-A KUBE-FW-JSLCNGWSGB5JPS5Q -m comment --comment "default\/lb:http loadbalancer IP" -s 1\.2\.3\.4 -j KUBE-EXT-JSLCNGWSGB5JPS5Q\n/);
  // IPVS 1.29 lists the Proxy-mode IP as a virtual server too; 1.30 does not.
  assert.match(rules('1.29', 'ipvs', 'ipvsadm'), /5\.6\.7\.8:80/);
  assert.doesNotMatch(rules('1.30', 'ipvs', 'ipvsadm'), /5\.6\.7\.8/);
});

test('unmatched destinations: an ipMode Proxy ingress IP, a Service address on a port it lacks', () => {
  const st = stateOf(yaml);
  assert.deepEqual(unmatchedDestinationNotes(st, '5.6.7.8', 80, 'TCP', 34), [
    '5.6.7.8 is a load-balancer ingress IP of Service default/lb with ipMode Proxy: kube-proxy writes no rules for it (only ipMode VIP, or none, gets them from 1.30), so traffic to it from the cluster goes out to the load balancer like any other destination.',
  ]);
  assert.deepEqual(unmatchedDestinationNotes(st, '10.96.0.20', 81, 'TCP', 34), ['10.96.0.20 is the ClusterIP of Service default/lb, but the Service has no port 81/TCP (its ports: 80/TCP).']);
  assert.deepEqual(unmatchedDestinationNotes(st, '198.51.100.7', 80, 'UDP', 34), ['198.51.100.7 is the external IP of Service default/lb, but the Service has no port 80/UDP (its ports: 80/TCP).']);
  // A matching port, or an address no Service has: nothing to add.
  assert.deepEqual(unmatchedDestinationNotes(st, '10.96.0.20', 80, 'TCP', 34), []);
  assert.deepEqual(unmatchedDestinationNotes(st, '10.1.2.3', 80, 'TCP', 34), []);
});

test('unmatched destinations: the healthCheckNodePort on a node address (kube-proxy serves it, 200 or 503)', () => {
  // pkg/proxy/healthcheck service_health.go: 200 with local endpoints, 503 without; nftables and IPVS write no
  // rule for the port (iptables only ACCEPTs it in KUBE-NODEPORTS), so their traces meet no rule.
  const st = stateOf(yaml);
  assert.deepEqual(unmatchedDestinationNotes(st, '192.168.0.3', 32000, 'TCP', 34, 'n3'), [
    'Port 32000 is the healthCheckNodePort of Service default/lb: kube-proxy itself listens there (no rule is needed) and answers HTTP 200 while the node has ready local endpoints for it, 503 otherwise. Node n3 has no ready local endpoint, so it answers 503 and the load balancer should leave this node out.',
  ]);
  assert.match(unmatchedDestinationNotes(st, '192.168.0.1', 32000, 'TCP', 34, 'n1')[0]!, /Node n1 has 1 ready local endpoint, so it answers 200\.$/);
  // Not a node address, another port, or UDP: nothing.
  assert.deepEqual(unmatchedDestinationNotes(st, '8.8.8.8', 32000, 'TCP', 34, 'n1'), []);
  assert.deepEqual(unmatchedDestinationNotes(st, '192.168.0.1', 32001, 'TCP', 34, 'n1'), []);
  assert.deepEqual(unmatchedDestinationNotes(st, '192.168.0.1', 32000, 'UDP', 34, 'n1'), []);
});
