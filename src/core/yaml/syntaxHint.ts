/**
 * Half-typed YAML usually fails far from the mistake: an unclosed `"`, `'`, `[` or `{` swallows the
 * following lines and the parser stops later ("deficient indentation" on the next key). This finds such
 * an opener still open where the parser stopped, so the error can point at it.
 */

export interface OpenConstruct {
  /** Offset of the opening character (relative to the text given). */
  offset: number;
  what: 'quoted string' | 'flow sequence "["' | 'flow mapping "{"';
}

/** The innermost quote or flow collection opened before `stop` and not closed by then, if any. */
export function unclosedBefore(text: string, stop: number): OpenConstruct | undefined {
  const stack: OpenConstruct[] = [];
  let valueStart = true; // at a position where a scalar or collection may begin
  for (let i = 0; i < stop && i < text.length; i++) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (top?.what === 'quoted string') {
      const q = text[top.offset]!;
      if (q === '"' && c === '\\') i++;
      else if (c === q) {
        if (q === "'" && text[i + 1] === "'") i++;
        else {
          stack.pop();
          valueStart = false;
        }
      }
      continue;
    }
    if (c === '\n') {
      valueStart = true;
      continue;
    }
    if (c === ' ' || c === '\t') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < stop && text[i + 1] !== '\n') i++;
      continue;
    }
    if (valueStart && (c === '|' || c === '>') && !stack.length) {
      // A block scalar: its lines (indented deeper than the line that starts it) are text, not syntax.
      const lineStart = text.lastIndexOf('\n', i) + 1;
      const indent = /^ */.exec(text.slice(lineStart, i))![0].length;
      let next = text.indexOf('\n', i);
      while (next >= 0 && next + 1 < stop) {
        const m = /^( *)(\S?)/.exec(text.slice(next + 1, next + 1 + indent + 2))!;
        if (m[2] && m[1]!.length <= indent) break;
        next = text.indexOf('\n', next + 1);
      }
      if (next < 0 || next + 1 >= stop) return undefined;
      i = next - 1;
      valueStart = false;
      continue;
    }
    if (valueStart && (c === '"' || c === "'")) {
      stack.push({ offset: i, what: 'quoted string' });
      continue;
    }
    if (valueStart && c === '[') stack.push({ offset: i, what: 'flow sequence "["' });
    else if (valueStart && c === '{') stack.push({ offset: i, what: 'flow mapping "{"' });
    else if ((c === ']' || c === '}') && top) stack.pop();
    // After ": ", "- ", "[", "{" or "," a new value may start; anything else is inside a plain scalar.
    valueStart = c === '[' || c === '{' || c === ',' || ((c === ':' || c === '-' || c === '?') && /[\s]/.test(text[i + 1] ?? ' '));
  }
  return stack[stack.length - 1];
}
