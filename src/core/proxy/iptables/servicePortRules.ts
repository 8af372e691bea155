/** The rules for one Service port (the body of the loop in syncProxyRules, current layout). */
import { cidrContains, parseCIDR } from '../coreDeps';
import type { ProxiedServicePort, ProxyEndpoint } from '../types';
import type { SyncContext } from './context';
import { endpointChain, KUBE_EXTERNAL_SERVICES, KUBE_MARK_DROP, KUBE_MARK_MASQ, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL, KUBE_SERVICES, probability, serviceChain, type ServiceChainKind } from './names';
import { comment, rule, type IptRule } from './payload';

/** Where one service port's lines go. */
export interface RuleSink {
  filterRules: IptRule[];
  natChains: string[];
  natRules: IptRule[];
}

/** ServicePortName.String() as this version printed it (before v1.19 an unnamed port kept its colon). */
export function portNameString(sp: ProxiedServicePort, ctx: SyncContext): string {
  return ctx.profile.unnamedPortColon && !sp.info.portName ? `${sp.info.nameString}:` : sp.info.nameString;
}

/** An address as a -d/-s value: bare (current) or with a host prefix (older releases). */
export function host(ip: string, ctx: SyncContext): string {
  return ctx.profile.hostSuffix ? `${ip}/${ip.includes(':') ? 128 : 32}` : ip;
}

export interface PortChains {
  svc: string;
  svl: string;
  ext: string;
  fw: string;
  xlb: string;
  sep(ep: ProxyEndpoint): string;
}

/** The chain names of one service port, hashed on first use (most ports need only one or two). */
export function portChains(name: string, protocol: string): PortChains {
  const named = new Map<string, string>();
  const lazy = (kind: ServiceChainKind) => () => {
    let n = named.get(kind);
    if (n === undefined) named.set(kind, (n = serviceChain(kind, name, protocol)));
    return n;
  };
  const seps = new Map<string, string>();
  const svc = lazy('SVC');
  const svl = lazy('SVL');
  const ext = lazy('EXT');
  const fw = lazy('FW');
  const xlb = lazy('XLB');
  return {
    get svc() {
      return svc();
    },
    get svl() {
      return svl();
    },
    get ext() {
      return ext();
    },
    get fw() {
      return fw();
    },
    get xlb() {
      return xlb();
    },
    sep: (ep) => {
      let n = seps.get(ep.hostPort);
      if (n === undefined) seps.set(ep.hostPort, (n = endpointChain(name, protocol, ep.hostPort)));
      return n;
    },
  };
}

