import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { poolSizeGiven, serverExecArgv } from '../../node/serverFlags';
import { startServer } from '../../server/startServer';
import { parseArgs, UsageError } from '../args';
import type { CliIO } from '../io';

export const lspHelp = `ksd lsp --stdio
  Runs the language server on stdin/stdout (for Neovim, Helix, Emacs or any LSP client). Logs go to
  the client's log through the protocol; nothing else is written to stdout. Unless Node was given
  --v8-pool-size, the server restarts itself with a pool of one thread fewer than the cores (so its
  main thread keeps a core of its own; see the README).`;

export async function lspCommand(argv: string[], _io: CliIO): Promise<number> {
  const args = parseArgs(argv, { stdio: { value: false } });
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  if (!args.flags.has('stdio')) throw new UsageError('ksd lsp needs --stdio (the only transport it speaks)');
  const script = process.argv[1];
  if (script && !poolSizeGiven(process.execArgv, process.env['NODE_OPTIONS'])) return relaunch(script);
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  startServer(connection);
  // The connection ends the process on `exit`; until then keep running.
  return new Promise<number>(() => undefined);
}

/**
 * Runs this same command line again in a child process with the server's flags, on the same stdin,
 * stdout and stderr (this process reads none of them), and ends with the child's exit code. Signals
 * sent to this process are passed on; the child also ends by itself when the client closes stdin.
 */
function relaunch(script: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...serverExecArgv(), script, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const forward = (s: NodeJS.Signals) => child.kill(s);
  for (const s of signals) process.on(s, forward);
  return new Promise<number>((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`ksd lsp: could not start the server process: ${e.message}\n`);
      resolve(3);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

