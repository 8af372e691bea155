/**
 * Code lenses above each Service: pod counts, then Trace and Rule chain, commands the client implements (the
 * extension): only those in `clientCommands`, so another editor does not show lenses that do nothing.
 */
import type { CodeLens } from 'vscode-languageserver/node';
import type { ClusterState, ManifestFile } from '../../core';
import { RULE_CHAIN_COMMAND, TRACE_COMMAND, type ServiceCommandArgument } from '../../protocol/lsp';
import { endpointCounts, podCountsText, serviceOf } from './lookup';

export function codeLenses(state: ClusterState, file: ManifestFile, uri: string, clientCommands: ReadonlySet<string> = new Set()): CodeLens[] {
  const out: CodeLens[] = [];
  for (const o of file.objects) {
    if (o.kind !== 'Service' || !o.source) continue;
    const svc = serviceOf(state, o);
    if (!svc) continue;
    const start = o.source.index.position(o.source.node.start);
    const range = { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } };
    const arg: ServiceCommandArgument = { namespace: svc.namespace, name: svc.name, uri };
    let title: string;
    if (svc.type === 'ExternalName') title = `ExternalName → ${svc.externalName ?? '?'}`;
    else if (!svc.selector && svc.ports.length) {
      const c = endpointCounts(state, svc);
      title = `no selector: ${c.ready} ready endpoint${c.ready === 1 ? '' : 's'} from EndpointSlices`;
    } else {
      title = podCountsText(endpointCounts(state, svc));
    }
    out.push({ range, command: { title, command: '' } });
    if (svc.type !== 'ExternalName') {
      if (clientCommands.has(TRACE_COMMAND)) out.push({ range, command: { title: 'Trace', command: TRACE_COMMAND, arguments: [arg] } });
      if (clientCommands.has(RULE_CHAIN_COMMAND)) out.push({ range, command: { title: 'Rule chain', command: RULE_CHAIN_COMMAND, arguments: [arg] } });
    }
  }
  return out;
}
