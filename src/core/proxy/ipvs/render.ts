/** `ksd rules --mode ipvs`: the IPVS table (as `ipvsadm -Ln` lists it), the ipsets and the iptables helper rules. */
import type { IpvsRealServer, IpvsTable, IpvsVirtualServer } from '../rulesDeps';
import { cidrContains, isLoopback, parseCIDR, type CIDR, type ClusterState, type IPFamily } from '../coreDeps';
import { buildProxyModel } from '../model';
import { masqueradeMark } from '../mark';
import type { ProxiedServicePort, ProxyEndpoint, ProxyModel, ProxyNode } from '../types';
import { helperRules, IPVS_JUMP_RULES } from './helperRules';
import { ipPortEntry, IpsetState } from './ipsets';

export interface IpvsRenderOptions {
  family?: IPFamily;
  node?: string;
  services?: string[];
  /** The kube-proxy minor release whose topology gates apply (default: the newest). */
  kubeProxyMinor?: number;
}

export interface IpvsRendered {
  family: IPFamily;
  scheduler: string;
  table: IpvsTable;
  sets: IpsetState;
  /** The iptables-restore payload (nat and filter). */
  iptables: string;
  /** Addresses kube-proxy binds to the kube-ipvs0 dummy interface. */
  dummyAddresses: string[];
  /** Which Service port each virtual server belongs to ("ns/svc:port"), keyed like `TCP 10.96.0.1:443`. */
  owners: Map<string, string>;
  masqueradeAll: boolean;
  model: ProxyModel;
  notes: string[];
}

