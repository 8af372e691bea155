import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { publishCachingEncoder } from '../../server/publishEncoding';
import { startServer } from '../../server/startServer';
import { parseArgs, UsageError } from '../args';
import type { CliIO } from '../io';

export const lspHelp = `ksd lsp --stdio
  Runs the language server on stdin/stdout (for Neovim, Helix, Emacs or any LSP client). Logs go to
  the client's log through the protocol; nothing else is written to stdout.`;

export async function lspCommand(argv: string[], _io: CliIO): Promise<number> {
  const args = parseArgs(argv, { stdio: { value: false } });
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  if (!args.flags.has('stdio')) throw new UsageError('ksd lsp needs --stdio (the only transport it speaks)');
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout, { contentTypeEncoder: publishCachingEncoder() }));
  startServer(connection);
  // The connection ends the process on `exit`; until then keep running.
  return new Promise<number>(() => undefined);
}
