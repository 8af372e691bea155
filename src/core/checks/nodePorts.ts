/** KSD211-KSD213: node ports out of range, shared between Services, or set where they do not apply. */
import type { Diagnostic } from '../diagnostics';
import { focusServices, inFocus } from './scope';
import type { Check } from './types';
import { deleteEntry, diag, fix, related } from './util';

export const nodePortRangeCheck: Check = {
  reads: [],
  code: 'KSD211',
  id: 'node-port-out-of-range',
  title: 'nodePort outside the node port range',
  defaultSeverity: 'error',
  description: 'The API server allocates node ports only from --service-node-port-range (default 30000-32767) and rejects others.',
  run(ctx) {
    const { min, max } = ctx.state.nodePortRange;
    const out: Diagnostic[] = [];
    const services = focusServices(ctx);
    for (let at_ = 0; at_ < services.length; at_++) {
      const svc = services[at_]!;
      for (const sp of svc.ports) {
        if (sp.nodePortAssigned || !sp.nodePort || (sp.nodePort >= min && sp.nodePort <= max)) continue;
        if (svc.type === 'ClusterIP' || svc.type === 'ExternalName') continue; // KSD213 says it
        const edit = deleteEntry(svc.loaded, ['spec', 'ports', sp.index], 'nodePort');
        out.push(
          diag(svc.loaded, ['spec', 'ports', sp.index, 'nodePort'], 'error', 'KSD211', `nodePort ${sp.nodePort} is outside the node port range ${min}-${max}, so the API server rejects the Service ("provided port is not in the valid range"). Pick a port in ${min}-${max}, or leave nodePort out to get one assigned.`, {
            fixes: fix('Remove nodePort and let the API server pick one', [edit], true),
          }),
        );
      }
      const hc = svc.healthCheckNodePort;
      if (hc && !svc.healthCheckNodePortAssigned && (hc < min || hc > max)) {
        out.push(diag(svc.loaded, ['spec', 'healthCheckNodePort'], 'error', 'KSD211', `healthCheckNodePort ${hc} is outside the node port range ${min}-${max}; the API server rejects it.`));
      }
    }
    return out;
  },
};

export const nodePortConflictCheck: Check = {
  reads: ['Service'],
  scope: 'cluster',
  code: 'KSD212',
  id: 'node-port-conflict',
  title: 'nodePort used twice',
  defaultSeverity: 'error',
  description: 'A node port belongs to one Service (per protocol): a second Service asking for it is rejected ("provided port is already allocated").',
  run(ctx) {
    const out: Diagnostic[] = [];
    // Nothing to report unless a Service in focus asks for a node port.
    if (!focusServices(ctx).some((s) => s.ports.some((p) => p.nodePort && !p.nodePortAssigned))) return out;
    const owners = new Map<string, { svc: (typeof ctx.state.services)[number]; index: number }>();
    // Only Services that ask for node ports take part (ordering the rest would read every source tree).
    const asking = ctx.state.services.filter((svc) => svc.ports.some((sp) => sp.nodePort && !sp.nodePortAssigned));
    // Ordered by file, then line and column: the editor's per-document offsets and the CLI's file offsets agree
    // on positions, not on offsets.
    const keyed = asking.map((svc) => {
      const src = svc.loaded?.source;
      const at = src ? src.index.position(src.node.start) : { line: 0, character: 0 };
      return { svc, file: `${src?.file}`, line: at.line, character: at.character };
    });
    const ordered = keyed.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.character - b.character).map((k) => k.svc);
    for (const svc of ordered) {
      const mine = new Set<string>();
      for (const sp of svc.ports) {
        if (!sp.nodePort || sp.nodePortAssigned) continue;
        const key = `${sp.nodePort}/${sp.protocol}`;
        const prev = owners.get(key);
        if (!inFocus(ctx, svc.loaded)) {
          if (!prev) owners.set(key, { svc, index: sp.index });
        } else if (prev && prev.svc !== svc) {
          out.push(
            diag(svc.loaded, ['spec', 'ports', sp.index, 'nodePort'], 'error', 'KSD212', `nodePort ${sp.nodePort}/${sp.protocol} is already used by Service ${prev.svc.namespace}/${prev.svc.name}; node ports are cluster-wide, so the API server rejects the second Service. Choose another port or leave nodePort out.`, {
              related: related(prev.svc.loaded, ['spec', 'ports', prev.index, 'nodePort'], `Service ${prev.svc.namespace}/${prev.svc.name} uses ${sp.nodePort}`),
            }),
          );
        } else if (prev && mine.has(key)) {
          out.push(diag(svc.loaded, ['spec', 'ports', sp.index, 'nodePort'], 'error', 'KSD212', `nodePort ${sp.nodePort}/${sp.protocol} is used by ports[${prev.index}] of this Service already; the API server rejects the duplicate.`));
        } else owners.set(key, { svc, index: sp.index });
        mine.add(key);
      }
    }
    return out;
  },
};

export const nodePortOnClusterIPCheck: Check = {
  reads: 'object',
  code: 'KSD213',
  id: 'node-port-on-cluster-ip',
  title: 'nodePort on a ClusterIP Service',
  defaultSeverity: 'error',
  description: "nodePort may not be used when type is 'ClusterIP': the API server rejects it.",
  run(ctx) {
    const out: Diagnostic[] = [];
    const services = focusServices(ctx);
    for (let at_ = 0; at_ < services.length; at_++) {
      const svc = services[at_]!;
      if (svc.type !== 'ClusterIP') continue;
      for (const sp of svc.ports) {
        if (!sp.nodePort) continue;
        const path = ['spec', 'ports', sp.index, 'nodePort'];
        out.push(
          diag(svc.loaded, path, 'error', 'KSD213', `nodePort ${sp.nodePort} is set, but the Service is of type ClusterIP, which has no node ports: the API server rejects it. Set type: NodePort (or LoadBalancer) to expose it on the nodes, or remove nodePort.`, {
            fixes: fix('Remove nodePort', [deleteEntry(svc.loaded, ['spec', 'ports', sp.index], 'nodePort')], true),
          }),
        );
      }
    }
    return out;
  },
};
