/**
 * Reads nftables text: `nft list ruleset` / `nft list table` output (block form, also what `nft -f` accepts)
 * and the line-per-command transaction form kube-proxy (knftables) sends to `nft -f -`
 * (`add table ...`, `add chain ...`, `add rule ...`, `add element ...`, `flush chain ...`, `delete chain ...`).
 */
import { applyChainClause, applySetClause, clauses, elementKey, parseElements } from './blocks';
import { parseRuleTokens } from './statements';
import { tokenize, trailingHandle, type Token } from './tokens';
import { RulesParseError, type NftChain, type NftRule, type NftRuleset, type NftSet, type NftTable, type RulesIssue } from './types';

/** Inputs above this size are refused rather than parsed slowly. */
export const MAX_NFT_TEXT = 64 * 1024 * 1024;

const FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

export function detectNftForm(text: string): 'ruleset' | 'transaction' | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (/^table\s/.test(line)) return 'ruleset';
    if (/^(add|create|insert|flush|delete|destroy|replace)\s+(table|chain|rule|set|map|element)\b/.test(line)) return 'transaction';
    return undefined;
  }
  return undefined;
}

export function parseNft(text: string): NftRuleset {
  if (text.length > MAX_NFT_TEXT) throw new RulesParseError(1, `input is ${text.length} characters; the limit is ${MAX_NFT_TEXT}`);
  const form = detectNftForm(text);
  if (!form) throw new RulesParseError(firstContentLine(text), 'not nftables text: expected `table FAMILY NAME {` (nft list ruleset) or `add table ...` (a transaction)');
  return form === 'ruleset' ? parseRulesetForm(text) : parseTransactionForm(text);
}

function firstContentLine(text: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() && !l.trim().startsWith('#'));
  return i < 0 ? 1 : i + 1;
}

function newTable(family: string, name: string): NftTable {
  return { family, name, chains: new Map(), sets: new Map() };
}

function newChain(name: string, line: number): NftChain {
  return { name, rules: [], line };
}

function newSet(name: string, kind: 'set' | 'map', line: number): NftSet {
  return { name, kind, type: '', flags: [], elements: [], line };
}

function makeRule(tokens: Token[], line: number, raw: string, issues: RulesIssue[], rawBody?: string): NftRule {
  const parsed = parseRuleTokens(tokens);
  for (const u of parsed.unknown) issues.push({ line, severity: 'warning', message: `statement not understood, kept as text: ${u}` });
  const text = (rawBody ?? raw).replace(/\s*#\s*handle\s+\d+\s*$/, '').trim();
  const handle = trailingHandle(raw);
  return { text, statements: parsed.statements, ...(parsed.comment !== undefined ? { comment: parsed.comment } : {}), line, ...(handle !== undefined ? { handle } : {}) };
}

// ---- block form (nft list ruleset) ----

function parseRulesetForm(text: string): NftRuleset {
  const lines = text.split('\n');
  const issues: RulesIssue[] = [];
  const tables: NftTable[] = [];
  let table: NftTable | undefined;
  let chain: NftChain | undefined;
  let set: NftSet | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    let tokens = tokenize(raw);
    if (!tokens.length) continue;
    const w = tokens.map((t) => t.text);
    if (!table) {
      if (w[0] !== 'table' || w.length < 3 || w[w.length - 1] !== '{') throw new RulesParseError(lineNo, `expected "table FAMILY NAME {", got: ${trimmed}`);
      const family = w.length === 4 ? w[1]! : 'ip';
      const name = w.length === 4 ? w[2]! : w[1]!;
      if (!FAMILIES.has(family)) throw new RulesParseError(lineNo, `unknown table family "${family}"`);
      table = newTable(family, name);
      tables.push(table);
      continue;
    }
    if (w[0] === '}' && w.length === 1) {
      if (chain) chain = undefined;
      else if (set) set = undefined;
      else table = undefined;
      continue;
    }
    if (chain) {
      // `type filter hook input priority filter; policy accept;` or `comment "x"` or a rule.
      if (w[0] === 'type' || w[0] === 'policy' || (w[0] === 'comment' && tokens.length === 2 && tokens[1]!.quoted)) {
        for (const cl of clauses(tokens)) if (!applyChainClause(chain, cl)) issues.push({ line: lineNo, severity: 'warning', message: `chain property not understood: ${cl.map((t) => t.text).join(' ')}` });
        continue;
      }
      chain.rules.push(makeRule(tokens, lineNo, raw, issues));
      continue;
    }
    if (set) {
      if (w[0] === 'elements') {
        // `elements = { a, b,` possibly continued over several lines until the closing brace.
        let depth = 0;
        const all: Token[] = [];
        for (;;) {
          for (const t of tokens) {
            if (!t.quoted && t.text === '{') depth++;
            if (!t.quoted && t.text === '}') depth--;
            all.push(t);
          }
          if (depth <= 0) break;
          i++;
          if (i >= lines.length) throw new RulesParseError(lineNo, `set "${set.name}": elements list is not closed`);
          tokens = tokenize(lines[i]!);
        }
        const open = all.findIndex((t) => t.text === '{');
        const close = all.length - 1 - [...all].reverse().findIndex((t) => t.text === '}');
        set.elements.push(...parseElements(all.slice(open + 1, close)));
        continue;
      }
      for (const cl of clauses(tokens)) if (!applySetClause(set, cl)) issues.push({ line: lineNo, severity: 'warning', message: `set property not understood: ${cl.map((t) => t.text).join(' ')}` });
      continue;
    }
    // Inside a table.
    if ((w[0] === 'chain' || w[0] === 'set' || w[0] === 'map') && w.length === 3 && w[2] === '{') {
      if (w[0] === 'chain') {
        chain = table.chains.get(w[1]!) ?? newChain(w[1]!, lineNo);
        table.chains.set(chain.name, chain);
      } else {
        set = table.sets.get(w[1]!) ?? newSet(w[1]!, w[0] as 'set' | 'map', lineNo);
        table.sets.set(set.name, set);
      }
      continue;
    }
    if (w[0] === 'comment' && tokens[1]?.quoted) {
      table.comment = w[1];
      continue;
    }
    if (w[0] === 'flags') continue;
    if (w[0] === 'flowtable' || w[0] === 'counter' || w[0] === 'quota' || w[0] === 'ct' || w[0] === 'limit' || w[0] === 'secmark' || w[0] === 'synproxy') {
      // Stateful objects and flowtables do not affect kube-proxy traces: skip their block.
      issues.push({ line: lineNo, severity: 'warning', message: `${w[0]} objects are not modelled; skipped` });
      if (w[w.length - 1] === '{') {
        let depth = 1;
        while (depth > 0 && ++i < lines.length) for (const t of tokenize(lines[i]!)) depth += t.text === '{' ? 1 : t.text === '}' ? -1 : 0;
      }
      continue;
    }
    throw new RulesParseError(lineNo, `unexpected line inside table ${table.family} ${table.name}: ${trimmed}`);
  }
  if (table) throw new RulesParseError(lines.length, `table ${table.family} ${table.name} is not closed (missing "}")`);
  return { form: 'ruleset', tables, issues };
}

