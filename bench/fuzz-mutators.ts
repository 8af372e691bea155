/** Seeded mutations of manifest text for the fuzzer: each takes the text and a PRNG, returns new text. */

export type Rng = () => number;

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, n: number) => Math.floor(r() * n);

const lines = (t: string) => t.split('\n');
const valueLine = /^(\s*-?\s*[\w.\-/"']+:)\s*(.+)$/;

const TYPE_SWAPS = ['[]', '{}', 'null', '~', '42', '-1', '0', '3.5', '99999999999999999999', '1e400', '.nan', '0x1F', '"x"', "''", 'true', 'no', '[1, {a: b}]', '{x: [y]}', '"10.0.0.1"', '!!binary aGVsbG8=', '2026-01-01T00:00:00Z', '"::1"', '|\n  block'];
const HOSTILE = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  '-',
  'a'.repeat(300),
  '../../etc/passwd',
  '日本語',
  'A_B',
  '1.2.3.4',
  'fd00::1',
  'None',
  'kubernetes',
  'default',
  '$(ENV)',
  '{{ .Values.x }}',
  '\u202eevil',
  'x\ty',
  '"quoted\\"',
  '%s%n',
  'kube-system',
  '_http._tcp',
];
const INTERESTING = [
  'clusterIP: None',
  'type: ExternalName',
  'externalName: db.example.com',
  'externalName: 10.1.1.1',
  'publishNotReadyAddresses: true',
  'hostNetwork: true',
  'ipFamilyPolicy: RequireDualStack',
  'ipFamilyPolicy: PreferDualStack',
  'ipFamilies: [IPv6]',
  'clusterIPs: [fd00::5, 10.96.0.5]',
  'dnsPolicy: None',
  'dnsPolicy: ClusterFirstWithHostNet',
  'enableServiceLinks: false',
  'targetPort: http',
  'targetPort: 0',
  'protocol: SCTP',
  'nodePort: 99999',
  'replicas: 100',
  'replicas: -5',
  'hostname: web-0',
  'subdomain: webserver',
  'deletionTimestamp: "2026-01-01T00:00:00Z"',
  'readinessGates: [{conditionType: x}]',
  'podCIDR: fd00::/120',
  'podCIDRs: [10.0.0.0/31, "::/0"]',
  'selector: {}',
  'selector: {matchExpressions: [{key: app, operator: NotIn, values: []}]}',
  'externalTrafficPolicy: Local',
  'sessionAffinity: ClientIP',
  'loadBalancerSourceRanges: [0.0.0.0/0, bogus]',
];

export const MUTATORS: Record<string, (t: string, r: Rng) => string> = {
  deleteLines(t, r) {
    const ls = lines(t);
    const n = 1 + int(r, 4);
    for (let i = 0; i < n && ls.length; i++) ls.splice(int(r, ls.length), 1 + int(r, 3));
    return ls.join('\n');
  },
  swapTypes(t, r) {
    const ls = lines(t);
    const idx = ls.map((l, i) => (valueLine.test(l) ? i : -1)).filter((i) => i >= 0);
    for (let k = 0; k < 1 + int(r, 3) && idx.length; k++) {
      const i = pick(r, idx);
      ls[i] = ls[i]!.replace(valueLine, (_m, key: string) => `${key} ${pick(r, TYPE_SWAPS)}`);
    }
    return ls.join('\n');
  },
  randomBytes(t, r) {
    let s = t;
    for (let k = 0; k < 1 + int(r, 8); k++) {
      const at = int(r, s.length + 1);
      const len = int(r, 4);
      let junk = '';
      for (let j = 0; j < 1 + int(r, 6); j++) {
        const c = r() < 0.3 ? int(r, 32) : r() < 0.8 ? 32 + int(r, 95) : r() < 0.5 ? 0xd800 + int(r, 0x800) : 0x80 + int(r, 0xfff00);
        junk += String.fromCharCode(c);
      }
      s = s.slice(0, at) + junk + s.slice(at + len);
    }
    return s;
  },
  duplicateKeys(t, r) {
    const ls = lines(t);
    for (let k = 0; k < 1 + int(r, 3) && ls.length; k++) {
      const i = int(r, ls.length);
      ls.splice(i, 0, ls[i]!);
    }
    return ls.join('\n');
  },
  deepNesting(t, r) {
    const ls = lines(t);
    const depth = pick(r, [10, 63, 64, 65, 200, 2000]);
    const nest = r() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
    const idx = ls.map((l, i) => (valueLine.test(l) ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) return t + '\nx: ' + nest;
    const i = pick(r, idx);
    ls[i] = ls[i]!.replace(valueLine, (_m, key: string) => `${key} ${nest}`);
    return ls.join('\n');
  },
  hugeScalar(t, r) {
    const ls = lines(t);
    const idx = ls.map((l, i) => (valueLine.test(l) ? i : -1)).filter((i) => i >= 0);
    const big = pick(r, ['x', '9', 'a-', '.']).repeat(pick(r, [1000, 1000, 20000, 100000]));
    if (!idx.length) return t;
    const i = pick(r, idx);
    ls[i] = ls[i]!.replace(valueLine, (_m, key: string) => `${key} ${big}`);
    return ls.join('\n');
  },
  aliasTricks(t, r) {
    const ls = lines(t);
    const idx = ls.map((l, i) => (valueLine.test(l) ? i : -1)).filter((i) => i >= 0);
    if (idx.length < 2) return t + '\n<<: *nowhere';
    const a = pick(r, idx);
    const b = pick(r, idx);
    const trick = pick(r, ['anchor-alias', 'merge', 'undefined', 'self', 'many']);
    ls[a] = ls[a]!.replace(valueLine, (_m, key: string, v: string) => `${key} &A ${v}`);
    if (trick === 'anchor-alias') ls[b] = ls[b]!.replace(valueLine, (_m, key: string) => `${key} *A`);
    else if (trick === 'merge') ls.splice(b + 1, 0, `${ls[b]!.match(/^\s*/)![0]}<<: *A`);
    else if (trick === 'undefined') ls[b] = ls[b]!.replace(valueLine, (_m, key: string) => `${key} *Z`);
    else if (trick === 'self') ls[a] = ls[a]!.replace(valueLine, (_m, key: string) => `${key} &S [*S]`);
    else ls.push(`bomb: [${Array(2000).fill('*A').join(', ')}]`);
    return ls.join('\n');
  },
  hostileNames(t, r) {
    const target = pick(r, ['name', 'namespace', 'app', 'run', 'serviceName', 'nodeName', 'hostname', 'subdomain']);
    const re = new RegExp(`(^\\s*-?\\s*${target}:)\\s*.*$`, 'm');
    const value = pick(r, HOSTILE);
    return re.test(t) ? t.replace(re, (_m, key: string) => `${key} ${JSON.stringify(value)}`) : t;
  },
  interestingFields(t, r) {
    const ls = lines(t);
    const specs = ls.map((l, i) => (/^\s*(spec|metadata|template):\s*$/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (!specs.length) return t;
    const i = pick(r, specs);
    const indent = (ls[i + 1] ?? '  ').match(/^\s*/)![0] || '  ';
    ls.splice(i + 1, 0, indent + pick(r, INTERESTING));
    return ls.join('\n');
  },
  multiplyDocuments(t, r) {
    const copies = pick(r, [2, 3, 5, 5, 10, 10, 30]);
    const docs: string[] = [];
    for (let k = 0; k < copies; k++) docs.push(t.replace(/(^\s*name:\s*)(\S+)/m, (_m, key: string, v: string) => `${key}${v}${k}`));
    return docs.join('\n---\n');
  },
  shiftIndent(t, r) {
    const ls = lines(t);
    for (let k = 0; k < 1 + int(r, 3) && ls.length; k++) {
      const i = int(r, ls.length);
      ls[i] = r() < 0.5 ? ls[i]!.replace(/^ {1,2}/, '') : '  ' + ls[i]!;
    }
    return ls.join('\n');
  },
  toJsonish(t, r) {
    // Flow-style fragments and document markers in odd places.
    return pick(r, ['---\n', '...\n', '--- !!map\n', '%YAML 1.2\n---\n', '{', '[\n']) + t;
  },
};
