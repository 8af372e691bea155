/** KSD301-KSD304: clusterIPs, externalIPs, source ranges and IP families as the API server validates them. */
import type { Diagnostic } from '../diagnostics';
import { cidrContains, parseCIDR, parseIP, type CIDR } from '../net/ip';
import { arr, rec, str } from '../model/read';
import type { ServiceModel } from '../model/types';
import { focusServices, inFocus } from './scope';
import type { Check, CheckContext } from './types';
import { diag, related } from './util';

function spec(svc: ServiceModel): Record<string, unknown> {
  return rec(svc.loaded?.object['spec']);
}

/** The clusterIPs as written, with the path each came from. */
function writtenIPs(svc: ServiceModel): { ip: string; path: (string | number)[] }[] {
  const s = spec(svc);
  const list = arr(s['clusterIPs']);
  if (list.length) return list.map((v, i) => ({ ip: str(v) ?? '', path: ['spec', 'clusterIPs', i] }));
  const one = str(s['clusterIP']);
  return one ? [{ ip: one, path: ['spec', 'clusterIP'] }] : [];
}

function each(ctx: CheckContext, fn: (svc: ServiceModel, out: Diagnostic[]) => void): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Indexed: a for-of allocates per Service while this runs unoptimised (once per check in a first analysis).
  const services = focusServices(ctx);
  for (let i = 0; i < services.length; i++) {
    const svc = services[i]!;
    if (svc.loaded && svc.type !== 'ExternalName') fn(svc, out);
  }
  return out;
}

export const clusterIPRangeCheck: Check = {
  reads: ['ServiceCIDR'],
  code: 'KSD301',
  id: 'cluster-ip-outside-service-cidr',
  title: 'clusterIP outside the Service CIDR',
  defaultSeverity: 'error',
  description: 'A clusterIP must come from the cluster Service CIDR(s); checked when ServiceCIDR objects (or the Service CIDR option) say what they are.',
  run(ctx) {
    const cidrs = ctx.state.serviceCIDRs.map(parseCIDR).filter((c): c is CIDR => !!c);
    // Without a ServiceCIDR object the range is only assumed (kubeadm's default): clusters differ (k3s, GKE...),
    // and exported manifests carry their real clusterIPs, so say nothing rather than guess.
    if (ctx.state.serviceCIDRsDefaulted) return [];
    return each(ctx, (svc, out) => {
      for (const { ip, path } of writtenIPs(svc)) {
        const p = ip === 'None' ? undefined : parseIP(ip);
        if (!p) continue;
        const same = cidrs.filter((c) => c.family === p.family);
        if (same.some((c) => cidrContains(c, p))) continue;
        const ranges = ctx.state.serviceCIDRs.join(', ');
        const msg = same.length
          ? `clusterIP ${ip} is outside the Service CIDR ${ranges}, so the API server rejects it ("provided IP is not in the valid range"). Remove clusterIP to get one assigned, or pick one inside the range.`
          : `clusterIP ${ip} is ${p.family}, but the cluster has no ${p.family} Service CIDR (${ranges}): the API server rejects it.`;
        out.push(diag(svc.loaded, path, 'error', 'KSD301', msg));
      }
    });
  },
};

export const clusterIPConflictCheck: Check = {
  reads: ['Service'],
  scope: 'cluster',
  code: 'KSD302',
  id: 'cluster-ip-conflict',
  title: 'clusterIP used by two Services',
  defaultSeverity: 'error',
  description: 'Each clusterIP belongs to one Service; a second Service asking for it is rejected ("provided IP is already allocated").',
  run(ctx) {
    const owner = new Map<string, ServiceModel>();
    if (!focusServices(ctx).some((s) => writtenIPs(s).length)) return [];
    // Every Service claims its addresses in order; only the focused ones are reported on.
    return each({ state: ctx.state, files: ctx.files }, (svc, out) => {
      for (const { ip, path } of writtenIPs(svc)) {
        const p = ip === 'None' ? undefined : parseIP(ip);
        if (!p) continue;
        const key = `${p.family}/${p.value}`;
        const prev = owner.get(key);
        if (prev && prev !== svc) {
          if (inFocus(ctx, svc.loaded)) out.push(diag(svc.loaded, path, 'error', 'KSD302', `clusterIP ${ip} is already used by Service ${prev.namespace}/${prev.name}; the API server rejects the second Service ("provided IP is already allocated"). Remove clusterIP here to get a free one.`, { related: related(prev.loaded, ['spec', 'clusterIP'], `Service ${prev.namespace}/${prev.name} uses ${ip}`) }));
        } else owner.set(key, svc);
      }
    });
  },
};

