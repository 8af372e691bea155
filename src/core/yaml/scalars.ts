import { CORE_SCHEMA } from 'js-yaml';
import type { YScalar } from './nodes';

/** The core-schema value of an untagged plain scalar (null, bool, int, float or the string itself). */
export function implicitValue(text: string): YScalar['value'] {
  const r = CORE_SCHEMA.resolveImplicitScalarTag(text).value;
  return typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean' || r === null ? r : text;
}

/** First characters of the YAML 1.2 core schema's null, bool, int and float forms: `~ n N t T f F - + . 0-9`. */
export function mayResolve(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 45 || c === 43 || c === 46;
}

/**
 * An untagged plain scalar's value: a string unless the core schema resolves it. Words starting with a
 * letter resolve only as the nine spellings of null, true and false, so most keys skip the schema.
 */
export function plainValue(text: string): YScalar['value'] {
  const c = text.charCodeAt(0);
  if (c >= 65) {
    if (c === 126) return text === '~' ? null : text;
    if (text.length !== 4 && text.length !== 5) return text;
    return text in WORDS ? WORDS[text]! : text;
  }
  // Plain decimal digits (ports, counts) are the core schema's int: Number reads them exactly up to 15 digits.
  if (c >= 48 && c <= 57 && text.length <= 15 && allDigits(text)) return Number(text);
  return mayResolve(text) ? implicitValue(text) : text;
}

function allDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const WORDS: Record<string, boolean | null> = Object.assign(Object.create(null) as Record<string, boolean | null>, {
  null: null,
  Null: null,
  NULL: null,
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
});

/**
 * Where a flow collection ends: past its closing bracket, found by skipping blanks, commas and comments
 * after the last child (or from the opening bracket when there is none, which then stays the end).
 */
export function flowEnd(src: string, from: number, close: string): number {
  let i = from;
  while (i < src.length) {
    const c = src[i]!;
    if (c === close) return i + 1;
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (!/[\s,]/.test(c)) break;
    i++;
  }
  return i;
}
