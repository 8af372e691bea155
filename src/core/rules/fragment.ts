/**
 * Rule lines without their `*table` header, as `iptables-save | grep NAME` prints them (the way the
 * Kubernetes "Debug Services" guide shows a Service's rules). Each chain's table is inferred from what
 * kube-proxy puts where: its Service, endpoint and masquerade chains and every DNAT/SNAT/MASQUERADE live
 * in nat; REJECT/DROP/ACCEPT rules (no-endpoint Services, firewalls, forwarding) in filter.
 */

/** True when no line of the text starts a table (`*nat`, `*filter`...): the rules are a filtered fragment. */
export function lacksTableLines(text: string): boolean {
  return !/^[ \t]*\*[a-z]+[ \t\r]*$/m.test(text);
}

const NAT_CHAIN = /^KUBE-(SVC|SVL|SEP|EXT|FW|XLB|MARK-MASQ|MARK-DROP|POSTROUTING|PORTALS-CONTAINER|PORTALS-HOST|NODEPORT-CONTAINER|NODEPORT-HOST)(-|$)/;
const FILTER_CHAIN = /^(KUBE-(FORWARD|FIREWALL|EXTERNAL-SERVICES|PROXY-FIREWALL|PROXY-CANARY|KUBELET-CANARY|IPVS-FILTER|IPVS-OUT-FILTER|SOURCE-RANGES-FIREWALL)|INPUT|FORWARD)$/;
const NAT_TARGET = /^(DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP|KUBE-(SVC|SVL|SEP|EXT|FW|XLB)-.*|KUBE-MARK-MASQ|KUBE-MARK-DROP|KUBE-POSTROUTING|KUBE-NODEPORTS|KUBE-LOAD-BALANCER|KUBE-NODE-PORT)$/;

/** The table a chain's rule (or declaration, with no target) belongs to in a fragment. */
export function fragmentTable(chain: string, target: string | undefined): 'nat' | 'filter' {
  if (NAT_CHAIN.test(chain) || chain === 'PREROUTING' || chain === 'POSTROUTING') return 'nat';
  if (FILTER_CHAIN.test(chain)) return 'filter';
  // KUBE-SERVICES, KUBE-NODEPORTS and OUTPUT exist in both tables: the target tells which.
  if (target && NAT_TARGET.test(target)) return 'nat';
  if (target === 'REJECT' || target === 'DROP' || target === 'ACCEPT' || target === 'KUBE-FIREWALL' || target === 'KUBE-PROXY-FIREWALL') return 'filter';
  return 'nat';
}

/** The `-j`/`-g` target of a rule's words (undefined when it has none). */
export function targetWord(words: string[], from: number): string | undefined {
  for (let i = from; i < words.length - 1; i++) if (words[i] === '-j' || words[i] === '--jump' || words[i] === '-g' || words[i] === '--goto') return words[i + 1];
  return undefined;
}

export const FRAGMENT_NOTE = 'the rules have no "*nat"/"*filter" lines (filtered output such as `iptables-save | grep NAME`?): each chain\'s table was inferred from its name and targets, and chains the filter left out are treated as empty';

/** True when the rules were read from a fragment (no table lines). */
export function isFragment(set: { warnings: { message: string }[] }): boolean {
  return set.warnings.some((w) => w.message === FRAGMENT_NOTE);
}

/** The Service ("ns/name") a kube-proxy rule comment names: "ns/svc:port cluster IP", "ns/svc -> 10.0.0.1:80"... */
export function commentService(comment: string | undefined): string | undefined {
  const m = comment ? /^([a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*)(?::|\s|$)/.exec(comment) : null;
  return m ? m[1] : undefined;
}
