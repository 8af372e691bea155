/** Document symbols: one per object (kind and name), so multi-document files get an outline. */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { rangeOf, type ManifestFile } from '../../core';

const KIND: Record<string, SymbolKind> = {
  Service: SymbolKind.Interface,
  Pod: SymbolKind.Object,
  Deployment: SymbolKind.Class,
  StatefulSet: SymbolKind.Class,
  DaemonSet: SymbolKind.Class,
  ReplicaSet: SymbolKind.Class,
  ReplicationController: SymbolKind.Class,
  Job: SymbolKind.Class,
  CronJob: SymbolKind.Class,
  EndpointSlice: SymbolKind.Array,
  Endpoints: SymbolKind.Array,
  Namespace: SymbolKind.Namespace,
  Node: SymbolKind.Module,
};

export function documentSymbols(file: ManifestFile): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const o of file.objects) {
    const src = o.source;
    if (!src) continue;
    const range = src.index.range(src.node.start, src.node.end);
    const nameRange = rangeOf(src, ['metadata', 'name']);
    const within = nameRange.start.line >= range.start.line && nameRange.end.line <= range.end.line;
    out.push({
      name: (o.namespace ? `${o.namespace}/` : '') + (o.name || '(unnamed)'),
      detail: o.partial ? `${o.kind} (fragment)` : o.kind,
      kind: KIND[o.kind] ?? SymbolKind.Struct,
      range,
      selectionRange: within ? nameRange : { start: range.start, end: range.start },
    });
  }
  return out;
}
