/** syncProxyRules: the whole iptables-restore payload of one single-family kube-proxy. */
import type { ClusterState, ServiceModel } from '../coreDeps';
import { buildProxyModel, proxiedPorts, topologyInput } from '../model';
import { localDetector, proxyNode } from '../node';
import type { ProxiedServicePort, ProxyModel, ProxyOptions } from '../types';
import { nodePortIPs, syncContext, type IPTablesOptions, type SyncContext } from './context';
import { writeLegacyServicePort } from './legacyServicePortRules';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from './names';
import { emptyTable, rule, type IPTablesPayload, type IptRule } from './payload';
import { writeServicePort, type RuleSink } from './servicePortRules';

export function renderIPTables(state: ClusterState, model: ProxyModel, options: IPTablesOptions = {}): IPTablesPayload {
  const ctx = syncContext(state, model.node, model.detector, model.family, model.totalEndpoints, options);
  const payload: IPTablesPayload = { family: model.family, filter: emptyTable('filter'), nat: emptyTable('nat'), notes: notesFor(ctx) };
  const fixed = proxierRules(ctx);
  const filterRules: IptRule[] = fixed.before.filter;
  const natRules: IptRule[] = fixed.before.nat;
  const natChains = fixed.natChains;
  const sink: RuleSink = { filterRules, natChains, natRules };
  const write = servicePortWriter(ctx);
  for (const sp of model.ports) write(sp, ctx, sink);
  natRules.push(...fixed.after.nat);
  filterRules.push(...fixed.after.filter);
  payload.filter.chains = fixed.filterChains;
  payload.filter.rules = filterRules;
  payload.nat.chains = natChains;
  payload.nat.rules = natRules;
  return payload;
}

/** What writes one Service port's rules for this layout. */
export function servicePortWriter(ctx: SyncContext): (sp: ProxiedServicePort, ctx: SyncContext, out: RuleSink) => void {
  return ctx.profile.extChains ? writeServicePort : writeLegacyServicePort;
}

/** The proxier-wide chains of one sync, and its rules that come before and after the Service ports' rules. */
export interface ProxierRules {
  filterChains: string[];
  natChains: string[];
  before: { filter: IptRule[]; nat: IptRule[] };
  after: { filter: IptRule[]; nat: IptRule[] };
}

export function proxierRules(ctx: SyncContext): ProxierRules {
  const filterChains = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS];
  if (ctx.profile.proxyFirewall) filterChains.push(KUBE_PROXY_FIREWALL);
  const natChains = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ];
  const filter: IptRule[] = [];
  if (ctx.profile.ownsKubeFirewall && ctx.family === 'IPv4' && ctx.localhostNodePorts) {
    filterChains.push(KUBE_FIREWALL);
    filter.push(rule(KUBE_FIREWALL, ['-m', 'comment', '--comment', '"block incoming localnet connections"', '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP']));
  }
  return { filterChains, natChains, before: { filter, nat: postroutingRules(ctx) }, after: { filter: forwardRules(ctx), nat: nodePortsJump(ctx) } };
}

/** The chains and rules of one Service (all its ports), without the proxier-wide rules. */
export function renderServiceIPTables(state: ClusterState, svc: ServiceModel, proxy: ProxyOptions, totalEndpoints: number, options: IPTablesOptions = {}): IPTablesPayload {
  const node = proxyNode(state, proxy.node);
  const detector = localDetector(state, node, proxy.family);
  const ctx = syncContext(state, node, detector, proxy.family, totalEndpoints, options);
  const sink: RuleSink = { filterRules: [], natChains: [], natRules: [] };
  const write = servicePortWriter(ctx);
  for (const sp of proxiedPorts(state, svc, proxy.family, node, topologyInput(node, proxy))) write(sp, ctx, sink);
  return {
    family: proxy.family,
    filter: { name: 'filter', chains: [], rules: sink.filterRules },
    nat: { name: 'nat', chains: sink.natChains, rules: sink.natRules },
    notes: notesFor(ctx),
  };
}

/** Convenience: model + render in one call. */
export function iptablesPayload(state: ClusterState, proxy: ProxyOptions, options: IPTablesOptions = {}): IPTablesPayload {
  return renderIPTables(state, buildProxyModel(state, proxy), options);
}

function postroutingRules(ctx: SyncContext): IptRule[] {
  const m = ctx.mark;
  const masq = ['-m', 'comment', '--comment', '"kubernetes service traffic requiring SNAT"', '-j', 'MASQUERADE'];
  if (ctx.randomFully) masq.push('--random-fully');
  const rules: IptRule[] = [
    rule(KUBE_POSTROUTING, ['-m', 'mark', '!', '--mark', `${m}/${m}`, '-j', 'RETURN']),
    rule(KUBE_POSTROUTING, ['-j', 'MARK', '--xor-mark', m]),
    rule(KUBE_POSTROUTING, masq),
    rule(KUBE_MARK_MASQ, ['-j', 'MARK', '--or-mark', m]),
  ];
  return rules;
}

/** The last rule of KUBE-SERVICES: NodePorts on local addresses (or the nodePortAddresses IPs). */
function nodePortsJump(ctx: SyncContext): IptRule[] {
  const c = ['-m', 'comment', '--comment', '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"'];
  if (ctx.nodePorts.matchAll) {
    const dest = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    if (ctx.family === 'IPv6') dest.push('!', '-d', '::1/128');
    else if (!ctx.localhostNodePorts) dest.push('!', '-d', '127.0.0.0/8');
    return [rule(KUBE_SERVICES, [...c, ...dest, '-j', KUBE_NODEPORTS])];
  }
  const rules: IptRule[] = [];
  for (const ip of nodePortIPs(ctx.nodePorts, ctx.node, ctx.family)) {
    if ((ip === '127.0.0.1' || ip === '::1') && (ctx.family === 'IPv6' || !ctx.localhostNodePorts)) continue;
    rules.push(rule(KUBE_SERVICES, [...c, '-d', ip, '-j', KUBE_NODEPORTS]));
  }
  return rules;
}

function forwardRules(ctx: SyncContext): IptRule[] {
  const rules: IptRule[] = [];
  if (!(ctx.profile.honoursTcpBeLiberal && ctx.tcpBeLiberal)) {
    const args = ['-m', 'conntrack', '--ctstate', 'INVALID'];
    if (ctx.nfacctInvalid) args.push('-m', 'nfacct', '--nfacct-name', 'ct_state_invalid_dropped_pkts');
    args.push('-j', 'DROP');
    rules.push(rule(KUBE_FORWARD, args));
  }
  const m = ctx.mark;
  rules.push(rule(KUBE_FORWARD, ['-m', 'comment', '--comment', '"kubernetes forwarding rules"', '-m', 'mark', '--mark', `${m}/${m}`, '-j', 'ACCEPT']));
  if (ctx.profile.forwardPodRules) {
    for (const which of ['source', 'destination']) {
      rules.push(rule(KUBE_FORWARD, ['-m', 'comment', '--comment', `"kubernetes forwarding conntrack pod ${which} rule"`, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']));
    }
  } else {
    rules.push(rule(KUBE_FORWARD, ['-m', 'comment', '--comment', '"kubernetes forwarding conntrack rule"', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']));
  }
  return rules;
}

function notesFor(ctx: SyncContext): string[] {
  const notes: string[] = [];
  if (ctx.node.placeholder) notes.push(`ksd: no Node object was given; rules are for a stand-in node "${ctx.node.name}" with no addresses (no endpoint is local to it)`);
  return notes;
}
