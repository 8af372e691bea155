/** Reads ipset contents as `ipset save` (create/add lines) or `ipset list` (Name:/Members: blocks) print them. */
import { RulesParseError } from '../nft/types';

export interface IpsetContent {
  name: string;
  type: string;
  /** Entry text as ipset prints it (`10.96.0.1,tcp:443`, `30080`), without options such as `comment "..."`. */
  entries: string[];
  /** 1-based line of each entry (0 when generated). */
  entryLines: number[];
  line: number;
}

export const MAX_IPSET_TEXT = 64 * 1024 * 1024;

/** True when the text looks like `ipset save` or `ipset list` output. */
export function looksLikeIpset(text: string): boolean {
  const first = text.split('\n', 50).find((l) => l.trim() && !l.trim().startsWith('#'));
  return !!first && (/^create \S+ (hash|bitmap|list):\S+/.test(first.trim()) || /^Name: \S+/.test(first.trim()));
}

/** A member's address part, lower-cased (IPv6) and without trailing options. */
function entryWord(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? '').toLowerCase();
}

export function parseIpset(text: string): Map<string, IpsetContent> {
  if (text.length > MAX_IPSET_TEXT) throw new RulesParseError(1, `input is ${text.length} characters; the limit is ${MAX_IPSET_TEXT}`);
  const sets = new Map<string, IpsetContent>();
  const lines = text.split('\n');
  let current: IpsetContent | undefined;
  let inMembers = false;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.replace(/\r$/, '');
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      if (!line) inMembers = false;
      continue;
    }
    let m = /^create (\S+) (\S+)/.exec(line);
    if (m) {
      current = { name: m[1]!, type: m[2]!, entries: [], entryLines: [], line: lineNo };
      sets.set(current.name, current);
      continue;
    }
    m = /^add (\S+) (.+)$/.exec(line);
    if (m) {
      const set = sets.get(m[1]!);
      if (!set) throw new RulesParseError(lineNo, `"add ${m[1]}" before "create ${m[1]}"`);
      set.entries.push(entryWord(m[2]!));
      set.entryLines.push(lineNo);
      continue;
    }
    m = /^Name: (\S+)$/.exec(line);
    if (m) {
      current = { name: m[1]!, type: '', entries: [], entryLines: [], line: lineNo };
      sets.set(current.name, current);
      inMembers = false;
      continue;
    }
    if (current && !inMembers) {
      const header = /^([A-Za-z ]+):\s*(.*)$/.exec(line);
      if (header) {
        if (header[1] === 'Type') current.type = header[2]!;
        if (header[1] === 'Members') inMembers = true;
        continue;
      }
    }
    if (current && inMembers) {
      current.entries.push(entryWord(line));
      current.entryLines.push(lineNo);
      continue;
    }
    throw new RulesParseError(lineNo, `"${line.slice(0, 60)}" is not ipset output (expected "create NAME TYPE", "add NAME ENTRY", or an "ipset list" block starting "Name: NAME")`);
  }
  return sets;
}
