/**
 * Documents written as one line of JSON (`kubectl get -o json | jq -c`, generators, bulk exports), read
 * with JSON.parse. YAML is a superset of JSON, and for the JSON taken here both give the same value; the
 * document is DECLINED (undefined: the YAML path reads it) wherever they could differ or YAML would have
 * something to say: duplicate keys (YAML warns), merge keys (`<<`), `__proto__`, numbers that are not
 * safe integers or plain finite decimals, nesting near the depth limit, anything but printable ASCII,
 * comments, or text around the object besides a `---` line. Like the fast scanner's documents, these get
 * no node tree here: positions are rebuilt from the text when asked for.
 */

/** The value of the one-line JSON object document text[start, end), or undefined when declined. */
export function jsonDocumentValue(text: string, start: number, end: number, maxDepth: number): { value: Record<string, unknown>; span: { start: number; end: number } } | undefined {
  let from = start;
  if (text.startsWith('---\n', from)) from += 4;
  let to = end;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  if (text.charCodeAt(from) !== 123 || text.charCodeAt(to - 1) !== 125) return undefined;
  // One printable ASCII line; colons outside strings count the pairs written (to find duplicate keys).
  let colons = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126) return undefined;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 58) colons++;
    else if (c === 35) return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text.slice(from, to));
  } catch {
    return undefined;
  }
  const pairs = { n: 0 };
  if (!plainJson(value, 0, maxDepth - DEPTH_MARGIN, pairs) || pairs.n !== colons) return undefined;
  // The root node's offsets, as the YAML path's flow mapping has them (known without building the tree).
  return { value: value as Record<string, unknown>, span: { start: from, end: to } };
}

/** Stay well below YAML's nesting limit (it counts more than collections); deeper documents go the YAML way. */
const DEPTH_MARGIN = 4;

function isSpace(c: number): boolean {
  return c === 10 || c === 32;
}

/** A fraction as JSON writes it and YAML reads it alike (no exponent). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

function plainJson(v: unknown, depth: number, maxDepth: number, pairs: { n: number }): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? !Object.is(v, -0) : !Number.isInteger(v) && DECIMAL.test(String(v));
  if (depth >= maxDepth) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!plainJson(x, depth + 1, maxDepth, pairs)) return false;
    return true;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (k === '<<' || k === '__proto__') return false;
    pairs.n++;
    if (!plainJson(o[k], depth + 1, maxDepth, pairs)) return false;
  }
  return true;
}
