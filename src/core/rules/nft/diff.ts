/**
 * Compares expected nftables rules (kube-proxy's `kube-proxy` table) with a node's `nft list ruleset`
 * or transaction text by meaning (see key.ts): per chain, rules as multisets of keys; per set and map,
 * elements. Other tables on the node (CNI, firewalld) are left alone. What belongs to one endpoint
 * (its `endpoint-` chain and `affinity-` set, the rules that send traffic to them, its `hairpin-connections`
 * element) and a numgen fan-out (vmap or v1.36 dnat map) whose endpoint set changed are reported as
 * stale endpoints when the Service port is known to both sides (see endpoints.ts).
 */
import type { DiffRule, RulesDiff, StaleEndpoint } from '../diff';
import { endpointOfName, fanOutOf, hairpinEndpoint, knownEndpoints, ruleEndpoints, type NftEndpointRef } from './endpoints';
import { nftElementKey, nftElementText, nftRuleKey } from './key';
import type { NftElement, NftRule, NftRuleset, NftTable } from './types';

export { endpointOfName } from './endpoints';

function kubeTables(rs: NftRuleset): Map<string, NftTable> {
  return new Map(rs.tables.filter((t) => t.name === 'kube-proxy').map((t) => [`${t.family} ${t.name}`, t]));
}

type Bucket = (e: NftEndpointRef, kind: StaleEndpoint['kind']) => StaleEndpoint;

/**
 * Numgen fan-outs of one chain that differ only in their endpoints (one rule each side: the v1.29-1.35 vmap
 * over endpoint chains, the v1.36 dnat map): both rows go to the stale endpoints that make the difference.
 * The expected rule to the endpoints only it has, the node's rule to those only the node has; when one side
 * only adds or drops endpoints, both rows go to those. Returns the rules so reported.
 */
function pairFanOuts(chain: string, onlyExpected: NftRule[], onlyActual: NftRule[], bucket: Bucket, row: (r: NftRule) => DiffRule): Set<NftRule> {
  const paired = new Set<NftRule>();
  const key = (e: NftEndpointRef) => `${e.service}|${e.endpoint}`;
  for (const re of onlyExpected) {
    const fe = fanOutOf(chain, re);
    if (!fe) continue;
    for (const ra of onlyActual) {
      const fa = paired.has(ra) ? undefined : fanOutOf(chain, ra);
      if (!fa || fa.shape !== fe.shape) continue;
      const inActual = new Set(fa.endpoints.map(key));
      const inExpected = new Set(fe.endpoints.map(key));
      const added = fe.endpoints.filter((e) => !inActual.has(key(e))).map((e) => bucket(e, 'expected-only'));
      const gone = fa.endpoints.filter((e) => !inExpected.has(key(e))).map((e) => bucket(e, 'in-rules-only'));
      // Same endpoints, yet different rules (say the modulus): not a matter of endpoints.
      if (!added.length && !gone.length) continue;
      for (const b of added.length ? added : gone) b.rules.push(row(re));
      for (const b of gone.length ? gone : added) b.rules.push(row(ra));
      paired.add(re).add(ra);
      break;
    }
  }
  return paired;
}

