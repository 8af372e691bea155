/** The ksd/serviceSummary answer: every Service with its endpoint counts, for trees and other editors. */
import { serviceEndpoints, type ClusterState, type Diagnostic } from '../../core';
import type { ServiceSummaryItem } from '../../protocol/lsp';
import { endpointCounts } from './lookup';

export function serviceSummary(state: ClusterState, diagnosticsFor: (uri: string) => readonly Diagnostic[], uri?: string): ServiceSummaryItem[] {
  const out: ServiceSummaryItem[] = [];
  for (const svc of state.services) {
    const src = svc.loaded?.source;
    if (uri !== undefined && src?.file !== uri) continue;
    const eps = serviceEndpoints(state, svc);
    const c = endpointCounts(state, svc);
    const range = src ? src.index.range(src.node.start, src.node.end) : undefined;
    const diags = src && range ? diagnosticsFor(src.file).filter((d) => d.range.start.line >= range.start.line && d.range.start.line <= range.end.line) : [];
    out.push({
      namespace: svc.namespace,
      name: svc.name,
      type: svc.type,
      clusterIP: svc.clusterIP,
      clusterIPAssigned: svc.clusterIPAssigned,
      ports: svc.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol, nodePort: p.nodePort })),
      endpointsSource: eps.source,
      matchedPods: c.pods,
      readyEndpoints: c.ready,
      notReadyEndpoints: c.notReady,
      excluded: eps.excluded.map((x) => ({ pod: x.pod.name, reason: x.reason })),
      problems: { errors: diags.filter((d) => d.severity === 'error').length, warnings: diags.filter((d) => d.severity === 'warning').length },
      location: src && range ? { uri: src.file, range } : undefined,
    });
  }
  return out.sort((a, b) => (a.namespace + '/' + a.name).localeCompare(b.namespace + '/' + b.name));
}
