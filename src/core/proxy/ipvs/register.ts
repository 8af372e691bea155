/** `ksd rules --mode ipvs`: registers the IPVS renderer with the mode registry. */
import { activeFamilies } from '../model';
import { registerRulesRenderer, RulesRequestError, type RulesRequest } from '../renderers';
import { formatIpvsadm, formatIpvsRendered, renderIpvs } from './render';
import { kubeProxyMinor, resolveProxyVersion } from '../proxyVersion';

/** restore: everything kube-proxy programs (IPVS table, ipsets, iptables payload); or one part alone. */
export const IPVS_FORMATS = ['restore', 'ipvsadm', 'ipset', 'iptables'] as const;

/** IPVS mode as modelled: the helper rules of 1.29 and later. */
export function checkIpvsVersion(version: string | undefined): void {
  if (!version) return;
  const m = /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/.exec(version.trim());
  if (!m) throw new RulesRequestError(`--kube-proxy-version must look like 1.30 or v1.30.2 (got "${version}")`);
  if (Number(m[1]) < 29) throw new RulesRequestError(`kube-proxy 1.${m[1]}'s IPVS helper rules (KUBE-MARK-DROP, no KUBE-PROXY-FIREWALL) are not modelled; 1.29 and later are`);
}

export function renderIpvsRules(req: RulesRequest): string {
  const format = req.format ?? 'restore';
  if (!(IPVS_FORMATS as readonly string[]).includes(format)) throw new RulesRequestError(`--format must be one of ${IPVS_FORMATS.join(', ')} for --mode ipvs (got "${format}")`);
  const version = req.version || resolveProxyVersion(req.state, 'ipvs', { node: req.node }).version;
  checkIpvsVersion(version);
  const families = req.families ?? (req.service ? req.service.ipFamilies : activeFamilies(req.state));
  const parts: string[] = [];
  for (const family of families) {
    const r = renderIpvs(req.state, { family, node: req.node, services: req.service ? [`${req.service.namespace}/${req.service.name}`] : undefined, kubeProxyMinor: kubeProxyMinor(version) });
    const notes = r.notes.map((n) => `# note: ${n}`);
    const body = format === 'ipvsadm' ? formatIpvsadm(r.table) : format === 'ipset' ? r.sets.save() : format === 'iptables' ? r.iptables : formatIpvsRendered(r);
    parts.push([...(families.length > 1 ? [`# ${family}`] : []), ...notes, body.trimEnd()].join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

registerRulesRenderer({ mode: 'ipvs', formats: IPVS_FORMATS, render: renderIpvsRules });