export function diffNftRules(expected: NftRuleset, actual: NftRuleset): RulesDiff {
  const out: RulesDiff = { missing: [], extra: [], stale: [], missingChains: [], extraChains: [], compared: 0 };
  const stale = new Map<string, StaleEndpoint>();
  const expTables = kubeTables(expected);
  const actTables = kubeTables(actual);
  for (const [id, et] of expTables) {
    const at = actTables.get(id);
    if (!at) {
      out.missingChains.push(`${id} (the whole table)`);
      continue;
    }
    // What each side knows is needed only once something differs: read on first use.
    let known: { ek: ReturnType<typeof knownEndpoints>; ak: ReturnType<typeof knownEndpoints> } | undefined;
    const sides = () => (known ??= { ek: knownEndpoints(et), ak: knownEndpoints(at) });
    /** A stale-endpoint bucket for these endpoints, or undefined when the rule is not about a stale endpoint. */
    const bucket = (e: NftEndpointRef, kind: StaleEndpoint['kind']): StaleEndpoint => {
      const key = `${kind}|${e.service}|${e.endpoint}`;
      let s = stale.get(key);
      if (!s) stale.set(key, (s = { service: e.service, endpoint: e.endpoint, kind, rules: [] }));
      return s;
    };
    const staleFor = (eps: NftEndpointRef[], kind: StaleEndpoint['kind']): StaleEndpoint[] | undefined => {
      const { ek, ak } = sides();
      const other = kind === 'expected-only' ? ak : ek;
      const lagging = eps.filter((e) => ek.services.has(e.service) && ak.services.has(e.service) && !other.endpoints.has(`${e.service}|${e.endpoint}`));
      if (!lagging.length) return undefined;
      return lagging.map((e) => bucket(e, kind));
    };
    const report = (row: DiffRule, eps: NftEndpointRef[], kind: StaleEndpoint['kind']) => {
      const buckets = staleFor(eps, kind);
      if (buckets) for (const b of buckets) b.rules.push(row);
      else (kind === 'expected-only' ? out.missing : out.extra).push(row);
    };
    const wholeStale = (name: string, kind: StaleEndpoint['kind'], rows: DiffRule[]): boolean => {
      const e = endpointOfName(name);
      const buckets = e ? staleFor([e], kind) : undefined;
      if (!buckets) return false;
      for (const b of buckets) b.rules.push(...rows);
      return true;
    };

    const chainNames = [...new Set([...et.chains.keys(), ...at.chains.keys()])].sort();
    for (const name of chainNames) {
      out.compared++;
      const ec = et.chains.get(name);
      const ac = at.chains.get(name);
      const row = (r: NftRule): DiffRule => ({ table: id, chain: name, rule: r.text, line: r.line });
      if (ec && !ac) {
        if (!wholeStale(name, 'expected-only', ec.rules.map(row))) {
          out.missingChains.push(`${id}/${name}`);
          out.missing.push(...ec.rules.map(row));
        }
        continue;
      }
      if (ac && !ec) {
        if (!wholeStale(name, 'in-rules-only', ac.rules.map(row))) {
          out.extraChains.push(`${id}/${name}`);
          out.extra.push(...ac.rules.map(row));
        }
        continue;
      }
      const pending = new Map<string, NftRule[]>();
      for (const r of ac!.rules) {
        const k = nftRuleKey(r);
        const list = pending.get(k);
        if (list) list.push(r);
        else pending.set(k, [r]);
      }
      const onlyExpected = ec!.rules.filter((r) => {
        const list = pending.get(nftRuleKey(r));
        return !list?.shift();
      });
      const onlyActual = [...pending.values()].flat();
      const reportRule = (r: NftRule, kind: StaleEndpoint['kind']): void => {
        // A fan-out with no counterpart of the same shape on the other side is a real difference, whatever endpoints it names.
        if (fanOutOf(name, r)) (kind === 'expected-only' ? out.missing : out.extra).push(row(r));
        else report(row(r), ruleEndpoints(name, r), kind);
      };
      const paired = pairFanOuts(name, onlyExpected, onlyActual, bucket, row);
      for (const r of onlyExpected) if (!paired.has(r)) reportRule(r, 'expected-only');
      for (const r of onlyActual) if (!paired.has(r)) reportRule(r, 'in-rules-only');
    }

    // v1.36 lists every local endpoint in hairpin-connections, without its Service: an element only one side
    // has belongs to the stale endpoints with that address and port (known once every chain is compared).
    const hairpins: { row: DiffRule; endpoint: string; kind: StaleEndpoint['kind'] }[] = [];
    const setNames = [...new Set([...et.sets.keys(), ...at.sets.keys()])].sort();
    for (const name of setNames) {
      out.compared++;
      const es = et.sets.get(name);
      const as = at.sets.get(name);
      const where = `@${name}`;
      const elemRow = (text: string, line: number): DiffRule => ({ table: id, chain: where, rule: text, line });
      // A set only one side has: its declaration, then its elements.
      const whole = (s: NonNullable<typeof es>) => [elemRow(`${s.kind} ${s.name} { type ${s.type} }`, s.line), ...s.elements.map((e) => elemRow(nftElementText(e), s.line))];
      if (es && !as) {
        if (!wholeStale(name, 'expected-only', whole(es))) out.missingChains.push(`${id}/${where}`);
        continue;
      }
      if (as && !es) {
        if (!wholeStale(name, 'in-rules-only', whole(as))) out.extraChains.push(`${id}/${where}`);
        continue;
      }
      // Affinity sets fill at run time: only their presence is compared.
      if (name.startsWith('affinity-')) continue;
      const pending = new Map<string, number>();
      for (const e of as!.elements) pending.set(nftElementKey(e), (pending.get(nftElementKey(e)) ?? 0) + 1);
      const elementEndpoints = (value: string | undefined) => {
        const m = value ? /^(?:goto|jump)\s+(\S+)$/.exec(value.trim()) : null;
        const e = m ? endpointOfName(m[1]!) : undefined;
        return e ? [e] : [];
      };
      const reportElement = (e: NftElement, line: number, kind: StaleEndpoint['kind']) => {
        const r = elemRow(nftElementText(e), line);
        const hairpin = name === 'hairpin-connections' ? hairpinEndpoint(e.key) : undefined;
        if (hairpin) hairpins.push({ row: r, endpoint: hairpin, kind });
        else report(r, elementEndpoints(e.value), kind);
      };
      for (const e of es!.elements) {
        const k = nftElementKey(e);
        const n = pending.get(k) ?? 0;
        if (n > 0) pending.set(k, n - 1);
        else reportElement(e, es!.line, 'expected-only');
      }
      for (const e of as!.elements) {
        const k = nftElementKey(e);
        const n = pending.get(k) ?? 0;
        if (n > 0) {
          pending.set(k, n - 1);
          reportElement(e, as!.line, 'in-rules-only');
        }
      }
    }
    for (const h of hairpins) {
      const owners = [...stale.values()].filter((b) => b.kind === h.kind && b.endpoint === h.endpoint);
      if (owners.length) for (const b of owners) b.rules.push(h.row);
      else (h.kind === 'expected-only' ? out.missing : out.extra).push(h.row);
    }
  }
  out.stale = [...stale.values()].sort((x, y) => x.service.localeCompare(y.service) || x.endpoint.localeCompare(y.endpoint) || x.kind.localeCompare(y.kind));
  return out;
}
