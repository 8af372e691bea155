/**
 * Manifest strings inside hover markdown. A name or label is whatever the file says (an invalid one is still
 * shown next to its diagnostic), so it must stay text: no emphasis, no link, no code span it could close.
 */

/** An inline code span holding `s` verbatim, whatever backticks it contains (CommonMark: a longer fence). */
export function code(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * `s` as plain text inside a line of markdown: the characters that open emphasis, code, links, images, HTML,
 * entities and strike-through are backslash-escaped (parentheses alone make no link once brackets cannot), and
 * colons, so that "http://..." in a name is not turned into a link by GFM's autolinking.
 */
export function text(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>~&:]/g, (c) => `\\${c}`);
}
