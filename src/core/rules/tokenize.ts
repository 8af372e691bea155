/** Splits an iptables-restore line into words as iptables-restore does (quotes group, backslash escapes). */
import { RulesParseError } from './types';

export function tokenize(text: string, line: number): string[] {
  // Fast path: no quotes or escapes, as in most rules.
  if (!/["'\\\t\r]/.test(text)) {
    const words = text.split(' ');
    return words.includes('') ? words.filter((w) => w !== '') : words;
  }
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | '' = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && i + 1 < text.length && (text[i + 1] === quote || text[i + 1] === '\\')) {
        cur += text[++i];
      } else if (c === quote) {
        quote = '';
      } else if (c === '\\') {
        cur += c;
      } else {
        const next = text.indexOf(quote, i);
        const bs = text.indexOf('\\', i);
        const stop = next < 0 ? text.length : bs >= 0 && bs < next ? bs : next;
        cur += text.slice(i, stop);
        i = stop - 1;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new RulesParseError(line, `unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) out.push(cur);
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
