/** Splits nft text into words, quoted strings and the punctuation nft treats as separators. */
export interface Token {
  text: string;
  /** A double-quoted string (text is unquoted). */
  quoted: boolean;
}

const PUNCT = new Set(['{', '}', ',', ';']);

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        text += line[j];
        j++;
      }
      out.push({ text, quoted: true });
      i = j + 1;
      continue;
    }
    if (PUNCT.has(c)) {
      out.push({ text: c, quoted: false });
      i++;
      continue;
    }
    if (c === '#') break; // a comment to the end of the line (`# handle 4` in `nft -a list`)
    let j = i;
    while (j < line.length && !' \t\r"{},;'.includes(line[j]!)) j++;
    out.push({ text: line.slice(i, j), quoted: false });
    i = j;
  }
  return out;
}

/** Renders tokens back to text with nft's spacing. */
export function untokenize(tokens: readonly Token[]): string {
  return tokens.map((t) => (t.quoted ? JSON.stringify(t.text) : t.text)).join(' ');
}

/** The handle in a trailing `# handle N` comment (nft -a), if any. */
export function trailingHandle(line: string): number | undefined {
  const m = /#\s*handle\s+(\d+)\s*$/.exec(line);
  return m ? Number(m[1]) : undefined;
}
