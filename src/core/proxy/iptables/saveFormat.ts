/**
 * How `iptables-save` prints rules kube-proxy wrote: the kernel keeps matches, not words, so the
 * address/protocol options come first (-s, -d, -i, -o, -p), addresses gain their prefix length,
 * each match prints its options in its own order, and targets print their canonical options.
 */
import type { IPFamily } from '../coreDeps';
import { savedProbability } from './names';

/** A rule's words grouped as iptables keeps them: address/protocol options, match modules, target. */
export interface SaveParts {
  base: Map<'-s' | '-d' | '-i' | '-o' | '-p', { neg: boolean; value: string }>;
  matches: { name: string; opts: string[] }[];
  target?: { name: string; opts: string[] };
}

const BASE = new Set(['-s', '-d', '-i', '-o', '-p']);

/** Groups kube-proxy's words of a rule (any order) as the kernel keeps them. */
export function saveParts(args: readonly string[]): SaveParts {
  const p: SaveParts = { base: new Map(), matches: [] };
  let neg = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '!') {
      neg = true;
      continue;
    }
    if (BASE.has(a)) {
      p.base.set(a as '-s', { neg, value: args[++i] ?? '' });
    } else if (a === '-m') {
      p.matches.push({ name: args[++i] ?? '', opts: [] });
    } else if (a === '-j') {
      p.target = { name: args[++i] ?? '', opts: args.slice(i + 1) };
      break;
    } else {
      const m = p.matches[p.matches.length - 1];
      if (m) {
        if (neg) m.opts.push('!');
        m.opts.push(a);
      }
    }
    neg = false;
  }
  return p;
}

/** xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with \" \\ \' escaped. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

export function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

export function withPrefix(addr: string, family: IPFamily): string {
  return addr.includes('/') ? addr : `${addr}/${family === 'IPv4' ? 32 : 128}`;
}

/** `0x00004000` -> `0x4000`, as libxt_mark prints values. */
function hex(v: string): string {
  const n = Number(v);
  return Number.isFinite(n) ? `0x${(n >>> 0).toString(16)}` : v;
}

export function markValue(v: string): string {
  const [mark, mask] = v.split('/');
  if (mask === undefined || Number(mask) >>> 0 === 0xffffffff) return hex(mark!);
  return `${hex(mark!)}/${hex(mask)}`;
}

function optValue(opts: readonly string[], name: string): string | undefined {
  const i = opts.indexOf(name);
  return i >= 0 ? opts[i + 1] : undefined;
}

/** One match module's words as iptables-save prints them (`-m NAME ...`). */
export function saveMatchWords(m: { name: string; opts: string[] }, family: IPFamily): string[] {
  const o = m.opts;
  switch (m.name) {
    case 'comment':
      return ['-m', 'comment', '--comment', saveString(unquote(optValue(o, '--comment') ?? ''))];
    case 'statistic': {
      const p = optValue(o, '--probability');
      return ['-m', 'statistic', '--mode', optValue(o, '--mode') ?? 'random', ...(p ? ['--probability', savedProbability(p)] : [])];
    }
    case 'recent': {
      const out = ['-m', 'recent'];
      for (const flag of ['--set', '--rcheck', '--update', '--remove']) if (o.includes(flag)) out.push(flag);
      const seconds = optValue(o, '--seconds');
      if (seconds) out.push('--seconds', seconds);
      if (o.includes('--reap')) out.push('--reap');
      out.push('--name', optValue(o, '--name') ?? 'DEFAULT', '--mask', family === 'IPv4' ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '--rsource');
      return out;
    }
    case 'mark': {
      const i = o.indexOf('--mark');
      const neg = o[i - 1] === '!';
      return ['-m', 'mark', ...(neg ? ['!'] : []), '--mark', markValue(o[i + 1] ?? '')];
    }
    default:
      return ['-m', m.name, ...o];
  }
}

/** The target's words as iptables-save prints them (`-j NAME ...`). */
export function saveTargetWords(t: { name: string; opts: string[] }, family: IPFamily): string[] {
  const o = t.opts;
  switch (t.name) {
    case 'MARK': {
      const or = optValue(o, '--or-mark');
      if (or) return ['-j', 'MARK', '--set-xmark', `${hex(or)}/${hex(or)}`];
      const xor = optValue(o, '--xor-mark');
      if (xor) return ['-j', 'MARK', '--set-xmark', `${hex(xor)}/0x0`];
      return ['-j', 'MARK', ...o];
    }
    case 'REJECT':
      return ['-j', 'REJECT', '--reject-with', optValue(o, '--reject-with') ?? (family === 'IPv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable')];
    default:
      return ['-j', t.name, ...o];
  }
}

/** One rule's words in iptables-save order. */
export function saveArgs(args: readonly string[], family: IPFamily): string[] {
  return formatSaveParts(saveParts(args), family);
}

/** The words of grouped parts in iptables-save order. */
export function formatSaveParts(p: SaveParts, family: IPFamily): string[] {
  const out: string[] = [];
  for (const key of ['-s', '-d', '-i', '-o', '-p'] as const) {
    const b = p.base.get(key);
    if (!b) continue;
    if (b.neg) out.push('!');
    out.push(key, key === '-s' || key === '-d' ? withPrefix(b.value, family) : b.value);
  }
  for (const m of p.matches) out.push(...saveMatchWords(m, family));
  if (p.target) out.push(...saveTargetWords(p.target, family));
  return out;
}
