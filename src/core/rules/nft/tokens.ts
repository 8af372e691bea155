/** Splits nft text into words, quoted strings and the punctuation nft treats as separators. */
export interface Token {
  text: string;
  /** A double-quoted string (text is unquoted). */
  quoted: boolean;
}

/** True for the characters that end a word: blanks, a quote and nft's separators `{},;`. */
function endsWord(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 34 || c === 123 || c === 125 || c === 44 || c === 59;
}

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 34) {
      // A quoted string; a backslash takes the next character as it is.
      let j = i + 1;
      let from = j;
      let text = '';
      while (j < n) {
        const d = line.charCodeAt(j);
        if (d === 34) break;
        if (d === 92 && j + 1 < n) {
          text += line.slice(from, j);
          from = j + 1;
          j += 2;
          continue;
        }
        j++;
      }
      text += line.slice(from, j);
      out.push({ text, quoted: true });
      i = j + 1;
      continue;
    }
    if (c === 123 || c === 125 || c === 44 || c === 59) {
      out.push({ text: line[i]!, quoted: false });
      i++;
      continue;
    }
    if (c === 35) break; // a comment to the end of the line (`# handle 4` in `nft -a list`)
    let j = i + 1;
    while (j < n && !endsWord(line.charCodeAt(j))) j++;
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
