/** Splits an iptables-restore line into words as iptables-restore does (quotes group, backslash escapes). */
import { RulesParseError } from './types';

const SPACE = 32;
const TAB = 9;
const CR = 13;
const DQ = 34;
const SQ = 39;
const BS = 92;

/** The words of a line; `out` (cleared first) may be a reused array. */
export function tokenize(text: string, line: number, out: string[] = []): string[] {
  out.length = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === CR) {
      i++;
      continue;
    }
    let word = '';
    while (i < n) {
      c = text.charCodeAt(i);
      if (c === SPACE || c === TAB || c === CR) break;
      if (c === DQ || c === SQ) {
        // A quoted part: up to the closing quote; backslash escapes the quote and itself.
        const q = c;
        let j = ++i;
        for (;;) {
          if (j >= n) throw new RulesParseError(line, `unterminated ${q === DQ ? 'double' : 'single'} quote`);
          const d = text.charCodeAt(j);
          if (d === q) break;
          if (d === BS && j + 1 < n && (text.charCodeAt(j + 1) === q || text.charCodeAt(j + 1) === BS)) {
            word += text.slice(i, j);
            i = ++j;
          }
          j++;
        }
        word += text.slice(i, j);
        i = j + 1;
        continue;
      }
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === SPACE || d === TAB || d === CR || d === DQ || d === SQ) break;
        j++;
      }
      word += text.slice(i, j);
      i = j;
    }
    out.push(word);
  }
  return out;
}

/** Parses 0x-hex or decimal into an unsigned 32-bit number. */
export function parseNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) return parseInt(text.slice(2), 16) >>> 0;
  if (/^\d{1,10}$/.test(text)) {
    const n = Number(text);
    return n <= 0xffffffff ? n : undefined;
  }
  return undefined;
}

/** `value[/mask]` for marks; mask defaults to all ones. */
export function parseValueMask(text: string): { value: number; mask: number } | undefined {
  const [v, m] = text.split('/', 2);
  const value = parseNumber(v ?? '');
  const mask = m === undefined ? 0xffffffff : parseNumber(m);
  return value === undefined || mask === undefined ? undefined : { value, mask };
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** Shell-style quoting as iptables-save writes comments: quoted when it holds anything but safe characters. */
export function quoteWord(s: string): string {
  return /^[A-Za-z0-9_./:,+@=-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}
