/** One entry point for rule files: detects iptables-save/restore text vs `iptables -L` listings. */
import { parseListing } from './listing';
import { stripPasted } from './pasted';
import { parseSave } from './save';
import { RulesParseError, type RuleSet, type RulesFormat } from './types';

/** Inputs above this size are refused with a message rather than parsed. */
export const MAX_RULES_TEXT = 256 * 1024 * 1024;

export function detectRulesFormat(text: string): RulesFormat | undefined {
  for (const raw of text.slice(0, 200_000).split('\n', 2000)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('$')) continue;
    if (/^\*[a-z]+$/.test(line) || /^:\S+ \S+/.test(line) || /^(\[\d+:\d+\] )?-[AI] \S/.test(line)) return 'save';
    if (/^Chain \S+ \(/.test(line)) return 'listing';
    return undefined;
  }
  return undefined;
}

export function parseRules(input: string): RuleSet {
  if (input.length > MAX_RULES_TEXT) throw new RulesParseError(1, `input is ${Math.round(input.length / 1048576)} MB; the limit is ${MAX_RULES_TEXT / 1048576} MB`);
  const text = stripPasted(input);
  if (text.includes('\0')) throw new RulesParseError(1, 'input contains NUL bytes: not a text dump of iptables rules');
  const format = detectRulesFormat(text);
  if (format === 'save') return parseSave(text);
  if (format === 'listing') return parseListing(text);
  const first = text.split('\n').findIndex((l) => l.trim() && !l.trim().startsWith('#'));
  const line = first < 0 ? 1 : first + 1;
  const sample = first < 0 ? '' : text.split('\n')[first]!.trim().slice(0, 60);
  if (/^table (ip|ip6|inet) /.test(sample)) throw new RulesParseError(line, 'this looks like an nft ruleset; expected iptables-save output or an iptables -L listing');
  throw new RulesParseError(line, first < 0 ? 'empty input: expected iptables-save output or an iptables -L listing' : `"${sample}" does not start iptables-save output (*table, :CHAIN, -A ...) or an iptables -L listing (Chain NAME (...))`);
}