export const invalidAddressCheck: Check = {
  reads: 'object',
  code: 'KSD303',
  id: 'invalid-address',
  title: 'Invalid clusterIP, externalIP or source range',
  defaultSeverity: 'error',
  description: 'clusterIP(s), externalIPs and loadBalancerSourceRanges must be valid IPs/CIDRs; externalIPs may not be loopback, link-local or unspecified; clusterIPs[0] must equal clusterIP.',
  run: (ctx) =>
    each(ctx, (svc, out) => {
      const s = spec(svc);
      const ips = writtenIPs(svc);
      ips.forEach(({ ip, path }, i) => {
        if (ip === 'None' && i === 0) return;
        if (!parseIP(ip)) out.push(diag(svc.loaded, path, 'error', 'KSD303', `${ip === 'None' ? '"None" must be the first and only clusterIP' : `clusterIP "${ip}" is not a valid IP address`}; the API server rejects the Service.`));
      });
      const cip = str(s['clusterIP']);
      const first = str(arr(s['clusterIPs'])[0]);
      if (cip && first && cip !== first) out.push(diag(svc.loaded, ['spec', 'clusterIPs', 0], 'error', 'KSD303', `clusterIPs[0] (${first}) must equal clusterIP (${cip}); the API server rejects the Service.`));
      if (!cip && first) out.push(diag(svc.loaded, ['spec', 'clusterIPs'], 'error', 'KSD303', 'clusterIPs is set without clusterIP; the API server requires clusterIP to be set to clusterIPs[0].', { which: 'key' }));
      arr(s['externalIPs']).forEach((v, i) => {
        const ip = str(v) ?? '';
        const p = parseIP(ip);
        const path = ['spec', 'externalIPs', i];
        if (!p) return void out.push(diag(svc.loaded, path, 'error', 'KSD303', `externalIP "${ip}" is not a valid IP address; the API server rejects the Service.`));
        const v4 = p.family === 'IPv4';
        const bad =
          p.value === 0n ? 'unspecified' : (v4 ? p.value >> 24n === 127n : p.value === 1n) ? 'a loopback address' : (v4 ? p.value >> 16n === 0xa9fen : p.value >> 118n === 0x3fan) ? 'link-local' : (v4 ? p.value >> 8n === 0xe00000n : p.value >> 112n === 0xff02n) ? 'link-local multicast' : '';
        if (bad) out.push(diag(svc.loaded, path, 'error', 'KSD303', `externalIP ${ip} is ${bad}; the API server rejects such externalIPs.`));
      });
      arr(s['loadBalancerSourceRanges']).forEach((v, i) => {
        const r = (str(v) ?? '').trim();
        if (!parseCIDR(r)) out.push(diag(svc.loaded, ['spec', 'loadBalancerSourceRanges', i], 'error', 'KSD303', `loadBalancerSourceRanges entry "${r}" is not a valid CIDR (e.g. 203.0.113.0/24); the API server rejects the Service.`));
      });
    }),
};

export const ipFamilyCheck: Check = {
  reads: ['ServiceCIDR'],
  code: 'KSD304',
  id: 'ip-family-mismatch',
  title: 'ipFamilies, ipFamilyPolicy and clusterIPs disagree',
  defaultSeverity: 'error',
  description: 'ipFamilies must not repeat a family or hold more than two; SingleStack allows one family; clusterIPs[i] must be of family ipFamilies[i]; RequireDualStack needs both families in the cluster.',
  run: (ctx) =>
    each(ctx, (svc, out) => {
      const s = spec(svc);
      const fams = arr(s['ipFamilies']).map((f) => str(f) ?? '');
      const policy = str(s['ipFamilyPolicy']);
      fams.forEach((f, i) => {
        if (f !== 'IPv4' && f !== 'IPv6') out.push(diag(svc.loaded, ['spec', 'ipFamilies', i], 'error', 'KSD304', `ipFamilies entry "${f}" is not supported: use IPv4 or IPv6.`));
        else if (fams.indexOf(f) !== i) out.push(diag(svc.loaded, ['spec', 'ipFamilies', i], 'error', 'KSD304', `ipFamilies lists ${f} twice; the API server rejects duplicates.`));
      });
      if (fams.length > 2) out.push(diag(svc.loaded, ['spec', 'ipFamilies'], 'error', 'KSD304', 'ipFamilies may hold at most two families.', { which: 'key' }));
      if (policy !== undefined && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(policy)) {
        out.push(diag(svc.loaded, ['spec', 'ipFamilyPolicy'], 'error', 'KSD304', `ipFamilyPolicy "${policy}" is not supported: use SingleStack, PreferDualStack or RequireDualStack.`));
      }
      const ips = writtenIPs(svc).filter((x) => x.ip !== 'None');
      if ((policy ?? 'SingleStack') === 'SingleStack' && policy !== undefined && (fams.length > 1 || ips.length > 1)) {
        out.push(diag(svc.loaded, ['spec', 'ipFamilyPolicy'], 'error', 'KSD304', `ipFamilyPolicy SingleStack allows one IP family, but the Service asks for ${fams.length > 1 ? `ipFamilies ${fams.join(', ')}` : `two clusterIPs`}: the API server rejects it. Use PreferDualStack or RequireDualStack for dual-stack.`));
      }
      if (ips.length === 2 && parseIP(ips[0]!.ip) && parseIP(ips[1]!.ip) && parseIP(ips[0]!.ip)!.family === parseIP(ips[1]!.ip)!.family) {
        out.push(diag(svc.loaded, ips[1]!.path, 'error', 'KSD304', 'The two clusterIPs are of the same IP family; dual-stack needs one IPv4 and one IPv6 address.'));
      }
      ips.forEach(({ ip, path }, i) => {
        const f = parseIP(ip)?.family;
        if (f && fams[i] && (fams[i] === 'IPv4' || fams[i] === 'IPv6') && fams[i] !== f) out.push(diag(svc.loaded, path, 'error', 'KSD304', `clusterIP ${ip} is ${f}, but ipFamilies[${i}] is ${fams[i]}: the API server rejects the Service.`));
      });
      if (policy === 'RequireDualStack' && !ctx.state.serviceCIDRsDefaulted) {
        const have = new Set(ctx.state.serviceCIDRs.map((c) => parseCIDR(c)?.family));
        if (!(have.has('IPv4') && have.has('IPv6'))) out.push(diag(svc.loaded, ['spec', 'ipFamilyPolicy'], 'error', 'KSD304', `ipFamilyPolicy RequireDualStack needs IPv4 and IPv6 Service CIDRs, but the cluster has only ${ctx.state.serviceCIDRs.join(', ')}: the API server rejects the Service.`));
      }
    }),
};
