/**
 * The rules for one Service port in the KUBE-XLB layout (kube-proxy before v1.24), following
 * syncProxyRules of that era: per-endpoint chains first, masquerading inside KUBE-SVC, KUBE-FW chains
 * ending in KUBE-MARK-DROP, and KUBE-XLB for externalTrafficPolicy: Local.
 */
import { cidrContains, parseCIDR } from '../coreDeps';
import type { ProxiedServicePort, ProxyEndpoint } from '../types';
import type { SyncContext } from './context';
import { KUBE_EXTERNAL_SERVICES, KUBE_MARK_DROP, KUBE_MARK_MASQ, KUBE_NODEPORTS, KUBE_SERVICES, probability } from './names';
import { comment, rule, type IptRule } from './payload';
import { host, portChains, portNameString, type RuleSink } from './servicePortRules';

export function writeLegacyServicePort(sp: ProxiedServicePort, ctx: SyncContext, out: RuleSink): void {
  const info = sp.info;
  const proto = info.protocol.toLowerCase();
  const name = portNameString(sp, ctx);
  const ch = portChains(name, proto);
  const local = info.externalPolicyLocal;
  // FilterEndpoints of that era: internalTrafficPolicy Local keeps only this node's endpoints.
  let endpoints = sp.endpoints;
  if (info.internalPolicyLocal && !local) endpoints = endpoints.filter((e) => e.isLocal);
  const ready = endpoints.filter((e) => e.ready);
  const hasEndpoints = ready.length > 0;
  const localReady = local ? ready.filter((e) => e.isLocal) : [];
  const svcComment = ctx.largeClusterMode ? [] : comment(name);
  const sepRules: IptRule[] = [];
  const sepChains: string[] = [];
  for (const ep of ready) writeSep(ep, sp, ctx, ch.sep(ep), svcComment, sepChains, sepRules);
  const portMatch = (ip: string, port: number) => ['-m', proto, '-p', proto, '-d', host(ip, ctx), '--dport', String(port)];
  const rules: IptRule[] = [];
  const chains: string[] = [];
  if (!ctx.profile.interleavedEndpoints) {
    chains.push(...sepChains);
    rules.push(...sepRules);
  }
  if (hasEndpoints) chains.push(ch.svc);
  if (local) chains.push(ch.xlb);
  if (ctx.profile.interleavedEndpoints) chains.push(...sepChains);
  const noEndpoints = `"${name} has no endpoints"`;

  if (hasEndpoints) {
    const args = ['-m', 'comment', '--comment', `"${name} cluster IP"`, ...portMatch(info.clusterIP, info.port)];
    const masqChain = ctx.profile.masqInServiceChain ? ch.svc : KUBE_SERVICES;
    if (ctx.masqueradeAll) rules.push(rule(masqChain, [...args, '-j', KUBE_MARK_MASQ]));
    else if (ctx.detector.ifNotLocal.length) rules.push(rule(masqChain, [...args, ...ctx.detector.ifNotLocal, '-j', KUBE_MARK_MASQ]));
    rules.push(rule(KUBE_SERVICES, [...args, '-j', ch.svc]));
  } else {
    out.filterRules.push(rule(KUBE_SERVICES, ['-m', 'comment', '--comment', noEndpoints, ...portMatch(info.clusterIP, info.port), '-j', 'REJECT']));
  }
  for (const ip of info.externalIPs) {
    if (!hasEndpoints) {
      out.filterRules.push(rule(KUBE_EXTERNAL_SERVICES, ['-m', 'comment', '--comment', noEndpoints, ...portMatch(ip, info.port), '-j', 'REJECT']));
      continue;
    }
    const args = ['-m', 'comment', '--comment', `"${name} external IP"`, ...portMatch(ip, info.port)];
    if (!local) {
      const masq = ctx.detector.ifNotLocal.length ? [...args, ...ctx.detector.ifNotLocal, '-j', KUBE_MARK_MASQ] : [...args, '-j', KUBE_MARK_MASQ];
      rules.push(rule(ch.svc, masq));
    }
    rules.push(rule(KUBE_SERVICES, [...args, '-j', local ? ch.xlb : ch.svc]));
  }
  for (const ip of info.loadBalancerVIPs) {
    if (!hasEndpoints) {
      out.filterRules.push(rule(KUBE_EXTERNAL_SERVICES, ['-m', 'comment', '--comment', noEndpoints, ...portMatch(ip, info.port), '-j', 'REJECT']));
      continue;
    }
    // The chain line is written once per ingress IP, as the code of that era did.
    chains.push(ch.fw);
    rules.push(rule(KUBE_SERVICES, ['-m', 'comment', '--comment', `"${name} loadbalancer IP"`, ...portMatch(ip, info.port), '-j', ch.fw]));
    const args = ['-m', 'comment', '--comment', `"${name} loadbalancer IP"`];
    const chosen = local ? ch.xlb : ch.svc;
    if (!local) rules.push(rule(ch.fw, [...args, '-j', KUBE_MARK_MASQ]));
    if (!info.loadBalancerSourceRanges.length) rules.push(rule(ch.fw, [...args, '-j', chosen]));
    else {
      const nodeIP = ctx.node.primaryIP[ctx.family];
      let allowFromNode = false;
      for (const src of info.loadBalancerSourceRanges) {
        rules.push(rule(ch.fw, [...args, '-s', src, '-j', chosen]));
        if (nodeIP && contains(src, nodeIP)) allowFromNode = true;
      }
      if (allowFromNode) rules.push(rule(ch.fw, [...args, '-s', host(ip, ctx), '-j', chosen]));
    }
    rules.push(rule(ch.fw, [...args, '-j', KUBE_MARK_DROP]));
  }
  if (info.nodePort !== 0) {
    if (hasEndpoints) {
      const args = [...comment(name), '-m', proto, '-p', proto, '--dport', String(info.nodePort)];
      if (!local) {
        rules.push(rule(ch.svc, [...args, '-j', KUBE_MARK_MASQ]));
        rules.push(rule(KUBE_NODEPORTS, [...args, '-j', ch.svc]));
      } else {
        rules.push(rule(KUBE_NODEPORTS, [...args, '-s', ctx.family === 'IPv6' ? '::1/128' : '127.0.0.0/8', '-j', KUBE_MARK_MASQ]));
        rules.push(rule(KUBE_NODEPORTS, [...args, '-j', ch.xlb]));
      }
    } else {
      out.filterRules.push(rule(KUBE_EXTERNAL_SERVICES, ['-m', 'comment', '--comment', noEndpoints, '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', proto, '-p', proto, '--dport', String(info.nodePort), '-j', 'REJECT']));
    }
  }
  if (info.healthCheckNodePort !== 0) {
    out.filterRules.push(rule(KUBE_NODEPORTS, ['-m', 'comment', '--comment', `"${name} health check node port"`, '-m', 'tcp', '-p', 'tcp', '--dport', String(info.healthCheckNodePort), '-j', 'ACCEPT']));
  }
  if (hasEndpoints) {
    writeLegacyFanOut(rules, name, sp, ch.svc, ready, ch.sep, ctx, ctx.profile.interleavedEndpoints ? byChain(sepRules) : undefined);
    if (local) {
      if (ctx.detector.ifLocal.length) {
        rules.push(rule(ch.xlb, ['-m', 'comment', '--comment', '"Redirect pods trying to reach external loadbalancer VIP to clusterIP"', ...ctx.detector.ifLocal, '-j', ch.svc]));
      }
      rules.push(rule(ch.xlb, ['-m', 'comment', '--comment', `"masquerade LOCAL traffic for ${name} LB IP"`, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ]));
      rules.push(rule(ch.xlb, ['-m', 'comment', '--comment', `"route LOCAL traffic for ${name} LB IP to service chain"`, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', ch.svc]));
      if (!localReady.length) rules.push(rule(ch.xlb, ['-m', 'comment', '--comment', `"${name} has no local endpoints"`, '-j', KUBE_MARK_DROP]));
      else writeLegacyFanOut(rules, name, sp, ch.xlb, localReady, ch.sep, ctx, undefined);
    }
  }
  out.natChains.push(...chains);
  out.natRules.push(...rules);
}

function writeSep(ep: ProxyEndpoint, sp: ProxiedServicePort, ctx: SyncContext, chain: string, svcComment: string[], chains: string[], rules: IptRule[]): void {
  const proto = sp.info.protocol.toLowerCase();
  chains.push(chain);
  rules.push(rule(chain, [...svcComment, '-s', host(ep.ip, ctx), '-j', KUBE_MARK_MASQ]));
  const args = [...svcComment];
  if (sp.info.sessionAffinity === 'ClientIP') args.push('-m', 'recent', '--name', chain, '--set');
  args.push('-m', proto, '-p', proto, '-j', 'DNAT', '--to-destination', ep.hostPort);
  rules.push(rule(chain, args));
}

/**
 * Affinity checks, then the probability fan-out. With `interleave` (releases before v1.22), each
 * endpoint's own KUBE-SEP rules follow its jump rule, as the older loop wrote them.
 */
function writeLegacyFanOut(rules: IptRule[], name: string, sp: ProxiedServicePort, chain: string, eps: readonly ProxyEndpoint[], sep: (e: ProxyEndpoint) => string, ctx: SyncContext, interleave: Map<string, IptRule[]> | undefined): void {
  const c = ctx.largeClusterMode ? [] : comment(name);
  if (sp.info.sessionAffinity === 'ClientIP') {
    for (const ep of eps) rules.push(rule(chain, [...c, '-m', 'recent', '--name', sep(ep), '--rcheck', '--seconds', String(sp.info.stickyMaxAgeSeconds), '--reap', '-j', sep(ep)]));
  }
  eps.forEach((ep, i) => {
    const args = [...c];
    if (i < eps.length - 1) args.push('-m', 'statistic', '--mode', 'random', '--probability', probability(eps.length - i));
    args.push('-j', sep(ep));
    rules.push(rule(chain, args));
    if (interleave) rules.push(...(interleave.get(sep(ep)) ?? []));
  });
}

function byChain(rules: IptRule[]): Map<string, IptRule[]> {
  const m = new Map<string, IptRule[]>();
  for (const r of rules) m.set(r.chain, [...(m.get(r.chain) ?? []), r]);
  return m;
}

function contains(cidr: string, ip: string): boolean {
  const c = parseCIDR(cidr);
  return !!c && cidrContains(c, ip);
}
