/** The expected side of an IPVS diff (`ksd diff` against a node's `ipvsadm -Ln` and ipsets), from a rendered proxier run. */
import { ipvsVsKey, type IpsetContent, type IpvsDiffSide } from '../rulesDeps';
import { IPSETS } from './ipsets';
import { vsKey, type IpvsRendered } from './render';

export function ipvsDiffSide(r: IpvsRendered): IpvsDiffSide {
  const owners = new Map<string, string>();
  for (const vs of r.table.virtualServers) {
    const owner = r.owners.get(vsKey(vs.protocol, vs.address, vs.port));
    if (owner) owners.set(ipvsVsKey(vs), owner);
  }
  const ipsets = new Map<string, IpsetContent>();
  for (const def of IPSETS) {
    const name = r.sets.actualName(def.name);
    const entries = [...(r.sets.entries.get(def.name) ?? [])].map((e) => e.toLowerCase()).sort();
    ipsets.set(name, { name, type: def.type, entries, entryLines: entries.map(() => 0), line: 0 });
  }
  return { table: r.table, owners, ipsets };
}
