/**
 * The rule parsers' warnings (matches and targets kept as text, tables inferred from names) for the user: on
 * stderr as `warning: FILE:LINE: message`, so stdout (text or --json) stays the result alone.
 */
import type { RuleWarning } from '../core';
import type { CliIO } from './io';

/** Past this many, one line says how many more there are (a large dump can repeat the same unmodelled match). */
export const MAX_RULE_WARNINGS = 20;

export function printRuleWarnings(io: CliIO, file: string, warnings: readonly RuleWarning[]): void {
  for (const w of warnings.slice(0, MAX_RULE_WARNINGS)) io.err(`warning: ${file}:${w.line}: ${w.message}\n`);
  const more = warnings.length - MAX_RULE_WARNINGS;
  if (more > 0) io.err(`warning: ${file}: ${more} more warning${more === 1 ? '' : 's'} like these\n`);
}