export function vsKey(protocol: string, address: string, port: number): string {
  return `${protocol} ${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** NodePort addresses: all of the node's addresses (loopback included) unless nodePortAddresses narrows them. */
export function ipvsNodePortIPs(configured: readonly string[], node: ProxyNode, family: IPFamily): string[] {
  const ofFamily = node.ips.filter((ip) => (family === 'IPv4' ? !ip.includes(':') : ip.includes(':')));
  const cidrs: CIDR[] = [];
  for (const entry of configured) {
    if (entry === 'primary') {
      const ip = node.primaryIP[family];
      const c = ip ? parseCIDR(`${ip}/${family === 'IPv4' ? 32 : 128}`) : undefined;
      if (c) cidrs.push(c);
      continue;
    }
    const c = parseCIDR(entry);
    if (c && c.family === family) cidrs.push(c);
  }
  if (!cidrs.length || cidrs.some((c) => c.prefix === 0)) return [...ofFamily, family === 'IPv4' ? '127.0.0.1' : '::1'];
  return ofFamily.filter((ip) => cidrs.some((c) => cidrContains(c, ip)) && !isLoopback(ip));
}

function realServers(endpoints: ProxyEndpoint[]): IpvsRealServer[] {
  return endpoints.map((ep) => ({ address: ep.ip, port: ep.port, forward: 'Masq', weight: 1, activeConn: 0, inactConn: 0, line: 0 }));
}

/** syncEndpoint: local endpoints when the policy is Local and some exist, else the cluster endpoints. */
function endpointsFor(sp: ProxiedServicePort, onlyLocal: boolean): ProxyEndpoint[] {
  const { clusterEndpoints, localEndpoints } = sp.categorized;
  if (onlyLocal) return localEndpoints.length ? localEndpoints : clusterEndpoints;
  return clusterEndpoints;
}

export function renderIpvs(state: ClusterState, options: IpvsRenderOptions = {}): IpvsRendered {
  const family = options.family ?? 'IPv4';
  const model = buildProxyModel(state, { family, node: options.node, kubeProxyMinor: options.kubeProxyMinor });
  const cfg = (state.proxy.config ?? {}) as { ipvs?: { scheduler?: unknown } };
  const configured = typeof cfg.ipvs?.scheduler === 'string' ? cfg.ipvs.scheduler : '';
  const scheduler = configured || 'rr';
  const notes: string[] = [];
  if (model.node.placeholder) notes.push(`no Node given: NodePort virtual servers need node addresses, so only 127.0.0.1 is used for stand-in node "${model.node.name}"`);
  const sets = new IpsetState(family);
  const vss: IpvsVirtualServer[] = [];
  const owners = new Map<string, string>();
  const dummy = new Set<string>();
  const nodeAddrs = new Set(model.node.ips);
  const nodePortIPs = model.ports.some((p) => p.info.nodePort) ? ipvsNodePortIPs(state.proxy.nodePortAddresses, model.node, family) : [];
  const lbNoNodeAccess: { ip: string; protocol: string; port: number }[] = [];
  const nodeIP = model.node.primaryIP[family];
  const wanted = options.services ? new Set(options.services) : undefined;
  for (const sp of model.ports) {
    const { info } = sp;
    if (wanted && !wanted.has(`${info.namespace}/${info.name}`)) continue;
    const proto = info.protocol.toLowerCase();
    const persistent = info.sessionAffinity === 'ClientIP' ? info.stickyMaxAgeSeconds : undefined;
    const flags = scheduler === 'mh' ? ['mh-port'] : [];
    const addVS = (address: string, port: number, onlyLocal: boolean) => {
      const vs: IpvsVirtualServer = { protocol: info.protocol, address, port, scheduler, ...(persistent !== undefined ? { persistent } : {}), flags: [...flags], realServers: realServers(endpointsFor(sp, onlyLocal)), line: 0 };
      vss.push(vs);
      owners.set(vsKey(info.protocol, address, port), info.nameString);
    };
    for (const ep of sp.endpoints) if (ep.isLocal) sets.add('KUBE-LOOP-BACK', `${ipPortEntry(ep.ip, proto, ep.port)},${ep.ip}`);
    sets.add('KUBE-CLUSTER-IP', ipPortEntry(info.clusterIP, proto, info.port));
    addVS(info.clusterIP, info.port, info.internalPolicyLocal);
    dummy.add(info.clusterIP);
    for (const ip of info.externalIPs) {
      sets.add(info.externalPolicyLocal ? 'KUBE-EXTERNAL-IP-LOCAL' : 'KUBE-EXTERNAL-IP', ipPortEntry(ip, proto, info.port));
      addVS(ip, info.port, info.externalPolicyLocal);
      if (!nodeAddrs.has(ip)) dummy.add(ip);
    }
    for (const ip of info.loadBalancerVIPs) {
      const entry = ipPortEntry(ip, proto, info.port);
      sets.add('KUBE-LOAD-BALANCER', entry);
      if (info.externalPolicyLocal) sets.add('KUBE-LOAD-BALANCER-LOCAL', entry);
      if (info.loadBalancerSourceRanges.length) {
        sets.add('KUBE-LOAD-BALANCER-FW', entry);
        let allowFromNode = false;
        for (const r of info.loadBalancerSourceRanges) {
          sets.add('KUBE-LOAD-BALANCER-SOURCE-CIDR', `${entry},${r}`);
          const c = parseCIDR(r);
          if (c && nodeIP && cidrContains(c, nodeIP)) allowFromNode = true;
        }
        if (allowFromNode) sets.add('KUBE-LOAD-BALANCER-SOURCE-IP', `${entry},${ip}`);
        else lbNoNodeAccess.push({ ip, protocol: proto, port: info.port });
      }
      addVS(ip, info.port, info.externalPolicyLocal);
      if (!nodeAddrs.has(ip)) dummy.add(ip);
    }
    if (info.nodePort && nodePortIPs.length) {
      const sfx = proto === 'sctp' ? 'SCTP-HASH' : proto.toUpperCase();
      const entries = proto === 'sctp' ? nodePortIPs.map((ip) => ipPortEntry(ip, proto, info.nodePort)) : [String(info.nodePort)];
      for (const e of entries) {
        sets.add(`KUBE-NODE-PORT-${sfx}`, e);
        if (info.externalPolicyLocal) sets.add(`KUBE-NODE-PORT-LOCAL-${sfx}`, e);
      }
      for (const ip of nodePortIPs) addVS(ip, info.nodePort, info.externalPolicyLocal);
    }
    if (info.healthCheckNodePort) sets.add('KUBE-HEALTH-CHECK-NODE-PORT', String(info.healthCheckNodePort));
  }
  for (const a of dummy) sets.add('KUBE-IPVS-IPS', a);
  vss.sort((a, b) => vsKey(a.protocol, a.address, a.port).localeCompare(vsKey(b.protocol, b.address, b.port)));
  const iptables = helperRules({ sets, family, mark: masqueradeMark(state.proxy.masqueradeBit), masqueradeAll: state.proxy.masqueradeAll, detector: model.detector, lbNoNodeAccess });
  return {
    family,
    scheduler,
    table: { form: 'list', version: '1.2.1', virtualServers: vss, issues: [] },
    sets,
    iptables,
    dummyAddresses: [...dummy],
    owners,
    masqueradeAll: state.proxy.masqueradeAll,
    model,
    notes,
  };
}

/** `ipvsadm -Ln` as it prints the table. */
export function formatIpvsadm(table: IpvsTable): string {
  const out = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  for (const vs of table.virtualServers) {
    const addr = vs.protocol === 'FWM' ? String(vs.fwmark) : vsKey(vs.protocol, vs.address, vs.port).split(' ')[1];
    const flags = [...(vs.persistent !== undefined ? [`persistent ${vs.persistent}`] : []), ...vs.flags].join(' ');
    out.push(`${vs.protocol.padEnd(4)} ${addr} ${vs.scheduler ?? ''}${flags ? ` ${flags}` : ''}`.trimEnd());
    for (const rs of vs.realServers) {
      const hp = rs.address.includes(':') ? `[${rs.address}]:${rs.port}` : `${rs.address}:${rs.port}`;
      out.push(`  -> ${hp.padEnd(28)} ${(rs.forward ?? 'Masq').padEnd(7)} ${String(rs.weight ?? 1).padEnd(6)} ${String(rs.activeConn ?? 0).padEnd(10)} ${rs.inactConn ?? 0}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Everything `ksd rules --mode ipvs` prints: the IPVS table, the ipsets, the dummy-interface addresses and the iptables payload. */
export function formatIpvsRendered(r: IpvsRendered): string {
  return [
    '# ipvsadm -Ln',
    formatIpvsadm(r.table).trimEnd(),
    '',
    '# ipset save',
    r.sets.save().trimEnd(),
    '',
    `# addresses on the kube-ipvs0 dummy interface: ${r.dummyAddresses.join(' ') || '(none)'}`,
    '',
    '# iptables-restore payload; kube-proxy also ensures these jumps from the built-in chains:',
    ...IPVS_JUMP_RULES.map((j) => `#   iptables ${j}`),
    r.iptables.trimEnd(),
    '',
  ].join('\n');
}
