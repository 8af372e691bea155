/** Entry of dist/server.js (the extension starts it): the language server over stdio or IPC, as the client chose. */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './startServer';

startServer(createConnection(ProposedFeatures.all));