// ---- transaction form (add table / add chain / add rule ...) ----

function parseTransactionForm(text: string): NftRuleset {
  const lines = text.split('\n');
  const issues: RulesIssue[] = [];
  const tables: NftTable[] = [];
  const tableOf = (family: string, name: string, lineNo: number, create: boolean): NftTable => {
    let t = tables.find((x) => x.family === family && x.name === name);
    if (!t) {
      if (!create) throw new RulesParseError(lineNo, `no table ${family} ${name} (add it first)`);
      t = newTable(family, name);
      tables.push(t);
    }
    return t;
  };
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const tokens = tokenize(raw);
    const w = tokens.map((t) => t.text);
    const verb = w[0]!;
    const what = w[1];
    if (!/^(add|create|insert|flush|delete|destroy|replace)$/.test(verb) || !what) throw new RulesParseError(lineNo, `expected a command (add/create/insert/flush/delete) but got: ${trimmed}`);
    let at = 2;
    let family = 'ip';
    if (FAMILIES.has(w[at] ?? '') && w[at + 1] !== undefined && w[at + 1] !== '{') family = w[at++]!;
    const tableName = w[at++];
    if (!tableName) throw new RulesParseError(lineNo, `"${verb} ${what}" needs a table name`);
    const rest = tokens.slice(at);
    const isAdd = verb === 'add' || verb === 'create';
    if (what === 'table') {
      if (verb === 'delete' || verb === 'destroy') {
        const idx = tables.findIndex((t) => t.family === family && t.name === tableName);
        if (idx >= 0) tables.splice(idx, 1);
        continue;
      }
      const t = tableOf(family, tableName, lineNo, isAdd);
      if (verb === 'flush') {
        for (const c of t.chains.values()) c.rules = [];
        for (const s of t.sets.values()) s.elements = [];
        continue;
      }
      const body = inBraces(rest);
      for (const cl of clauses(body)) if (cl[0]?.text === 'comment' && cl[1]?.quoted) t.comment = cl[1].text;
      continue;
    }
    const t = tableOf(family, tableName, lineNo, false);
    const objName = rest[0]?.text;
    if (!objName) throw new RulesParseError(lineNo, `"${verb} ${what}" needs a name`);
    if (what === 'chain') {
      if (verb === 'delete' || verb === 'destroy') {
        t.chains.delete(objName);
        continue;
      }
      let c = t.chains.get(objName);
      if (!c) {
        if (!isAdd) throw new RulesParseError(lineNo, `no chain "${objName}" to ${verb}`);
        c = newChain(objName, lineNo);
        t.chains.set(objName, c);
      }
      if (verb === 'flush') {
        c.rules = [];
        continue;
      }
      for (const cl of clauses(inBraces(rest.slice(1)))) if (!applyChainClause(c, cl)) issues.push({ line: lineNo, severity: 'warning', message: `chain property not understood: ${cl.map((x) => x.text).join(' ')}` });
      continue;
    }
    if (what === 'set' || what === 'map') {
      if (verb === 'delete' || verb === 'destroy') {
        t.sets.delete(objName);
        continue;
      }
      let s = t.sets.get(objName);
      if (!s) {
        if (!isAdd) throw new RulesParseError(lineNo, `no ${what} "${objName}" to ${verb}`);
        s = newSet(objName, what, lineNo);
        t.sets.set(objName, s);
      }
      if (verb === 'flush') {
        s.elements = [];
        continue;
      }
      for (const cl of clauses(inBraces(rest.slice(1)))) if (!applySetClause(s, cl)) issues.push({ line: lineNo, severity: 'warning', message: `set property not understood: ${cl.map((x) => x.text).join(' ')}` });
      if (what === 'map') s.kind = 'map';
      continue;
    }
    if (what === 'element') {
      const s = t.sets.get(objName);
      if (!s) throw new RulesParseError(lineNo, `no set or map "${objName}" for this element (add it first)`);
      const elems = parseElements(inBraces(rest.slice(1)));
      if (verb === 'delete' || verb === 'destroy') {
        const drop = new Set(elems.map(elementKey));
        s.elements = s.elements.filter((e) => !drop.has(elementKey(e)));
      } else {
        const index = elementIndex(s);
        for (const e of elems) {
          const k = elementKey(e);
          const idx = index.map.get(k);
          if (idx !== undefined) s.elements[idx] = e;
          else {
            index.map.set(k, s.elements.length);
            s.elements.push(e);
          }
        }
        index.length = s.elements.length;
      }
      continue;
    }
    if (what === 'rule') {
      const c = t.chains.get(objName);
      if (!c) throw new RulesParseError(lineNo, `no chain "${objName}" for this rule (add the chain first)`);
      if (verb === 'delete' || verb === 'destroy') {
        const h = rest[1]?.text === 'handle' ? Number(rest[2]?.text) : NaN;
        c.rules = c.rules.filter((r) => r.handle !== h);
        continue;
      }
      let body = rest.slice(1);
      if (body[0]?.text === 'handle' || body[0]?.text === 'index' || body[0]?.text === 'position') body = body.slice(2);
      const bodyText = /^\s*\S+\s+rule\s+(?:(?:ip|ip6|inet|arp|bridge|netdev)\s+)?\S+\s+\S+\s+(?:(?:handle|index|position)\s+\d+\s+)?(.*)$/.exec(raw)?.[1];
      const rule = makeRule(body, lineNo, raw, issues, bodyText);
      if (verb === 'insert') c.rules.unshift(rule);
      else c.rules.push(rule);
      continue;
    }
    throw new RulesParseError(lineNo, `unknown object "${what}" (expected table, chain, set, map, element or rule)`);
  }
  return { form: 'transaction', tables, issues };
}

/** Element key -> position while a transaction is applied; rebuilt when the list changed another way (flush, delete). */
interface ElementIndex {
  list: NftSet['elements'];
  length: number;
  map: Map<string, number>;
}
const indexes = new WeakMap<NftSet, ElementIndex>();

function elementIndex(s: NftSet): ElementIndex {
  const cur = indexes.get(s);
  if (cur && cur.list === s.elements && cur.length === s.elements.length) return cur;
  const map = new Map<string, number>();
  s.elements.forEach((e, i) => map.set(elementKey(e), i));
  const entry = { list: s.elements, length: s.elements.length, map };
  indexes.set(s, entry);
  return entry;
}

/** The tokens between the outer braces (`{ ... }`), or none. */
function inBraces(tokens: readonly Token[]): Token[] {
  const open = tokens.findIndex((t) => !t.quoted && t.text === '{');
  if (open < 0) return [];
  let close = tokens.length - 1;
  while (close > open && (tokens[close]!.quoted || tokens[close]!.text !== '}')) close--;
  return tokens.slice(open + 1, close > open ? close : tokens.length);
}