export function writeServicePort(sp: ProxiedServicePort, ctx: SyncContext, out: RuleSink): void {
  const info = sp.info;
  const proto = info.protocol.toLowerCase();
  const name = portNameString(sp, ctx);
  const ch = portChains(name, proto);
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = sp.categorized;
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && info.usesClusterEndpoints;
  const usesLocalPolicyChain = localEndpoints.length > 0 && info.usesLocalEndpoints;
  let internalTrafficChain = ch.svc;
  let hasInternalEndpoints = hasEndpoints;
  if (info.internalPolicyLocal) {
    internalTrafficChain = ch.svl;
    if (!localEndpoints.length) hasInternalEndpoints = false;
  }
  let externalPolicyChain = ch.svc;
  let hasExternalEndpoints = hasEndpoints;
  if (info.externalPolicyLocal) {
    externalPolicyChain = ch.svl;
    if (!localEndpoints.length) hasExternalEndpoints = false;
  }
  const usesExternalTrafficChain = hasEndpoints && info.externallyAccessible;
  const usesFWChain = hasEndpoints && info.loadBalancerVIPs.length > 0 && info.loadBalancerSourceRanges.length > 0;
  let internalTarget = '';
  let internalComment = '';
  let externalTarget = '';
  let externalComment = '';
  if (!hasEndpoints) {
    internalTarget = externalTarget = 'REJECT';
    internalComment = externalComment = `"${name} has no endpoints"`;
  } else {
    if (!hasInternalEndpoints) {
      internalTarget = 'DROP';
      internalComment = `"${name} has no local endpoints"`;
    }
    if (!hasExternalEndpoints) {
      externalTarget = 'DROP';
      externalComment = `"${name} has no local endpoints"`;
    }
  }
  const portMatch = (ip: string, port: number) => ['-m', proto, '-p', proto, '-d', host(ip, ctx), '--dport', String(port)];
  const clusterIPComment = `"${name} cluster IP"`;

  if (hasInternalEndpoints) {
    out.natRules.push(rule(KUBE_SERVICES, ['-m', 'comment', '--comment', clusterIPComment, ...portMatch(info.clusterIP, info.port), '-j', internalTrafficChain]));
  } else {
    out.filterRules.push(rule(KUBE_SERVICES, ['-m', 'comment', '--comment', internalComment, ...portMatch(info.clusterIP, info.port), '-j', internalTarget]));
  }
  for (const ip of info.externalIPs) {
    if (hasEndpoints) out.natRules.push(rule(KUBE_SERVICES, ['-m', 'comment', '--comment', `"${name} external IP"`, ...portMatch(ip, info.port), '-j', ch.ext]));
    if (!hasExternalEndpoints) out.filterRules.push(rule(KUBE_EXTERNAL_SERVICES, ['-m', 'comment', '--comment', externalComment, ...portMatch(ip, info.port), '-j', externalTarget]));
  }
  for (const ip of info.loadBalancerVIPs) {
    // The chain's name is hashed only here: most ports have no load-balancer IP.
    if (hasEndpoints) out.natRules.push(rule(KUBE_SERVICES, ['-m', 'comment', '--comment', `"${name} loadbalancer IP"`, ...portMatch(ip, info.port), '-j', usesFWChain ? ch.fw : ch.ext]));
    if (usesFWChain && ctx.profile.proxyFirewall) {
      out.filterRules.push(rule(KUBE_PROXY_FIREWALL, ['-m', 'comment', '--comment', `"${name} traffic not accepted by ${ch.fw}"`, ...portMatch(ip, info.port), '-j', 'DROP']));
    }
  }
  if (!hasExternalEndpoints) {
    for (const ip of info.loadBalancerVIPs) {
      out.filterRules.push(rule(KUBE_EXTERNAL_SERVICES, ['-m', 'comment', '--comment', externalComment, ...portMatch(ip, info.port), '-j', externalTarget]));
    }
  }
  if (info.nodePort !== 0) {
    if (hasEndpoints) {
      if (ctx.localhostNodePorts && ctx.family === 'IPv4' && ctx.nfacctLocalhost) {
        out.natRules.push(rule(KUBE_NODEPORTS, [...comment(name), '-m', proto, '-p', proto, '-d', '127.0.0.0/8', '--dport', String(info.nodePort), '-m', 'nfacct', '--nfacct-name', 'localhost_nps_accepted_pkts', '-j', ch.ext]));
      }
      out.natRules.push(rule(KUBE_NODEPORTS, [...comment(name), '-m', proto, '-p', proto, '--dport', String(info.nodePort), '-j', ch.ext]));
    }
    if (!hasExternalEndpoints) {
      out.filterRules.push(rule(KUBE_EXTERNAL_SERVICES, ['-m', 'comment', '--comment', externalComment, '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', proto, '-p', proto, '--dport', String(info.nodePort), '-j', externalTarget]));
    }
  }
  if (info.healthCheckNodePort !== 0) {
    out.filterRules.push(rule(KUBE_NODEPORTS, ['-m', 'comment', '--comment', `"${name} health check node port"`, '-m', 'tcp', '-p', 'tcp', '--dport', String(info.healthCheckNodePort), '-j', 'ACCEPT']));
  }

  if (hasInternalEndpoints) {
    const args = ['-m', 'comment', '--comment', clusterIPComment, ...portMatch(info.clusterIP, info.port)];
    if (ctx.masqueradeAll) out.natRules.push(rule(internalTrafficChain, [...args, '-j', KUBE_MARK_MASQ]));
    else if (ctx.detector.ifNotLocal.length) out.natRules.push(rule(internalTrafficChain, [...args, ...ctx.detector.ifNotLocal, '-j', KUBE_MARK_MASQ]));
  }
  if (usesExternalTrafficChain) {
    out.natChains.push(ch.ext);
    if (!info.externalPolicyLocal) {
      out.natRules.push(rule(ch.ext, ['-m', 'comment', '--comment', `"masquerade traffic for ${name} external destinations"`, '-j', KUBE_MARK_MASQ]));
    } else {
      if (ctx.detector.ifLocal.length) {
        out.natRules.push(rule(ch.ext, ['-m', 'comment', '--comment', `"pod traffic for ${name} external destinations"`, ...ctx.detector.ifLocal, '-j', ch.svc]));
      }
      out.natRules.push(rule(ch.ext, ['-m', 'comment', '--comment', `"masquerade LOCAL traffic for ${name} external destinations"`, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ]));
      out.natRules.push(rule(ch.ext, ['-m', 'comment', '--comment', `"route LOCAL traffic for ${name} external destinations"`, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', ch.svc]));
    }
    if (hasExternalEndpoints) out.natRules.push(rule(ch.ext, ['-j', externalPolicyChain]));
  }
  if (usesFWChain) {
    out.natChains.push(ch.fw);
    const args = ['-m', 'comment', '--comment', `"${name} loadbalancer IP"`];
    const nodeIP = ctx.node.primaryIP[ctx.family];
    let allowFromNode = false;
    for (const cidr of info.loadBalancerSourceRanges) {
      out.natRules.push(rule(ch.fw, [...args, '-s', cidr, '-j', ch.ext]));
      if (nodeIP && cidrHas(cidr, nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of info.loadBalancerVIPs) out.natRules.push(rule(ch.fw, [...args, '-s', host(ip, ctx), '-j', ch.ext]));
    if (ctx.profile.proxyFirewall) out.natRules.push(rule(ch.fw, ['-m', 'comment', '--comment', `"other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL"`]));
    else out.natRules.push(rule(ch.fw, [...args, '-j', KUBE_MARK_DROP]));
  }
  if (usesClusterPolicyChain) {
    out.natChains.push(ch.svc);
    writeServiceToEndpointRules(out.natRules, name, sp, ch.svc, clusterEndpoints, ch, ctx);
  }
  if (usesLocalPolicyChain) {
    out.natChains.push(ch.svl);
    writeServiceToEndpointRules(out.natRules, name, sp, ch.svl, localEndpoints, ch, ctx);
  }
  writeEndpointChains(out, name, sp, allReachableEndpoints, ch, ctx);
}

/**
 * KUBE-SEP chains: hairpin masquerade, then DNAT (with the affinity `--set` for ClientIP). This is the
 * hot loop of a large payload: the words shared by every endpoint of the port are joined once.
 */
export function writeEndpointChains(out: RuleSink, name: string, sp: ProxiedServicePort, endpoints: readonly ProxyEndpoint[], ch: PortChains, ctx: SyncContext): void {
  const proto = sp.info.protocol.toLowerCase();
  const c = ctx.largeClusterMode ? '' : `${comment(name).join(' ')} `;
  const affinity = sp.info.sessionAffinity === 'ClientIP';
  const masq = `${c}-s `;
  const masqEnd = ` -j ${KUBE_MARK_MASQ}`;
  const dnat = `-m ${proto} -p ${proto} -j DNAT --to-destination `;
  const plainDnat = c + dnat;
  // The shapes as the tracer's rule reader keys them: the words around the `-s` value, or before the last word.
  const masqShape = `HS${masq}\u0000${masqEnd}`;
  const dnatShape = `HL${plainDnat.slice(0, -1)}`;
  for (const ep of endpoints) {
    const chain = ch.sep(ep);
    out.natChains.push(chain);
    const src = host(ep.ip, ctx);
    out.natRules.push({ chain, text: masq + src + masqEnd, shape: masqShape, word: src });
    if (affinity) out.natRules.push({ chain, text: `${c}-m recent --name ${chain} --set ${dnat}${ep.hostPort}` });
    else out.natRules.push({ chain, text: plainDnat + ep.hostPort, shape: dnatShape, word: ep.hostPort });
  }
}

/** The shape key of `before + word` (see IptRule.shape): `before` without its last blank. */
const lastWordShapes = new Map<string, string>();

function lastWordShape(before: string): string {
  let k = lastWordShapes.get(before);
  if (k === undefined) {
    k = `HL${before.slice(0, -1)}`;
    if (lastWordShapes.size < 10_000) lastWordShapes.set(before, k);
  }
  return k;
}

/** `-m statistic --mode random --probability P -j ` for 1/n, built once per n. */
const fanOutWords: string[] = [];

function fanOut(n: number): string {
  let w = fanOutWords[n];
  if (w === undefined) fanOutWords[n] = w = `-m statistic --mode random --probability ${probability(n)} -j `;
  return w;
}

/** Affinity checks first (one per endpoint), then the random fan-out with 1/(n-i) probabilities. */
export function writeServiceToEndpointRules(rules: IptRule[], name: string, sp: ProxiedServicePort, chain: string, endpoints: readonly ProxyEndpoint[], ch: PortChains, ctx: SyncContext): void {
  // The comment is the same for every endpoint unless this version names the endpoint in it.
  const same = ctx.largeClusterMode ? '' : ctx.profile.endpointComments ? undefined : `${comment(name).join(' ')} `;
  const epComment = (ep: ProxyEndpoint) => same ?? `-m comment --comment "${name} -> ${ep.hostPort}" `;
  if (sp.info.sessionAffinity === 'ClientIP') {
    for (const ep of endpoints) {
      const sep = ch.sep(ep);
      rules.push({ chain, text: `${epComment(ep)}-m recent --name ${sep} --rcheck --seconds ${sp.info.stickyMaxAgeSeconds} --reap -j ${sep}` });
    }
  }
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i]!;
    const sep = ch.sep(ep);
    const before = i < n - 1 ? fanOut(n - i) : '-j ';
    // With one comment for every endpoint (or none), the rules differ only in their KUBE-SEP chain.
    if (same === '') rules.push({ chain, text: before + sep, shape: lastWordShape(before), word: sep });
    else rules.push({ chain, text: epComment(ep) + before + sep });
  }
}

function cidrHas(cidr: string, ip: string): boolean {
  const c = parseCIDR(cidr);
  return !!c && cidrContains(c, ip);
}
