/** A small, strict argument parser: known flags only, clear errors. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--mode iptables`) or not (`--json`). */
  value: boolean;
  /** Allowed values, when fixed. */
  choices?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const s = spec[name];
      if (!s) throw new UsageError(`unknown option --${name}`);
      if (!s.value) {
        if (eq > 0) throw new UsageError(`--${name} takes no value`);
        flags.set(name, true);
        continue;
      }
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      if (s.choices && !s.choices.includes(v)) throw new UsageError(`--${name} must be one of ${s.choices.join(', ')} (got "${v}")`);
      flags.set(name, v);
      continue;
    }
    positionals.push(a);
  }
  return { positionals, flags };
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
