/** The ksd command: a thin layer over src/core. */
import { isMainThread } from 'node:worker_threads';
import { UsageError } from './args';
import { checkCommand, checkHelp } from './commands/check';
import { dnsCommand, dnsHelp } from './commands/dns';
import { endpointsCommand, endpointsHelp } from './commands/endpoints';
import { traceCommand, traceHelp } from './commands/trace';
import { diffCommand, diffHelp } from './commands/diff';
import { envCommand, envHelp } from './commands/env';
import { lspCommand, lspHelp } from './commands/lsp';
import { rulesCommand, rulesHelp } from './commands/rules';
import { CliError, processIO, type CliIO } from './io';
import { VERSION } from './version';

interface Command {
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  check: { help: checkHelp, run: checkCommand },
  endpoints: { help: endpointsHelp, run: endpointsCommand },
  rules: { help: rulesHelp, run: rulesCommand },
  trace: { help: traceHelp, run: traceCommand },
  diff: { help: diffHelp, run: diffCommand },
  dns: { help: dnsHelp, run: dnsCommand },
  env: { help: envHelp, run: envCommand },
  lsp: { help: lspHelp, run: lspCommand },
};

export function helpText(): string {
  return `ksd ${VERSION}: Kubernetes Service Debugger
Why doesn't my Service work, and where does this request actually go? Reads ordinary Kubernetes
manifests (files or folders of YAML/JSON); no cluster needed.

Usage:
${Object.values(COMMANDS)
  .map((c) => '  ' + c.help.replace(/\n/g, '\n  '))
  .join('\n')}
  ksd --help | --version

Exit codes: 0 done; 1 check found an error, diff a difference, or dns no answer; 2 bad arguments or
input; 3 internal error. Errors go to stderr; so do warnings (files that did not parse or were skipped,
parts of imported rules kept as text) as warning: FILE:LINE: ..., so stdout holds only the result.
PATHS may be - (or /dev/stdin, or a pipe such as <(helm template .)) to read manifests from stdin.
Files over 10 MB are skipped (KSD002), as in the editor; --max-file-size MB, on any command that reads
PATHS, raises the limit (a 50 MB kubectl get -A -o yaml dump loads in about 1.5 s and 300 MB).
`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    // No command is a usage error: the help goes where errors go, so `ksd > out` leaves out empty.
    io.err(helpText());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`ksd: unknown command "${name}". Run ksd --help for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.help + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${prefixed(name, e.message)}\n\n${cmd.help}\n`);
      return 2;
    }
    if (e instanceof CliError) {
      io.err(`${prefixed(name, e.message)}\n`);
      return e.exitCode;
    }
    io.err(`ksd ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nPlease report this with the input that caused it.\n`);
    return 3;
  }
}

/** `ksd NAME: message`, once: a message that already starts with `ksd NAME ` is not prefixed again. */
function prefixed(name: string, message: string): string {
  return message.startsWith(`ksd ${name} `) ? message : `ksd ${name}: ${message}`;
}

// In a worker thread this bundle is a --batch worker (src/cli/batch/traceWorker.ts), not the command line.
if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ksd: ${String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
