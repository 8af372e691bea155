/**
 * Minimal glob matching for ignore settings: `**` (any number of folders), `*` and `?` (within one path
 * segment), `{a,b}` alternatives. Patterns without a `/` match a name anywhere (as .gitignore does).
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim().replace(/\\/g, '/');
  if (g.startsWith('./')) g = g.slice(2);
  if (!g.includes('/')) g = `**/${g}`;
  if (g.endsWith('/')) g += '**';
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything below.
        if (g[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = g.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${g
          .slice(i + 1, close)
          .split(',')
          .map(escape)
          .join('|')})`;
        i = close;
      }
    } else re += escape(c);
  }
  // A pattern naming a folder also covers what is inside it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

function escape(s: string): string {
  return s.replace(/[.+^$()|[\]\\{}*?]/g, '\\$&');
}

export class PathFilter {
  private readonly res: RegExp[];
  constructor(patterns: readonly string[]) {
    this.res = patterns.filter((p) => p.trim() !== '').map(globToRegExp);
  }
  /** `rel` is relative to a workspace folder, with `/` separators. */
  ignores(rel: string): boolean {
    const parts = rel.split('/');
    if (parts.some((p) => p === 'node_modules' || p === '.git')) return true;
    return this.res.some((r) => r.test(rel));
  }
}
