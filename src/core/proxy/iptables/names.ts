/** iptables chain names and probabilities exactly as pkg/proxy/iptables/proxier.go computes them. */
import { hashBase32Prefix16 } from '../sha256';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_MARK_DROP = 'KUBE-MARK-DROP';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const KUBE_FIREWALL = 'KUBE-FIREWALL';
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';

/**
 * First 16 characters of base32(sha256(text)). Not cached: hashing a chain name's text costs about what
 * a lookup in a table of every name would (hashing the key string, probing a map of 100,000 entries),
 * and a table would hold every name of a large cluster for good.
 */
function hash16(text: string): string {
  return hashBase32Prefix16(text);
}

/** portProtoHash(servicePortName, protocol): the hashed text is the two strings joined with no separator. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

export type ServiceChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW' | 'XLB';

export function serviceChain(kind: ServiceChainKind, servicePortName: string, protocol: string): string {
  return `KUBE-${kind}-${portProtoHash(servicePortName, protocol)}`;
}

/** KUBE-SEP-: hash of service-port name + protocol + "ip:port". */
export function endpointChain(servicePortName: string, protocol: string, hostPort: string): string {
  return `KUBE-SEP-${hash16(servicePortName + protocol + hostPort)}`;
}

/** Go's fmt.Sprintf("%0.10f", 1.0/float64(n)): 10 decimals, correctly rounded. */
export function computeProbability(n: number): string {
  return roundFixed(1, n, 10);
}

const probabilities: string[] = [];

export function probability(n: number): string {
  let p = probabilities[n];
  if (p === undefined) probabilities[n] = p = computeProbability(n);
  return p;
}

/** num/den as a float64, then printed like Go's %0.<digits>f. */
function roundFixed(num: number, den: number, digits: number): string {
  return formatFixed(num / den, digits);
}

/**
 * A float64 printed with `digits` decimals, rounding the exact binary value half-to-even, as Go's
 * strconv and glibc's printf do. (Number.prototype.toFixed rounds ties up: 1/2048 to 10 places gives
 * 0.0004882813 where Go prints 0.0004882812.)
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x) || x < 0) return x.toFixed(digits);
  // x = mantissa * 2^exp exactly.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = biased - 1075;
  }
  // scaled = x * 10^digits as an exact fraction num/den.
  let num = mantissa * 10n ** BigInt(digits);
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const text = q.toString().padStart(digits + 1, '0');
  return digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
}

/**
 * How iptables-save prints a probability: xt_statistic keeps round(p * 2^31) as a 32-bit integer and
 * iptables prints it back as %.11f of (value / 2^31).
 */
export function savedProbability(p: string): string {
  let saved = savedProbabilities.get(p);
  if (saved === undefined) {
    const stored = Math.round(Number(p) * 0x80000000);
    saved = formatFixed(stored / 0x80000000, 11);
    // A payload has a handful of distinct probabilities (1/n for the endpoint counts): keep them.
    if (savedProbabilities.size < 10_000) savedProbabilities.set(p, saved);
  }
  return saved;
}

const savedProbabilities = new Map<string, string>();

