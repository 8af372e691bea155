/** Parses iptables-save output and iptables-restore payloads (the text kube-proxy feeds iptables-restore). */
import { parseRuleArgs, sharedMatches } from './args';
import { tokenize } from './tokenize';
import { BUILTIN_CHAINS, RulesParseError, type Chain, type Rule, type RuleSet, type RuleTable } from './types';
import { ruleText } from './format';
import { FRAGMENT_NOTE, fragmentTable, lacksTableLines, targetWord } from './fragment';

const COUNTERS = /^\[(\d+):(\d+)\]$/;

export function parseSave(text: string): RuleSet {
  const set: RuleSet = { format: 'save', family: 'IPv4', tables: new Map(), deleted: [], warnings: [] };
  let current: RuleTable | undefined;
  let sawV6 = false;
  let sawV4 = false;
  // Lines are cut with indexOf rather than split (a 100,000-rule dump is 14 MB); trim only when needed.
  let lineNo = 0;
  // One words array for every line: parseRuleArgs copies what it keeps.
  const scratch: string[] = [];
  const shared = sharedMatches();
  // `iptables-save | grep NAME` keeps rule lines but not the *table lines: infer each chain's table.
  const fragment = lacksTableLines(text);
  const tableFor = (name: string): RuleTable => {
    let t = set.tables.get(name);
    if (!t) set.tables.set(name, (t = { name, chains: new Map() }));
    return t;
  };
  if (fragment) set.warnings.push({ line: 1, message: FRAGMENT_NOTE });
  for (let pos = 0; pos <= text.length; ) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const raw = text.slice(pos, eol);
    pos = eol + 1;
    lineNo++;
    const line = isTrimmed(raw) ? raw : raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (current) throw new RulesParseError(lineNo, `table *${line.slice(1)} starts before COMMIT of *${current.name}`);
      const name = line.slice(1).trim();
      if (!/^[a-z]+$/.test(name)) throw new RulesParseError(lineNo, `bad table name "${name}"`);
      current = tableFor(name);
      continue;
    }
    if (line === 'COMMIT') {
      if (!current && !fragment) throw new RulesParseError(lineNo, 'COMMIT without a table (missing *nat / *filter line)');
      current = undefined;
      continue;
    }
    if (!current && !fragment) throw new RulesParseError(lineNo, `"${clip(line)}" outside a table: expected a *filter / *nat line first`);
    if (line.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?$/.exec(line);
      if (!m) throw new RulesParseError(lineNo, `bad chain line "${clip(line)}" (expected ":NAME POLICY [packets:bytes]")`);
      const [, name, policy, p, b] = m;
      const table = current ?? tableFor(fragmentTable(name!, undefined));
      const builtin = BUILTIN_CHAINS[table.name]?.includes(name!) ?? false;
      if (policy !== '-' && policy !== 'ACCEPT' && policy !== 'DROP') throw new RulesParseError(lineNo, `bad policy "${policy}" for chain ${name}`);
      // Declaring a chain in a restore payload flushes it: rules given before for it are dropped.
      const chain: Chain = { name: name!, table: table.name, rules: [], line: lineNo };
      if (policy !== '-') chain.policy = policy as 'ACCEPT' | 'DROP';
      else if (builtin) chain.policy = 'ACCEPT';
      if (p !== undefined) chain.counters = { packets: Number(p), bytes: Number(b) };
      table.chains.set(chain.name, chain);
      continue;
    }
    const words = tokenize(line, lineNo, scratch);
    let counters: { packets: number; bytes: number } | undefined;
    let at = 0;
    const cm = words[0]?.charCodeAt(0) === 91 ? COUNTERS.exec(words[0]) : null;
    if (cm) {
      counters = { packets: Number(cm[1]), bytes: Number(cm[2]) };
      at = 1;
    }
    const op = words[at];
    const chainName = words[at + 1];
    const table = current ?? tableFor(fragmentTable(chainName ?? '', targetWord(words, at + 2)));
    if (op === '-X' || op === '--delete-chain' || op === '-F' || op === '--flush') {
      if (!chainName) throw new RulesParseError(lineNo, `${op} needs a chain name`);
      if (op === '-X' || op === '--delete-chain') {
        table.chains.delete(chainName);
        set.deleted.push({ table: table.name, chain: chainName, line: lineNo });
      } else table.chains.get(chainName)?.rules.splice(0);
      continue;
    }
    if (op === '-N' || op === '--new-chain') {
      if (!chainName) throw new RulesParseError(lineNo, `${op} needs a chain name`);
      if (!table.chains.has(chainName)) table.chains.set(chainName, { name: chainName, table: table.name, rules: [], line: lineNo });
      continue;
    }
    if (op !== '-A' && op !== '--append' && op !== '-I' && op !== '--insert') {
      throw new RulesParseError(lineNo, `expected a rule (-A CHAIN ...), a chain (:NAME) or COMMIT, got "${clip(line)}"`);
    }
    if (!chainName) throw new RulesParseError(lineNo, `${op} needs a chain name`);
    let rest = at + 2;
    let insertAt = -1;
    if ((op === '-I' || op === '--insert') && /^\d+$/.test(words[rest] ?? '')) {
      insertAt = Number(words[rest]) - 1;
      rest++;
    } else if (op === '-I' || op === '--insert') insertAt = 0;
    let chain = table.chains.get(chainName);
    if (!chain && fragment) table.chains.set(chainName, (chain = { name: chainName, table: table.name, rules: [], line: lineNo }));
    if (!chain) throw new RulesParseError(lineNo, `rule for chain ${chainName}, which table ${table.name} does not declare (missing ":${chainName} - [0:0]")`);
    const parsed = parseRuleArgs(words, lineNo, set.warnings, rest, shared);
    for (const m of parsed.matches) {
      if (m.kind === 'src' || m.kind === 'dst') {
        if (m.cidr.family === 'IPv6') sawV6 = true;
        else sawV4 = true;
      }
    }
    const rule: Rule = { table: table.name, chain: chain.name, index: 0, line: lineNo, text: '', matches: parsed.matches, target: parsed.target, comment: parsed.comment, counters };
    rule.text = op !== '-A' && op !== '--append' ? ruleText(rule) : counters ? line.replace(/^\[\d+:\d+\]\s+/, '') : line;
    if (insertAt >= 0) chain.rules.splice(Math.min(insertAt, chain.rules.length), 0, rule);
    else chain.rules.push(rule);
  }
  if (current) throw new RulesParseError(lineNo, `table *${current.name} is not closed by COMMIT`);
  for (const t of set.tables.values()) for (const c of t.chains.values()) c.rules.forEach((r, i) => (r.index = i));
  if (sawV6 && !sawV4) set.family = 'IPv6';
  return set;
}

/** Printable ASCII at both ends, so trim() would return the line unchanged (the usual case: no copy). */
function isTrimmed(s: string): boolean {
  if (!s.length) return true;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  return a > 32 && a < 127 && b > 32 && b < 127;
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
